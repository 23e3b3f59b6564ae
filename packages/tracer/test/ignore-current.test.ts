/**
 * ignoreCurrent(): what the live scopes hold when it is called is never
 * reported; it is kept in `ignored` with the reason, for verbose output.
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { createTracer, formatIgnored } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

const self = readFileSync(fileURLToPath(import.meta.url), 'utf8').split('\n');
const lineOf = (name: string) => self.findIndex((l) => l.endsWith(`// line: ${name}`)) + 1;
const FILE = 'packages/tracer/test/ignore-current.test.ts';

const cleanups: Array<() => void> = [];
const tracer = createTracer({ cwd: repoRoot, ignore: [{ id: 'leaked-handle', reason: 'sockets are checked elsewhere' }] });
afterAll(() => {
  for (const c of cleanups) c();
  tracer.stop();
});

const bus = new EventEmitter();
let release: () => void = () => {};

async function background(): Promise<void> {
  await new Promise<void>((resolve) => (release = resolve)); // line: background await
}

describe('ignoreCurrent()', () => {
  it('drops timers, pending tasks and listeners alive at the call; what comes after is still reported', async () => {
    const scope = tracer.start('boot then work');
    const poll = setInterval(() => {}, 60_000); // line: poll
    void background();
    const onConfig = () => {};
    bus.on('config', onConfig); // line: listener
    cleanups.push(() => clearInterval(poll), () => bus.off('config', onConfig), () => release());

    const rule = tracer.ignoreCurrent({ reason: 'started at boot, lives for the process' });
    expect(tracer.options.ignore).toContain(rule);

    const late = setInterval(() => {}, 61_000); // line: late
    cleanups.push(() => clearInterval(late));
    const findings = await scope.end();

    expect(findings.map((f) => [f.id, f.location?.line])).toEqual([['leaked-timer', lineOf('late')]]);
    expect(scope.ignored.map((i) => [i.finding.id, i.finding.location?.line, i.by, i.reason])).toEqual([
      ['leaked-timer', lineOf('poll'), 'current', 'started at boot, lives for the process'],
      ['unsettled-task', lineOf('background await'), 'current', 'started at boot, lives for the process'],
      ['leaked-listener', lineOf('listener'), 'current', 'started at boot, lives for the process'],
    ]);
    const text = formatIgnored(scope.ignored);
    expect(text.split('\n')[0]).toBe('ignored: 3 findings');
    expect(text).toContain(`${FILE}:${lineOf('poll')}:`);
    expect(text).toContain('(ignored: alive at ignoreCurrent(): started at boot, lives for the process)');
  });

  it('inside trace(), and with no reason', async () => {
    const result = await tracer.trace('traced', () => {
      const kept = setTimeout(() => {}, 62_000); // line: kept
      cleanups.push(() => clearTimeout(kept));
      tracer.ignoreCurrent();
    });
    expect(result.findings).toEqual([]);
    expect(result.ignored.map((i) => [i.finding.id, i.finding.location?.line, i.reason])).toEqual([['leaked-timer', lineOf('kept'), undefined]]);
    expect(formatIgnored(result.ignored)).toContain('(ignored: alive at ignoreCurrent())');
  });

  it('snapshots only what is alive: something already cleared, or created in a later scope, is judged as usual', async () => {
    const first = await tracer.trace('first', () => {
      tracer.ignoreCurrent({ reason: 'nothing yet' });
    });
    expect(first.ignored).toEqual([]);
    const later = await tracer.trace('later', () => {
      const t = setInterval(() => {}, 63_000); // line: later scope
      cleanups.push(() => clearInterval(t));
    });
    expect(later.findings.map((f) => [f.id, f.location?.line])).toEqual([['leaked-timer', lineOf('later scope')]]);
  });

  it('shows the reasons of id/site/package/file rules beside it', async () => {
    const quiet = createTracer({ cwd: repoRoot, ignore: [{ id: 'leaked-timer', file: 'ignore-current.test.ts', reason: 'this file leaks on purpose' }], listeners: false, rejections: false });
    try {
      const result = await quiet.trace('ruled', () => {
        const t = setInterval(() => {}, 64_000); // line: ruled
        cleanups.push(() => clearInterval(t));
      });
      expect(result.findings).toEqual([]);
      expect(result.ignored.map((i) => [i.finding.id, i.finding.location?.line, i.by, i.reason])).toEqual([['leaked-timer', lineOf('ruled'), 'rule', 'this file leaks on purpose']]);
      expect(formatIgnored(result.ignored)).toContain('(ignored: this file leaks on purpose)');
    } finally {
      quiet.stop();
    }
  });
});
