import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '@asyncsan/test-harness/cli';

const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-timelines-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ref = (name: string) => ({ file: 'test/a.test.ts', name, fullName: `a > ${name}` });
const finding = (name: string, fingerprint: string) => ({
  id: 'leaked-timer',
  severity: 'error',
  message: 'setInterval(…, 1000) created in this test is still armed when it ends',
  engine: 'tracer',
  location: { file: 'src/a.ts', line: 3, column: 5 },
  test: ref(name),
  fingerprint,
});
const timeline = (name: string, fingerprint: string, startedAt: number) => ({
  test: ref(name),
  startedAt,
  end: 2,
  judged: 8,
  outcome: 'failed',
  lanes: [{ label: 'setInterval(…, 1000)', kind: 'timer', site: { file: 'src/a.ts', line: 3, column: 5 }, start: 0.5, state: 'leaked', findings: [fingerprint] }],
});
const write = (name: string, doc: object) => {
  const file = path.join(dir, name);
  writeFileSync(file, JSON.stringify({ version: 1, tool: { name: 'asyncsan', version: '0.1.0' }, ...doc }));
  return file;
};

describe('asyncsan report carries the timelines of runtime findings files', () => {
  const shard1 = write('shard1.json', { findings: [finding('one', 'fp1')], timelines: [timeline('one', 'fp1', 1000)] });
  const shard2 = write('shard2.json', { findings: [finding('two', 'fp2')], timelines: [timeline('two', 'fp2', 2000)] });
  const staticOnly = write('static.json', { findings: [{ ...finding('x', 'fp3'), engine: 'analyzer', test: undefined, location: { file: 'src/b.ts', line: 1, column: 1 } }] });

  it('merges them across files (a file read twice counts once) beside a static-only file', async () => {
    const out = path.join(dir, 'merged.json');
    const r = await runCli(['report', shard1, shard2, shard1, staticOnly, '--format', 'json', '--output', out]);
    expect(r.code, r.stderr).toBe(1);
    const merged = JSON.parse(readFileSync(out, 'utf8'));
    expect(merged.findings).toHaveLength(3);
    expect(merged.timelines.map((t: { test: { fullName: string }; lanes: Array<{ findings: string[] }> }) => [t.test.fullName, t.lanes[0]!.findings])).toEqual([
      ['a > one', ['fp1']],
      ['a > two', ['fp2']],
    ]);
  });

  it('drops the timeline of a test whose findings the baseline hid', async () => {
    const baseline = path.join(dir, 'baseline.json');
    writeFileSync(baseline, JSON.stringify({ version: 1, findings: [{ fingerprint: 'fp2', id: 'leaked-timer', file: 'src/a.ts' }] }));
    const out = path.join(dir, 'baselined.json');
    const r = await runCli(['report', shard1, shard2, '--baseline', baseline, '--format', 'json', '--output', out]);
    expect(r.code, r.stderr).toBe(1);
    const doc = JSON.parse(readFileSync(out, 'utf8'));
    expect(doc.baselined).toBe(1);
    expect(doc.timelines.map((t: { test: { fullName: string } }) => t.test.fullName)).toEqual(['a > one']);
  });

  it('rejects a malformed timeline with the file and the place', async () => {
    const bad = write('bad.json', { findings: [finding('one', 'fp1')], timelines: [{ ...timeline('one', 'fp1', 1), lanes: [{ label: 'x', kind: 'timer', start: 'soon', state: 'leaked' }] }] });
    const r = await runCli(['report', bad, '--format', 'json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`asyncsan: ${bad}: does not match the findings schema at $.timelines[0].lanes[0].start: must be a number, got "soon"\n`);
  });
});
