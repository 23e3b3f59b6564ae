import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { floatingPromise } from '@asyncsan/checks';
import { analyze } from '../src/index.js';
import { floatingPromiseThroughCalls } from '../src/program-checks/floating-promise.js';
import type { ProgramCheck } from '../src/program-checks/program-check.js';

const programChecks = [floatingPromiseThroughCalls as ProgramCheck];
const dir = path.join(fixturesRoot, 'floating-promise', 'whole-program');

describe('floating-promise through calls, on its fixtures', () => {
  it('reports exactly the marked lines: the per-file check reading bodies across files, and the program check', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [dir], checks: [floatingPromise], programChecks });
    const diff = diffFindings(readExpectations(listSourceFiles(dir)), res.findings, { ids: ['floating-promise'], engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
    // bad-drops.ts: 4 hidden promises; bad-cross-file.ts: 2 that can reject. good-cross-file.ts: none.
    expect(res.findings.map((f) => `${path.basename(f.location!.file)}:${f.location!.line}`)).toEqual([
      'bad-cross-file.ts:5',
      'bad-cross-file.ts:6',
      'bad-drops.ts:4',
      'bad-drops.ts:5',
      'bad-drops.ts:6',
      'bad-drops.ts:7',
    ]);
  });

  it('clears calls whose bodies in another file cannot lose a rejection, when only the calling file is named', async () => {
    // The ESLint rule reads the same bodies (test/eslint-e2e.test.ts lints this file with no marker in it).
    const good = path.join(dir, 'good-cross-file.ts');
    const whole = await analyze({ cwd: repoRoot, paths: [good], checks: [floatingPromise], programChecks: [] });
    expect(whole.findings).toEqual([]);
    expect(readExpectations([good])).toEqual([]);
  });

  it('says which type hides the promise and where the promise comes from', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'bad-drops.ts')], checks: [], programChecks });
    const summary = res.findings.map((f) => [f.message, f.related?.map((r) => `${r.label} @ ${path.basename(r.location.file)}:${r.location.line}`)]);
    expect(summary).toEqual([
      [
        'onSave returns a promise that its type (void) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
        ['the unawaited promise is returned here @ handlers.ts:11'],
      ],
      [
        'onArchive returns a promise that its type (void) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
        ['an async function: it returns a promise @ handlers.ts:14'],
      ],
      [
        'loadLoosely returns a promise that its type (any) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
        ['the unawaited promise is returned here @ handlers.ts:20'],
      ],
      [
        'relay returns a promise that its type (void) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
        ['the unawaited promise is returned here @ handlers.ts:24'],
      ],
    ]);
  });

  it('counts thenables only with checkThenables, given through ruleOptions', async () => {
    const file = path.join(fixturesRoot, 'floating-promise', 'good-thenables.ts');
    const plain = await analyze({ cwd: repoRoot, paths: [file], checks: [floatingPromise], programChecks: [] });
    expect(plain.findings).toEqual([]);
    const thenables = await analyze({ cwd: repoRoot, paths: [file], checks: [floatingPromise], programChecks: [], ruleOptions: { 'floating-promise': { checkThenables: true } } });
    expect(thenables.findings.map((f) => `${f.id} ${path.basename(f.location!.file)}:${f.location!.line}`)).toEqual(['floating-promise good-thenables.ts:19']);
  });

  it('checks test bodies only with checkTestBodies, given through ruleOptions', async () => {
    const file = path.join(fixturesRoot, 'floating-promise', 'good-dropped-in-test-body.test.ts');
    const plain = await analyze({ cwd: repoRoot, paths: [file], checks: [floatingPromise], programChecks: [] });
    expect(plain.findings).toEqual([]);
    const bodies = await analyze({ cwd: repoRoot, paths: [file], checks: [floatingPromise], programChecks: [], ruleOptions: { 'floating-promise': { checkTestBodies: true } } });
    expect(bodies.findings.map((f) => f.location!.line)).toEqual([25, 30, 35, 43]);
  });
});
