import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { misusedAsyncCallback } from '@asyncsan/checks';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { analyze } from '../src/index.js';

const dir = path.join(fixturesRoot, 'misused-async-callback');

describe('misused-async-callback in the analyser', () => {
  it('reports exactly the markers meant for it, reading bodies across files', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [dir], checks: [misusedAsyncCallback], programChecks: [] });
    const diff = diffFindings(readExpectations(listSourceFiles(dir)), res.findings, { ids: ['misused-async-callback'], engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
    // The listener in shutdown.ts that cannot reject is not reported in register.ts; the one that can is.
    const register = res.findings.filter((f) => f.location!.file.endsWith('register.ts')).map((f) => f.location!.line);
    expect(register).toEqual([9]);
  });

  it('gives each finding the fix that fits its API', async () => {
    const res = await analyze({ cwd: repoRoot, paths: [path.join(dir, 'bad-listeners.ts'), path.join(dir, 'bad-callbacks.ts')], checks: [misusedAsyncCallback], programChecks: [] });
    const hints = res.findings.map((f) => `${path.basename(f.location!.file)}:${f.location!.line} ${f.hint}`);
    expect(hints).toContain(`bad-callbacks.ts:18 Use a for…of loop with await (or await Promise.all over map), or catch inside the callback.`);
    expect(hints).toContain(`bad-listeners.ts:24 Wrap the listener's body in try/catch and report the error there (emit 'error', log it): the emitter never sees the promise.`);
    expect(hints).toContain(`bad-listeners.ts:35 Wrap the callback's body in try/catch and report the error there: the caller never sees the promise.`);
    const loops = res.findings.filter((f) => f.hint?.includes('for…of')).map((f) => `${path.basename(f.location!.file)}:${f.location!.line}`);
    expect(loops).toEqual(['bad-callbacks.ts:18']);
  });
});
