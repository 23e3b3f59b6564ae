import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './harness/cli.js';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from './harness/expectations.js';

const demo = path.join(fixturesRoot, 'demo');

describe('npm run demo: asyncsan check on fixtures/demo', () => {
  it('reports exactly the marked hazards, exit 1', async () => {
    const r = await runCli(['check', 'fixtures/demo', '--format', 'json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const { findings } = JSON.parse(r.stdout);
    const expected = readExpectations(listSourceFiles(demo)).filter((e) => e.file.includes('/src/'));
    expect(expected.length).toBeGreaterThanOrEqual(8);
    const diff = diffFindings(expected, findings, { cwd: repoRoot, engine: 'analyzer' });
    expect(formatDiff(diff)).toBe('');
  });
});
