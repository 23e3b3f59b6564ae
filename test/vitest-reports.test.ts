/**
 * Issue 16's reports on a real Vitest project (fixtures/projects/vitest-reports): what is worth
 * acting on is reported with its id, line, severity and count, what is not stays silent, info
 * findings never fail a test, and warn mode prints one short line per site. On Vitest 4.1 (Node 20)
 * in every pool, and on Vitest 5 (Node 24), where fake timers, fetch and generators may differ.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { runCli } from '@asyncsan/test-harness/cli';
import { tracerIds } from '@asyncsan/test-harness/projects';
import { ensureVitest5, runVitest, vitest5, vitest5Root, type VitestRun } from '@asyncsan/test-harness/vitest';

const project = path.join(fixturesRoot, 'projects/vitest-reports');

const verdicts = {
  'abandons a generator of the project at a yield': 'fail',
  'a for-await waiting on a step stuck inside the generator is a stuck task, not an abandoned iterator': 'fail',
  'reads the first chunk of a download and leaves the rest': 'fail',
  'reads the first chunk and cancels the rest': 'pass',
  'starts one poller per tenant and stops none': 'fail',
  'waits for drain on a pipe nobody reads': 'fail',
  'on a fake clock a retry left sleeping between attempts': 'pass',
  'on a fake clock a query whose queryFn is a sleep, left in flight': 'pass',
  'on a fake clock a streamed query whose generator sleeps on the fake clock': 'pass',
  'on a fake clock a real timer armed after the clock was restored is reported': 'fail',
  // info findings (garbage, an idle guard) never fail a test
  'a mock response body that never ends and ignores the abort': 'pass',
  'a deliberate wait forever, left floating': 'pass',
  'a guard timeout left armed after the work won': 'pass',
  'a short guard left armed after the work won, firing in the next test': 'pass',
  'runs while the guard fires': 'pass',
  // failed by Vitest on its own timeout; what it left running is info
  'runs past its timeout': 'fail',
  'runs past its timeout and wakes up in the next test': 'fail',
  'runs while the timed-out test wakes up': 'pass',
  'leaves a task asleep that wakes up in the next test': 'fail',
  'runs while the task left asleep wakes up': 'pass',
  'creates rate limiters': 'pass',
  'leaves a short unref interval that fires during the next tests': 'pass',
  'runs while it fires': 'pass',
  'runs while it fires again': 'pass',
};

/** Each finding: id, place, severity, count and the test it belongs to. */
const findings = [
  'abandoned-iterator@channels.test.mjs:14 warning: abandons a generator of the project at a yield',
  'cross-test-bleed@unref.test.mjs:17 error: leaves a short unref interval that fires during the next tests',
  'deadlock@deadlock.test.mjs:10 error: waits for drain on a pipe nobody reads',
  'leaked-timer@channels.test.mjs:60 error ×3: starts one poller per tenant and stops none',
  'cross-test-bleed@garbage.test.mjs:31 info: a short guard left armed after the work won, firing in the next test',
  'leaked-timer@garbage.test.mjs:23 info: a guard timeout left armed after the work won',
  'leaked-timer@garbage.test.mjs:31 info: a short guard left armed after the work won, firing in the next test',
  'leaked-timer@query.mjs:32 error: on a fake clock > a real timer armed after the clock was restored is reported',
  'stuck-stream@channels.test.mjs:48 error: reads the first chunk of a download and leaves the rest',
  'unsettled-task@channels.test.mjs:21 error: a for-await waiting on a step stuck inside the generator is a stuck task, not an abandoned iterator',
  'unsettled-task@garbage.test.mjs:17 info: a deliberate wait forever, left floating',
  'unsettled-task@garbage.test.mjs:9 info: a mock response body that never ends and ignores the abort',
  'unsettled-task@timeout.test.mjs:5 info: runs past its timeout',
  // its task resumes in the next test: a bleed, but of a test Vitest already failed (runtime-patterns R11)
  'cross-test-bleed@timeout.test.mjs:10 info: runs past its timeout and wakes up in the next test',
  'unsettled-task@timeout.test.mjs:10 info: runs past its timeout and wakes up in the next test',
  // the twin that did not time out: error
  'cross-test-bleed@timeout.test.mjs:20 error: leaves a task asleep that wakes up in the next test',
  'unsettled-task@timeout.test.mjs:20 error: leaves a task asleep that wakes up in the next test',
];

/** warn mode's line per site, in the summary's order: id, place and the first test. */
const warnSites = [
  'abandoned-iterator channels.test.mjs:14:12 [channels.test.mjs > abandons a generator of the project at a yield]',
  'unsettled-task channels.test.mjs:21:20 [channels.test.mjs > a for-await waiting on a step stuck inside the generator is a stuck task, not an abandoned iterator]',
  'stuck-stream channels.test.mjs:48:16 [channels.test.mjs > reads the first chunk of a download and leaves the rest]',
  'leaked-timer channels.test.mjs:60:41 [channels.test.mjs > starts one poller per tenant and stops none]',
  'deadlock deadlock.test.mjs:10:54 [deadlock.test.mjs > waits for drain on a pipe nobody reads]',
  'unsettled-task garbage.test.mjs:9:5 [garbage.test.mjs > a mock response body that never ends and ignores the abort]',
  'unsettled-task garbage.test.mjs:17:5 [garbage.test.mjs > a deliberate wait forever, left floating]',
  'leaked-timer garbage.test.mjs:23:5 [garbage.test.mjs > a guard timeout left armed after the work won]',
  'cross-test-bleed garbage.test.mjs:31:5 [garbage.test.mjs > a short guard left armed after the work won, firing in the next test]',
  'leaked-timer garbage.test.mjs:31:5 [garbage.test.mjs > a short guard left armed after the work won, firing in the next test]',
  'leaked-timer query.mjs:32:37 [fake-timers.test.mjs > on a fake clock > a real timer armed after the clock was restored is reported]',
  'unsettled-task timeout.test.mjs:5:3 [timeout.test.mjs > runs past its timeout]',
  'cross-test-bleed timeout.test.mjs:10:3 [timeout.test.mjs > runs past its timeout and wakes up in the next test]',
  'unsettled-task timeout.test.mjs:10:3 [timeout.test.mjs > runs past its timeout and wakes up in the next test]',
  'cross-test-bleed timeout.test.mjs:20:5 [timeout.test.mjs > leaves a task asleep that wakes up in the next test]',
  'unsettled-task timeout.test.mjs:20:5 [timeout.test.mjs > leaves a task asleep that wakes up in the next test]',
  'cross-test-bleed unref.test.mjs:17:3 [unref.test.mjs > leaves a short unref interval that fires during the next tests]',
];
/** The sites whose findings are all info: notes, listed only with verbose. */
const infoSites = warnSites.filter((l) => /^(?:\S+ garbage\.test\.mjs|\S+ timeout\.test\.mjs:(?:5|10):)/.test(l));
const siteLine = (l: string) => l.replace(/^ {3}(\S+) {2}(\S+) {2}.*\[(.*)\]$/, '$1 $2 [$3]');

const brief = (f: Finding) => `${f.id}@${f.location?.file}:${f.location?.line} ${f.severity}${f.count ? ` ×${f.count}` : ''}: ${f.test?.fullName}`;

function expectReports(r: VitestRun): void {
  expect(r.verdicts).toEqual(verdicts);
  expect(r.code).toBe(1);
  const diff = diffFindings(readExpectations(listSourceFiles(project)), r.findings, { ids: tracerIds, cwd: project });
  expect(formatDiff(diff)).toBe('');
  expect(r.findings.map(brief).sort()).toEqual([...findings].sort());
  // The deadlock names its cause; the drained pipe is not a second finding.
  const deadlock = r.findings.find((f) => f.id === 'deadlock');
  expect(deadlock?.message).toContain("its cause: write() to this PassThrough returned false");
  expect(deadlock?.related?.map((x) => `${x.label}@${x.location.line}`)).toEqual(['blocked write@10']);
  // The gc timer is reported where the query scheduled it, the timeout manager in its stack.
  const gc = r.findings.find((f) => f.location?.file === 'query.mjs');
  expect(gc?.stacks?.[0]?.frames.filter((f) => !f.external).map((f) => `${f.function}:${f.line}`).slice(0, 3)).toEqual(['Object.setTimeout:5', 'TimeoutManager.setTimeout:12', 'Query.scheduleGc:32']);
  // What the timed-out test left running is info and says why.
  expect(r.findings.find((f) => f.location?.file === 'timeout.test.mjs')?.message).toMatch(/\(Vitest failed this test on its timeout, which left it running\)$/);
  expect(r.findings.find((f) => f.id === 'cross-test-bleed' && f.location?.file === 'timeout.test.mjs')?.message).toMatch(
    /resumed while test "runs while the timed-out test wakes up" was running \(Vitest failed that test on its timeout, which left it running\)$/,
  );
  // The deadlocked test ends at once, not at its 3 s timeout (the 300 ms one times out on purpose).
  expect(r.stdout + r.stderr).not.toContain('Test timed out in 3000ms');
  // The summary lists the findings that can fail a test, under their tests; the info ones are one line.
  const summary = r.stdout.slice(r.stdout.indexOf(' asyncsan  ')).split('\n');
  expect(summary[0]).toBe(' asyncsan  9 async hazards in 8 tests');
  const end = summary.findIndex((l) => /^ {3}\d+ notes? \(info\)/.test(l));
  expect(summary[end]).toBe(`   8 notes (info) at 8 sites not listed: ${r.findingsFile} has them; verbose: true lists them`);
  const listed = summary.slice(1, end);
  expect(listed.filter((l) => !l.startsWith('     '))).toHaveLength(8);
  expect(listed.filter((l) => l.startsWith('     ')).map((l) => l.trim().split('  ').slice(0, 2).join(' ')).sort()).toEqual(
    warnSites.filter((l) => !infoSites.includes(l)).map((l) => l.split(' ').slice(0, 2).join(' ')).sort(),
  );
}

describe('issue 16 reports on Vitest 4.1 (Node 20)', () => {
  for (const pool of ['threads', 'forks', 'vmThreads']) {
    it(`ids, lines, severities, counts and verdicts (pool: ${pool})`, async () => {
      expectReports(await runVitest(project, [`--pool=${pool}`]));
    });
  }

  it('warn mode: the same findings, the summary and one line per site, no severity labels or problem count', async () => {
    const r = await runVitest(project, ['--pool=threads'], { ASYNCSAN_MODE: 'warn' });
    // Only the tests that fail without the plugin fail (on their own timeout, or the deadlock's error).
    expect(Object.entries(r.verdicts).filter(([, v]) => v === 'fail').map(([name]) => name)).toEqual(['waits for drain on a pipe nobody reads', 'runs past its timeout', 'runs past its timeout and wakes up in the next test']);
    expect(r.findings.map(brief).sort()).toEqual([...findings].sort());
    const summary = r.stdout.slice(r.stdout.indexOf(' asyncsan  '));
    // The block ends where the next reporter's output (the JSON reporter's note) begins. Sites whose findings
    // are all info (garbage, idle guards, a timed-out test's leftovers) are notes: one line counts them.
    const lines = summary.split('\n').slice(0, 12);
    expect(lines[0]).toBe(` asyncsan  9 async hazards at 9 sites in 8 tests (mode: warn, no verdict changed; full report: ${r.findingsFile})`);
    expect(lines.slice(1, 10).map(siteLine)).toEqual(warnSites.filter((l) => !infoSites.includes(l)));
    expect(lines[10]).toBe(`   8 notes (info) at 8 sites not listed: ${r.findingsFile} has them; verbose: true lists them`);
    expect(lines[11]).not.toMatch(/^ {3}\S/);
    // verbose: every site, and no notes line.
    const verbose = await runVitest(project, ['--pool=threads'], { ASYNCSAN_MODE: 'warn', ASYNCSAN_VERBOSE: '1' });
    expect(verbose.findings.map(brief).sort()).toEqual([...findings].sort());
    const all = verbose.stdout.slice(verbose.stdout.indexOf(' asyncsan  ')).split('\n').slice(0, 19);
    expect(all[0]).toBe(` asyncsan  17 async hazards at 17 sites in 14 tests (mode: warn, no verdict changed; full report: ${verbose.findingsFile})`);
    expect(all.slice(1, 18).map(siteLine)).toEqual(warnSites);
    expect(all[18]).not.toMatch(/^ {3}\S/);
    expect(lines.find((l) => l.includes('channels.test.mjs:60:41'))).toContain('is still armed when it ends (×3)');
    expect(summary).not.toMatch(/✖|problems? \(|\berror\b {2}|\bwarning\b {2}/);
    // The count travels through `asyncsan report` into every format.
    const report = async (format: string) => {
      const out = await runCli(['report', r.findingsFile, '--format', format], { cwd: project });
      expect(out.stderr).toBe('');
      return out.stdout;
    };
    const sarif = JSON.parse(await report('sarif')) as { runs: Array<{ results: Array<{ ruleId: string; occurrenceCount?: number; properties: { count?: number } }> }> };
    expect(sarif.runs[0]!.results.filter((x) => x.occurrenceCount !== undefined).map((x) => [x.ruleId, x.occurrenceCount, x.properties.count])).toEqual([['leaked-timer', 3, 3]]);
    expect(await report('text')).toContain('is still armed when it ends (×3)  leaked-timer');
    for (const format of ['markdown', 'github', 'junit']) expect(await report(format)).toContain('is still armed when it ends (×3)');
    expect(await report('html')).toContain('title="happened 3 times at this site">(×3)</span>');
  });
});

describe('a config with test.projects that extend the root config', () => {
  it('starts (the root project is asked about before Vitest set it up) and reports once', async () => {
    const basic = path.join(fixturesRoot, 'projects/vitest-basic');
    const copy = path.join(repoRoot, 'test/.output', `vitest-projects-${process.pid}`);
    rmSync(copy, { recursive: true, force: true });
    cpSync(basic, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}.asyncsan`) });
    writeFileSync(
      path.join(copy, 'vitest.config.mjs'),
      `import { defineConfig } from 'vitest/config';
import asyncsan from ${JSON.stringify(path.join(repoRoot, 'packages/vitest/dist/index.js'))};
export default defineConfig({
  plugins: [asyncsan({ mode: 'warn', outputFile: process.env.ASYNCSAN_FINDINGS })],
  test: { projects: [{ extends: true, test: { name: 'unit', include: ['*.test.mjs'] } }] },
});
`,
    );
    try {
      const r = await runVitest(copy, ['--pool=threads']);
      expect(r.stdout + r.stderr).not.toContain('Startup Error');
      expect(r.findings.map((f) => `${f.id}@${f.location?.file}:${f.location?.line}`).sort()).toEqual([
        'deadlock@deadlock.test.mjs:5',
        'leaked-listener@deadlock.test.mjs:5',
        'leaked-listener@leaks.test.mjs:40',
        'leaked-timer@leaks.test.mjs:31',
        'leaked-timer@poller.mjs:8',
      ]);
      expect(r.stdout.split('\n').filter((l) => l.startsWith(' asyncsan  '))).toHaveLength(1);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });
});

describe('issue 16 reports on Vitest 5 (Node 24)', () => {
  const copy = path.join(vitest5Root, 'projects', `vitest-reports-${process.pid}`);
  beforeAll(() => {
    ensureVitest5();
    rmSync(copy, { recursive: true, force: true });
    cpSync(project, copy, { recursive: true, filter: (src) => !src.includes(`${path.sep}.asyncsan`) });
    const config = path.join(copy, 'vitest.config.mjs');
    writeFileSync(config, readFileSync(config, 'utf8').replace('../../../packages/vitest/dist/index.js', path.join(repoRoot, 'packages/vitest/dist/index.js')));
  }, 300_000);
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  for (const pool of ['threads', 'vmThreads']) {
    it(`the same ids, lines, severities, counts and verdicts (pool: ${pool})`, async () => {
      expectReports(await runVitest(copy, [`--pool=${pool}`], {}, vitest5));
    });
  }
});
