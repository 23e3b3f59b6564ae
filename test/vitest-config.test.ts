/**
 * One configuration for every front end (issue 19): the Vitest plugin reads the
 * project's asyncsan.config.* (the file `asyncsan check` and `asyncsan run`
 * read) before any test runs, validates it, and applies its severity, ignores,
 * runtimeIgnores and failOn to each test's verdict; options passed in code
 * override it. fixtures/projects/vitest-config/asyncsan.config.json turns
 * leaked-timer off, makes leaked-listener a warning under failOn "error", and
 * ignores what openPool() opens.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { tracerIds } from '@asyncsan/test-harness/projects';
import { ensureVitest5, runVitest, vitest5, vitest5Root } from '@asyncsan/test-harness/vitest';

const project = path.join(fixturesRoot, 'projects/vitest-config');
const options = (o: Record<string, unknown>) => ({ ASYNCSAN_OPTIONS: JSON.stringify(o) });

const underConfig = {
  'leaks a timer the config turns off': 'pass',
  'leaves a listener the config makes a warning': 'pass',
  'opens the pool the config ignores by its creation site': 'pass',
  'opens a server the config keeps': 'fail',
};

describe('@asyncsan/vitest reads the project asyncsan config', () => {
  const copies: string[] = [];
  afterAll(() => {
    for (const c of copies) rmSync(c, { recursive: true, force: true });
  });

  it('applies severity, ignores, runtimeIgnores and failOn to the verdicts and the findings', async () => {
    const r = await runVitest(project);
    expect(r.code).toBe(1);
    expect(r.verdicts).toEqual(underConfig);
    const diff = diffFindings(readExpectations(listSourceFiles(project)), r.findings, { ids: tracerIds, cwd: project });
    expect(formatDiff(diff)).toBe('');
    expect(r.findings.map((f) => `${f.id}:${f.severity}`).sort()).toEqual(['leaked-handle:error', 'leaked-listener:warning']);
    // verbose: what the config dropped, with its reason.
    expect(r.stdout).toContain('leaked-timer  jobs.test.mjs:10:3  ("leaked-timer" is off in the config)');
    expect(r.stdout).toContain('leaked-handle  pool.mjs:11:10  (the pool lives as long as the process)');
  });

  it('options in code override it: failOn, and config: false', async () => {
    const strict = await runVitest(project, [], options({ failOn: 'warning' }));
    expect(strict.verdicts).toEqual({ ...underConfig, 'leaves a listener the config makes a warning': 'fail' });

    const none = await runVitest(project, [], options({ config: false }));
    expect(none.verdicts).toEqual({
      'leaks a timer the config turns off': 'fail',
      'leaves a listener the config makes a warning': 'fail',
      'opens the pool the config ignores by its creation site': 'fail',
      'opens a server the config keeps': 'fail',
    });
    expect(none.findings.map((f) => `${f.id}:${f.severity}@${f.location?.file}:${f.location?.line}`).sort()).toEqual([
      'leaked-handle:error@pool.mjs:11',
      'leaked-handle:error@pool.mjs:18',
      'leaked-listener:warning@jobs.test.mjs:14',
      'leaked-timer:error@jobs.test.mjs:10',
    ]);
  });

  it('a broken config stops Vitest before any test runs, with the file and the key', async () => {
    const copy = path.join(repoRoot, 'test/.output', `vitest-config-broken-${process.pid}`);
    copies.push(copy);
    rmSync(copy, { recursive: true, force: true });
    cpSync(project, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}.asyncsan`) });
    // test/.output/<copy>/ is as deep as fixtures/projects/<name>/: the plugin import still resolves.
    writeFileSync(path.join(copy, 'asyncsan.config.json'), JSON.stringify({ severity: { 'leaked-timr': 'off' } }));
    const r = await runVitest(copy);
    expect(r.code).toBe(1);
    expect(r.verdicts).toEqual({});
    expect(r.stdout + r.stderr).toContain('asyncsan.config.json: "severity.leaked-timr" is not a hazard id (did you mean "leaked-timer"?)');
    // One clear line, not a stack into the plugin.
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*options\.js/);
  });

  it('on Vitest 5 alike', { timeout: 300_000 }, async () => {
    ensureVitest5();
    const copy = path.join(vitest5Root, 'projects', `vitest-config-${process.pid}`);
    copies.push(copy);
    rmSync(copy, { recursive: true, force: true });
    cpSync(project, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}.asyncsan`) });
    const config = path.join(copy, 'vitest.config.mjs');
    writeFileSync(config, readFileSync(config, 'utf8').replace('../../../packages/vitest/dist/index.js', path.join(repoRoot, 'packages/vitest/dist/index.js')));
    const r = await runVitest(copy, [], {}, vitest5);
    expect(r.verdicts).toEqual(underConfig);
    expect(r.findings.map((f) => `${f.id}:${f.severity}`).sort()).toEqual(['leaked-handle:error', 'leaked-listener:warning']);
  });
});
