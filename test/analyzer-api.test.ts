/**
 * The analyser as the CLI calls it, on the whole fixtures project: every
 * per-file check and every whole-program check it runs must report exactly the
 * `// expect:` markers of the ids it claims, and nothing else.
 */
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyze, claimedIds } from '@asyncsan/analyzer';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';

describe('analyze() on fixtures/', () => {
  it('reports exactly the expected findings for every id it claims', async () => {
    // Runtime fixtures carry the tracer's markers; the static engines are compared on the rest.
    const dirs = readdirSync(fixturesRoot, { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== 'runtime' && d.name !== 'node_modules')
      .map((d) => path.join(fixturesRoot, d.name));
    const res = await analyze({ cwd: repoRoot, paths: dirs });
    // TypeScript sources: the fixtures tsconfig does not enable allowJs, so .mjs projects are the tracer's.
    const files = dirs.flatMap((d) => listSourceFiles(d, ['.ts', '.mts', '.cts']));
    const diff = diffFindings(readExpectations(files), res.findings, { ids: claimedIds(), engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
    expect(res.diagnostics).toEqual([]);
    expect(res.filesAnalyzed).toBeGreaterThan(0);
    for (const f of res.findings) {
      expect(f.engine).toBe('analyzer');
      expect(f.location?.file.startsWith('fixtures/')).toBe(true);
    }
  });

  it('claims the whole-program ids on top of the per-file checks', () => {
    expect(claimedIds()).toContain('lock-order-inversion');
    expect(claimedIds({ checks: [], programChecks: [] })).toEqual([]);
  });
});
