import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations } from '@asyncsan/test-harness/expectations';
import { expectedVerdicts, tracerIds } from '@asyncsan/test-harness/projects';
import { runVitest } from '@asyncsan/test-harness/vitest';

const basic = path.join(fixturesRoot, 'projects/vitest-basic');
const options = path.join(fixturesRoot, 'projects/vitest-options');
const shared = path.join(fixturesRoot, 'projects/vitest-shared-worker');

describe('@asyncsan/vitest across pools and isolation', () => {
  // With isolate off, consecutive files share one worker and one tracer: their scopes must not mix.
  for (const args of [['--pool=vmThreads'], ['--pool=threads', '--no-isolate', '--maxWorkers=1'], ['--pool=forks', '--no-isolate', '--maxWorkers=1'], ['--pool=vmThreads', '--no-isolate', '--maxWorkers=1']]) {
    it(`same verdicts, ids and lines on vitest-basic (${args.join(' ')})`, async () => {
      const r = await runVitest(basic, args);
      expect(r.code).toBe(1);
      expect(r.verdicts).toEqual(expectedVerdicts['vitest-basic']);
      // Every line is checked on every pool, the deadlock's too (under vmThreads its await-chain
      // probe formats the stack with the main realm's source-mapping formatter: await-chain.ts).
      const diff = diffFindings(readExpectations(listSourceFiles(basic)), r.findings, { ids: tracerIds, cwd: basic });
      expect(formatDiff(diff)).toBe('');
      const byTest = Object.fromEntries(r.findings.map((f) => [`${f.id}@${f.location?.file}:${f.location?.line}`, f.test?.fullName]));
      expect(byTest).toEqual({
        'leaked-timer@poller.mjs:8': 'poller > leaks its interval',
        'leaked-timer@leaks.test.mjs:31': 'concurrent > A leaks a timeout',
        'leaked-listener@leaks.test.mjs:40': 'listeners > adds a listener to a long-lived emitter',
        'leaked-listener@deadlock.test.mjs:5': 'waits for an event nobody sends',
        'deadlock@deadlock.test.mjs:5': 'waits for an event nobody sends',
      });
      expect(r.stdout + r.stderr).not.toContain('Test timed out');
    });
  }

  for (const args of [['--pool=threads'], ['--pool=forks', '--no-isolate'], ['--pool=vmThreads']]) {
    it(`fake timers neither hang nor hide real leaks, opt-outs and bleed hold (${args.join(' ')})`, async () => {
      const r = await runVitest(options, args);
      expect(r.code).toBe(1);
      expect(r.verdicts).toEqual(expectedVerdicts['vitest-options']);
      const diff = diffFindings(readExpectations(listSourceFiles(options)), r.findings, { ids: tracerIds, cwd: options });
      expect(formatDiff(diff)).toBe('');
    });
  }

  it('verbose: the summary lists what the ignore rules dropped, with the reason; off by default', async () => {
    const quiet = await runVitest(options, ['--pool=threads', 'opt-out']);
    const verbose = await runVitest(options, ['--pool=threads', 'opt-out'], { ASYNCSAN_VERBOSE: '1' });
    expect(quiet.stdout).not.toContain('ignored');
    const lines = verbose.stdout.split('\n');
    const at = lines.findIndex((l) => l.includes('asyncsan  ignored'));
    expect(lines.slice(at, at + 3).map((l) => l.trim())).toEqual([
      'asyncsan  ignored 1 finding (verbose)',
      'opt-out.test.mjs > registers a listener the config ignores',
      'leaked-listener  registry.mjs:7:12  (the registry lives as long as the process)',
    ]);
    // Same verdicts either way: verbose only reports.
    expect(verbose.verdicts).toEqual(quiet.verdicts);
  });

  // isolate: false and one worker (vitest.config.mjs): a timer the first file left armed fires in the second file's test.
  for (const pool of ['threads', 'forks', 'vmThreads']) {
    it(`a leftover timer firing in the next file is bleed on the test that left it (pool: ${pool}, isolate off)`, async () => {
      const r = await runVitest(shared, [`--pool=${pool}`]);
      expect(r.code).toBe(1);
      expect(r.verdicts).toEqual(expectedVerdicts['vitest-shared-worker']);
      const diff = diffFindings(readExpectations(listSourceFiles(shared)), r.findings, { ids: tracerIds, cwd: shared });
      expect(formatDiff(diff)).toBe('');
      expect(r.findings.map((f) => `${f.id}: ${f.test?.file} > ${f.test?.fullName}`)).toEqual([
        'cross-test-bleed: 1-leaves.test.mjs > leaves a timeout behind',
        'leaked-timer: 1-leaves.test.mjs > leaves a timeout behind',
      ]);
      expect(r.findings[0]?.message).toBe('setTimeout(…, 300) created in test "leaves a timeout behind" fired while test "runs in the same worker when it fires" was running');
    });
  }
});
