/**
 * Warn mode is a promise: fixtures/projects/vitest-verdicts (a deadlock, an unhandled rejection,
 * thread-pool work, a test that times out, a failing assertion, work left running into the next
 * test) is run without the plugin and with it in warn mode, and the two runs are compared test by
 * test: each test's outcome, Vitest's exit code and the number of errors Vitest reports. The plain
 * run is also checked against the table in harness/projects.ts, so the comparison cannot pass by
 * both runs going wrong together. Fail mode runs beside them: it changes exactly the verdicts it
 * is meant to. On Vitest 4.1 (Node 20) and Vitest 5 (Node 24), in every pool.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations } from '@asyncsan/test-harness/expectations';
import { expectedVerdicts, tracerIds } from '@asyncsan/test-harness/projects';
import { copyForVitest5, ensureVitest5, runVitest, vitest5, type VitestInstall, type VitestRun } from '@asyncsan/test-harness/vitest';

const original = path.join(fixturesRoot, 'projects/vitest-verdicts');
const plainVerdicts: Record<string, string> = expectedVerdicts['vitest-verdicts'];

/** Fail mode fails the test that left work running (and the next one passes: the work ended in the settle) and the one whose rejection went unhandled. */
const failVerdicts: Record<string, string> = {
  ...plainVerdicts,
  'notifies every user': 'fail',
  'sends nothing when there are no users': 'pass',
  'leaves a rejection unhandled': 'fail',
};

/** The "Errors  N error(s)" line of Vitest's summary: unhandled errors it reported (0 when there is none). */
function vitestErrors(run: VitestRun): number {
  const m = /^\s*Errors\s+(\d+) errors?/m.exec(run.stdout);
  return m ? Number(m[1]) : 0;
}

const summary = (run: VitestRun) => ({ code: run.code, errors: vitestErrors(run), verdicts: run.verdicts });

function checkFindings(run: VitestRun, mode: string): void {
  const diff = diffFindings(readExpectations(listSourceFiles(original)), run.findings, { ids: tracerIds, cwd: original });
  expect(formatDiff(diff), mode).toBe('');
}

const byId = (findings: Finding[], id: string) => findings.filter((f) => f.id === id);

async function compare(project: string, pool: string, install?: VitestInstall): Promise<void> {
  const run = (mode: string) => runVitest(project, [`--pool=${pool}`], { ASYNCSAN_MODE: mode }, install);
  const plain = await run('plain');
  const warn = await run('warn');
  const fail = await run('fail');

  // The baseline is what it should be: both timeouts, the assertion, the leftover's victim fail; one unhandled error.
  expect(summary(plain)).toEqual({ code: 1, errors: 1, verdicts: plainVerdicts });
  expect(plain.stdout + plain.stderr).toContain('Test timed out in 1000ms');
  // The core of it: warn mode is the plain run, test by test, plus reports.
  expect(summary(warn)).toEqual(summary(plain));
  expect(warn.stdout + warn.stderr).toContain('Test timed out in 1000ms');
  checkFindings(warn, 'warn');
  // Its leftover landed where it lands without the plugin, and the report says so.
  expect(byId(warn.findings, 'floating-promise').map((f) => f.message)).toEqual([
    expect.stringMatching(/^async sendEmail started in this test was still running when the test ended and finished \d+ ms later, while test "sends nothing when there are no users" was running: nothing awaited it$/),
  ]);

  // Fail mode changes verdicts on purpose: the deadlock ends at once, leftovers and rejections fail their test.
  expect(summary(fail)).toEqual({ code: 1, errors: 1, verdicts: failVerdicts });
  expect(fail.stdout + fail.stderr).not.toContain('Test timed out in 1000ms');
  checkFindings(fail, 'fail');
  expect(byId(fail.findings, 'floating-promise').map((f) => f.message)).toEqual([
    expect.stringMatching(/^async sendEmail started in this test was still running when the test ended and finished \d+ ms later: nothing awaited it$/),
  ]);
}

describe('warn mode changes no verdict (Vitest 4.1, Node 20)', () => {
  for (const pool of ['threads', 'forks', 'vmThreads']) {
    it(`plain and warn runs match test by test; fail mode changes what it should (pool: ${pool})`, { timeout: 300_000 }, async () => {
      await compare(original, pool);
    });
  }
});

describe('warn mode changes no verdict (Vitest 5, Node 24)', () => {
  let project = '';
  beforeAll(() => {
    ensureVitest5();
    project = copyForVitest5('vitest-verdicts');
  }, 300_000);
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  for (const pool of ['threads', 'forks', 'vmThreads']) {
    it(`plain and warn runs match test by test; fail mode changes what it should (pool: ${pool})`, { timeout: 300_000 }, async () => {
      await compare(project, pool, vitest5);
    });
  }
});
