import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '../../../test/harness/expectations.js';
import { analyze } from '../src/index.js';
import { floatingPromiseThroughCalls } from '../src/program-checks/floating-promise.js';
import type { ProgramCheck } from '../src/program-checks/program-check.js';

const programChecks = [floatingPromiseThroughCalls as ProgramCheck];
const dir = path.join(fixturesRoot, 'floating-promise', 'whole-program');

describe('floating-promise through calls, on its fixtures', () => {
  it('reports exactly the marked lines', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [dir], checks: [], programChecks });
    const diff = diffFindings(readExpectations(listSourceFiles(dir)), res.findings, { ids: ['floating-promise'], engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
    expect(res.findings).toHaveLength(4);
  });

  it('says which type hides the promise and where the promise comes from', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'bad-drops.ts')], checks: [], programChecks });
    const summary = res.findings.map((f) => [f.message, f.related?.map((r) => `${r.label} @ ${path.basename(r.location.file)}:${r.location.line}`)]);
    expect(summary).toEqual([
      [
        'onSave returns a promise that its type (void) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
        ['the unawaited promise is returned here @ handlers.ts:10'],
      ],
      [
        'onArchive returns a promise that its type (void) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
        ['an async function: it returns a promise @ handlers.ts:13'],
      ],
      [
        'loadLoosely returns a promise that its type (any) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
        ['the unawaited promise is returned here @ handlers.ts:19'],
      ],
      [
        'relay returns a promise that its type (void) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
        ['the unawaited promise is returned here @ handlers.ts:23'],
      ],
    ]);
  });
});
