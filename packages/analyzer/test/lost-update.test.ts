import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { analyze } from '../src/index.js';
import { lostUpdateThroughAccessors } from '../src/program-checks/lost-update.js';
import type { ProgramCheck } from '../src/program-checks/program-check.js';

const programChecks = [lostUpdateThroughAccessors as ProgramCheck];
const dir = path.join(fixturesRoot, 'lost-update', 'whole-program');

describe('lost-update through accessor functions', () => {
  it('reports exactly the marked lines', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [dir], checks: [], programChecks });
    const diff = diffFindings(readExpectations(listSourceFiles(dir)), res.findings, { ids: ['lost-update'], engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
    expect(res.findings).toHaveLength(4);
  });

  it('names the accessor, the state, the read, the await and the assignment', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'bad-wallet.ts')], checks: [], programChecks });
    const first = res.findings[0]!;
    expect(first.message).toBe(
      'setBalance writes balance from a value read before the await on line 6: another task may change balance while this one waits, and that update is lost. Read it after the await, or hold a lock over the read, the await and the write.',
    );
    expect(first.related?.map((r) => `${r.label} @ ${path.basename(r.location.file)}:${r.location.line}`)).toEqual([
      'balance read here @ bad-wallet.ts:5',
      'the task waits here @ bad-wallet.ts:6',
      'setBalance assigns balance here @ store.ts:10',
    ]);
    expect(res.findings[2]!.message).toContain('storeVisits writes visits');
  });

  it('treats a yield* in a coroutine generator as the await', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'bad-fiber-wallet.ts'), path.join(dir, 'good-fiber-wallet.ts')], checks: [], programChecks });
    expect(res.findings.map((f) => `${path.basename(f.location?.file ?? '')}:${f.location?.line}`)).toEqual(['bad-fiber-wallet.ts:9']);
    expect(res.findings[0]!.message).toBe(
      'setBalance writes balance from a value read before the yield* on line 8: another task may change balance while this one waits, and that update is lost. Read it after the yield*, or hold a lock over the read, the yield* and the write.',
    );
    expect(res.findings[0]!.related?.map((r) => `${r.label} @ ${path.basename(r.location.file)}:${r.location.line}`)).toEqual([
      'balance read here @ bad-fiber-wallet.ts:7',
      'the task waits here @ bad-fiber-wallet.ts:8',
      'setBalance assigns balance here @ store.ts:10',
    ]);
  });

  it('finds nothing in the per-file lost-update fixtures, which hold no accessors', async () => {
    // The per-file fixtures only: whole-program/ beside them is where the accessors are.
    const perFile = readdirSync(path.join(fixturesRoot, 'lost-update'))
      .filter((f) => f.endsWith('.ts'))
      .map((f) => path.join(fixturesRoot, 'lost-update', f));
    const res = await analyze({ cwd: repoRoot, paths: perFile, checks: [], programChecks });
    expect(res.findings).toEqual([]);
  });
});
