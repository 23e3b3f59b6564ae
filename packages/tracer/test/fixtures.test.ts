/**
 * Every API fixture under fixtures/runtime/<id>/ (the .ts ones export main()
 * and, when they leak on purpose, cleanup()) runs in its own scope; findings
 * must match the `// expect:` markers exactly.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createTracer } from '@asyncsan/tracer';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot, toRepoPath } from '@asyncsan/test-harness/expectations';
import { TRACER_IDS } from '@asyncsan/test-harness/ids';


interface FixtureModule {
  main(): unknown;
  /** A second scope run right after the first (the next test), for hazards that cross scopes. */
  next?(): unknown;
  cleanup?(): unknown;
}

// Only the detectors of this engine: other runtime fixtures (instrumented hazards) have their own tests.
const files = TRACER_IDS.flatMap((id) => {
  const dir = path.join(fixturesRoot, 'runtime', id);
  return existsSync(dir) ? listSourceFiles(dir, ['.ts']) : [];
});
// Vitest fails the run on any unhandled rejection, and the unhandled-rejection fixtures make one on purpose:
// while one runs, the runner's listeners (those present before the tracer's) step aside for one that only
// swallows, as a program with its own handler would; the tracer still attributes the rejection.
const runnerListeners = process.listeners('unhandledRejection');
async function withRejectionsHandled<T>(fn: () => Promise<T>): Promise<T> {
  const swallow = () => {};
  for (const l of runnerListeners) process.off('unhandledRejection', l);
  process.on('unhandledRejection', swallow);
  try {
    return await fn();
  } finally {
    process.off('unhandledRejection', swallow);
    for (const l of [...runnerListeners].reverse()) process.prependListener('unhandledRejection', l);
  }
}
// proveWithGc: the unreachable-emitter fixtures need a forced GC to prove what nothing references.
const tracer = createTracer({ cwd: repoRoot, proveWithGc: true });
afterAll(() => tracer.stop());

describe('runtime fixtures through the API', () => {
  it('has fixtures', () => {
    expect(files.length).toBeGreaterThan(10);
  });

  for (const file of files) {
    it(toRepoPath(file), async () => {
      const mod = (await import(file)) as FixtureModule;
      const run = async () => {
        const result = await tracer.trace(toRepoPath(file), () => mod.main());
        const next = mod.next ? await tracer.trace(`${toRepoPath(file)} (next)`, () => mod.next!()) : undefined;
        await mod.cleanup?.();
        return { result, next };
      };
      const { result, next } = toRepoPath(file).includes('/unhandled-rejection/') ? await withRejectionsHandled(run) : await run();
      expect(result.error).toBeUndefined();
      expect(next?.error).toBeUndefined();
      const findings = [...result.findings, ...(next?.findings ?? [])];
      const diff = diffFindings(readExpectations([file]), findings, { ids: TRACER_IDS, cwd: repoRoot });
      expect(formatDiff(diff)).toBe('');
      expect(result.deadlocked).toBe(result.findings.some((f) => f.id === 'deadlock'));
    });
  }
});
