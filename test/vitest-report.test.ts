import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { tracerIds } from '@asyncsan/test-harness/projects';
import { runVitest } from '@asyncsan/test-harness/vitest';

const basic = path.join(fixturesRoot, 'projects/vitest-basic');
const options = path.join(fixturesRoot, 'projects/vitest-options');
const schema = JSON.parse(readFileSync(path.join(repoRoot, 'packages/core/schema/findings.schema.json'), 'utf8'));
const key = (f: { id: string; location?: { file: string; line: number } }) => `${f.id}@${f.location?.file}:${f.location?.line}`;

describe('@asyncsan/vitest reporting', () => {
  it('fail mode: the summary lists each failing test with its findings, and the findings JSON is schema-valid', async () => {
    const r = await runVitest(basic, ['--pool=threads']);
    expect(r.code).toBe(1);
    const summary = r.stdout.slice(r.stdout.indexOf(' asyncsan  '));
    expect(summary.split('\n').filter((l) => /^ {3}\S/.test(l) || /^ {5}[a-z-]+ {2}/.test(l)).map((l) => l.replace(/^( +\S+ {2}\S+).*$/, '$1').trimEnd())).toEqual([
      '   deadlock.test.mjs > waits for an event nobody sends',
      '     deadlock  deadlock.test.mjs:5:3',
      '     leaked-listener  deadlock.test.mjs:5:38',
      '   leaks.test.mjs > concurrent > A leaks a timeout',
      '     leaked-timer  leaks.test.mjs:31:5',
      '   leaks.test.mjs > listeners > adds a listener to a long-lived emitter',
      '     leaked-listener  leaks.test.mjs:40:9',
      '   leaks.test.mjs > poller > leaks its interval',
      '     leaked-timer  poller.mjs:8:18',
    ]);
    expect(summary).toContain(' asyncsan  5 async hazards in 4 tests');
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addFormat('uri', (s: string) => URL.canParse(s));
    const validate = ajv.compile(schema);
    const written = JSON.parse(readFileSync(r.findingsFile, 'utf8'));
    expect(validate(written), JSON.stringify(validate.errors)).toBe(true);
    expect(written.findings.map(key).sort()).toEqual(['deadlock@deadlock.test.mjs:5', 'leaked-listener@deadlock.test.mjs:5', 'leaked-listener@leaks.test.mjs:40', 'leaked-timer@leaks.test.mjs:31', 'leaked-timer@poller.mjs:8']);
    // Not vacuous: a finding without its id is rejected.
    delete written.findings[0].id;
    expect(validate(written)).toBe(false);
  });

  it('warn mode: every test passes, findings are summarised, annotated and written', async () => {
    const r = await runVitest(options, ['--reporter=github-actions'], { ASYNCSAN_MODE: 'warn' });
    expect(r.code).toBe(0);
    expect(Object.values(r.verdicts).every((v) => v === 'pass')).toBe(true);
    expect(Object.keys(r.verdicts)).toHaveLength(9);
    expect(r.stdout).toContain(` asyncsan  4 async hazards at 4 sites in 3 tests (mode: warn, no verdict changed; full report: ${r.findingsFile})`);
    // Short: one line per site, no full report (that is the outputFile's) and no problem count.
    expect(r.stdout).not.toContain('✖');
    const diff = diffFindings(readExpectations(listSourceFiles(options)), r.findings, { ids: tracerIds, cwd: options });
    expect(formatDiff(diff)).toBe('');
    // The bleed is on the test that left the timer armed, never on the test it fired in.
    const bleed = r.findings.filter((f) => f.id === 'cross-test-bleed');
    expect(bleed.map((f) => f.test?.fullName)).toEqual(['A leaves a timeout that fires later']);
    expect(bleed[0]?.message).toContain('fired while test "B is running when it fires" was running');
    // Each own finding (not the bleed, reported after its test ended) is a Vitest annotation.
    const annotations = r.stdout.split('\n').filter((l) => l.startsWith('::warning ') && l.includes('asyncsan '));
    expect(annotations.map((l) => l.replace(/^::warning file=.*\/(\S+?),line=(\d+),.*::asyncsan (\S+):.*$/, '$3@$1:$2')).sort()).toEqual([
      'leaked-timer@bleed.test.mjs:4',
      'leaked-timer@fake-timers.test.mjs:20',
      'leaked-timer@opt-out.test.mjs:11',
    ]);
  });

  it('--shard with blob reports, then --merge-reports: the merged run reports the findings of both shards', async () => {
    const blobs = path.join(repoRoot, 'test/.output', `vitest-blobs-${process.pid}`);
    rmSync(blobs, { recursive: true, force: true });
    mkdirSync(blobs, { recursive: true });
    const shards = [];
    for (const n of [1, 2]) {
      const r = await runVitest(basic, [`--shard=${n}/2`, '--reporter=blob', `--outputFile.blob=${path.join(blobs, `blob-${n}.json`)}`]);
      expect(r.code).toBe(1);
      shards.push(r.findings.map(key).sort());
    }
    // Each shard ran one file and saw only its findings.
    expect(shards.flat().sort()).toEqual(['deadlock@deadlock.test.mjs:5', 'leaked-listener@deadlock.test.mjs:5', 'leaked-listener@leaks.test.mjs:40', 'leaked-timer@leaks.test.mjs:31', 'leaked-timer@poller.mjs:8']);
    expect(shards.every((s) => s.length > 0)).toBe(true);
    const merged = await runVitest(basic, [`--merge-reports=${blobs}`]);
    expect(merged.findings.map(key).sort()).toEqual(shards.flat().sort());
    expect(merged.findings.find((f) => f.id === 'deadlock')?.test?.fullName).toBe('waits for an event nobody sends');
    expect(merged.stdout).toContain(' asyncsan  5 async hazards in 4 tests');
    expect(merged.stdout).toContain('     leaked-timer  poller.mjs:8:18');
  });
});
