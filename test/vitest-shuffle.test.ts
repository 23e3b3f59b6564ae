/**
 * The Vitest plugin's `shuffle` option (asyncsan({ race: true, shuffle: SEED })):
 * an order-dependent test passes in the default order, fails under a seed that
 * resumes a later task first, the output names that seed, and the same seed
 * gives the same failure again. fixtures/projects/vitest-shuffle reads the seed
 * from SHUFFLE.
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations } from '@asyncsan/test-harness/expectations';
import { tracerIds } from '@asyncsan/test-harness/projects';
import { runVitest, type VitestRun } from '@asyncsan/test-harness/vitest';

const project = path.join(fixturesRoot, 'projects/vitest-shuffle');
const TEST = 'three steps finish in the order they started';
const START_ORDER = 'a1,b1,c1,a2,b2,c2';

const run = (seed: string) => runVitest(project, [], { SHUFFLE: seed });
/** The order the test saw, from Vitest's assertion diff ("Received"). */
const received = (r: VitestRun) => /^Received: "(.*)"$/m.exec(r.stdout + r.stderr)?.[1];

describe('@asyncsan/vitest shuffle: asyncsan({ race: true, shuffle: SEED })', () => {
  it('the order-dependent test passes without shuffle, and nothing mentions a seed', async () => {
    const r = await run('');
    expect(r.verdicts).toEqual({ [TEST]: 'pass' });
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).not.toContain('seed');
  });

  it('seed 1 makes it fail, the output names the seed, and seed 1 again fails the same way', async () => {
    const first = await run('1');
    expect(first.verdicts).toEqual({ [TEST]: 'fail' });
    expect(first.code).toBe(1);
    expect(first.stdout).toContain('asyncsan  --shuffle seed 1 (asyncsan({ shuffle: 1 }) reproduces this order)');
    expect(first.stdout).toContain('asyncsan  1 test failed under --shuffle seed 1; rerun with asyncsan({ shuffle: 1 }) to reproduce');
    // It failed on the order, not on a race finding.
    expect(first.findings).toEqual([]);
    const order = received(first);
    expect(order).toMatch(/^(?:[abc][12],){5}[abc][12]$/);
    expect(order).not.toBe(START_ORDER);
    for (let i = 0; i < 2; i++) {
      const again = await run('1');
      expect(again.verdicts).toEqual({ [TEST]: 'fail' });
      expect(received(again)).toBe(order);
    }
  });

  it('seed 8 keeps the start order: the test passes, reproducibly, and no failure is blamed on the seed', async () => {
    for (let i = 0; i < 2; i++) {
      const r = await run('8');
      expect(r.verdicts).toEqual({ [TEST]: 'pass' });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('asyncsan  --shuffle seed 8');
      expect(r.stdout).not.toContain('failed under --shuffle');
    }
  });

  it('two seeds that expose it give two different orders: the order comes from the seed', async () => {
    const [one, two] = await Promise.all([run('1'), run('2')]);
    expect(received(one)).toBeDefined();
    expect(received(two)).toBeDefined();
    expect(received(one)).not.toBe(received(two));
  });

  it('a deadlock under shuffle is one finding at the innermost await, with the caller in its chain, for any seed', async () => {
    const dir = path.join(project, 'deadlock');
    for (const seed of ['', '1', '7']) {
      const r = await runVitest(project, [], { SHUFFLE: seed, INCLUDE: 'deadlock/*.test.ts' });
      expect(r.verdicts, `seed ${seed}`).toEqual({ 'waits for a job nobody sends': 'fail' });
      const diff = diffFindings(readExpectations(listSourceFiles(dir)), r.findings, { ids: tracerIds, cwd: project });
      expect(formatDiff(diff), `seed ${seed}`).toBe('');
      const deadlock = r.findings.find((f) => f.id === 'deadlock')!;
      const chain = deadlock.stacks![0]!.frames.filter((f) => !f.external).map((f) => `${f.function ?? ''}@${f.file}:${f.line}`);
      expect(chain, `seed ${seed}`).toEqual(['async waitForJob@deadlock/wait.ts:6', '@deadlock/deadlock.test.ts:7']);
    }
  });
});
