/**
 * The plugin on Vitest 5 under Node 24, installed outside the repo (the npm
 * package `node@24` ships the binary): fixture projects are copied next to that
 * install so that their `vitest` imports resolve to it, and import the plugin
 * from this repo's packages/vitest/dist.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { registerUrl } from '@asyncsan/tracer';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { expectedVerdicts, tracerIds } from '@asyncsan/test-harness/projects';
import { copyForVitest5, ensureVitest5, runVitest, vitest5, vitest5Root, type VitestInstall } from '@asyncsan/test-harness/vitest';

const cache = vitest5Root;
const install: VitestInstall = vitest5;
const ensureInstall = ensureVitest5;
const copyProject = copyForVitest5;

describe('@asyncsan/vitest on Vitest 5 under Node 24', () => {
  beforeAll(() => {
    ensureInstall();
    expect(execFileSync(install.node, ['--version'], { encoding: 'utf8' })).toMatch(/^v24\./);
    expect(JSON.parse(readFileSync(path.join(cache, 'node_modules/vitest/package.json'), 'utf8')).version).toMatch(/^5\./);
  }, 300_000);

  afterAll(() => {
    for (const name of ['vitest-basic', 'vitest-options', 'vitest-shared-worker']) rmSync(path.join(cache, 'projects', `${name}-${process.pid}`), { recursive: true, force: true });
  });

  for (const pool of ['threads', 'forks', 'vmThreads']) {
    it(`vitest-basic: same verdicts, ids and lines as on 4.1 (pool: ${pool})`, async () => {
      const project = copyProject('vitest-basic');
      const r = await runVitest(project, [`--pool=${pool}`], {}, install);
      expect(r.code).toBe(1);
      expect(r.verdicts).toEqual(expectedVerdicts['vitest-basic']);
      const original = path.join(fixturesRoot, 'projects/vitest-basic');
      const diff = diffFindings(readExpectations(listSourceFiles(original)), r.findings, { ids: tracerIds, cwd: original });
      expect(formatDiff(diff)).toBe('');
      expect(r.findings.filter((f) => f.id === 'deadlock').map((f) => `${f.location?.file} ${f.test?.fullName}`)).toEqual(['deadlock.test.mjs waits for an event nobody sends']);
      expect(r.stdout + r.stderr).not.toContain('Test timed out');
    });
  }

  it('vitest-options: fake timers, opt-outs, ignores and bleed', async () => {
    const project = copyProject('vitest-options');
    const r = await runVitest(project, [], {}, install);
    expect(r.code).toBe(1);
    expect(r.verdicts).toEqual(expectedVerdicts['vitest-options']);
    const original = path.join(fixturesRoot, 'projects/vitest-options');
    const diff = diffFindings(readExpectations(listSourceFiles(original)), r.findings, { ids: tracerIds, cwd: original });
    expect(formatDiff(diff)).toBe('');
  });

  it('vitest-shared-worker: bleed across files of one non-isolated worker', async () => {
    const project = copyProject('vitest-shared-worker');
    const r = await runVitest(project, [], {}, install);
    expect(r.code).toBe(1);
    expect(r.verdicts).toEqual(expectedVerdicts['vitest-shared-worker']);
    expect(r.findings.map((f) => `${f.id}@${f.location?.file}:${f.location?.line}: ${f.test?.fullName}`)).toEqual([
      'cross-test-bleed@1-leaves.test.mjs:4: leaves a timeout behind',
      'leaked-timer@1-leaves.test.mjs:4: leaves a timeout behind',
    ]);
  });
});

// Node 23+ checks an unsettled top-level await in C++ and tells only by exit code 13:
// the whole-program tracer must reach the same verdicts there as under Node 20.
describe('node --import …/register under Node 24', () => {
  beforeAll(() => {
    ensureInstall();
  }, 300_000);

  const run = (rel: string) => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-node24-'));
    try {
      const r = spawnSync(install.node, ['--import', registerUrl, rel], { cwd: repoRoot, env: { ...process.env, ASYNCSAN_OUTPUT_DIR: dir, NODE_OPTIONS: '' }, encoding: 'utf8' });
      const findings = readdirSync(dir).flatMap((n) => (JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { findings: Finding[] }).findings);
      return { code: r.status, findings };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('a pending top-level await is a deadlock, a floating top-level arrow an unsettled task, the worker reports reach the main thread', () => {
    const cases: Array<[string, number, string[]]> = [
      ['fixtures/runtime/deadlock/bad-program-top-level-await.mjs', 13, ['deadlock:9']],
      ['fixtures/runtime/deadlock/good-program-top-level-await.mjs', 0, []],
      ['fixtures/runtime/unsettled-task/bad-floating-top-level-arrow.mjs', 0, ['unsettled-task:8']],
      ['fixtures/runtime/unsettled-task/bad-main-and-worker.mjs', 0, ['unsettled-task:5', 'unsettled-task:9']],
    ];
    for (const [rel, code, expected] of cases) {
      const r = run(rel);
      expect({ rel, code: r.code, found: r.findings.map((f) => `${f.id}:${f.location?.line}`) }).toEqual({ rel, code, found: expected });
    }
  });
});
