import { rmSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations } from '@asyncsan/test-harness/expectations';
import { expectedVerdicts, tracerIds } from '@asyncsan/test-harness/projects';
import { copyForVitest5, ensureVitest5, runVitest, vitest5 } from '@asyncsan/test-harness/vitest';

const basic = path.join(fixturesRoot, 'projects/vitest-basic');

describe('@asyncsan/vitest on a real Vitest project', () => {
  for (const pool of ['threads', 'forks']) {
    it(`fails exactly the hazardous tests, with the right ids and lines (pool: ${pool})`, async () => {
      const r = await runVitest(basic, [`--pool=${pool}`]);
      expect(r.code).toBe(1);
      expect(r.verdicts).toEqual(expectedVerdicts['vitest-basic']);
      const diff = diffFindings(readExpectations(listSourceFiles(basic)), r.findings, { ids: tracerIds, cwd: basic });
      expect(formatDiff(diff)).toBe('');
      // Attribution: each finding names the test that caused it.
      const byTest = Object.fromEntries(r.findings.map((f) => [`${f.id}@${f.location?.line}`, f.test?.fullName]));
      expect(byTest['leaked-timer@8']).toBe('poller > leaks its interval');
      expect(byTest['leaked-timer@31']).toBe('concurrent > A leaks a timeout');
      expect(byTest['deadlock@5']).toBe('waits for an event nobody sends');
      const output = r.stdout + r.stderr;
      expect(output).toContain('AsyncsanError: asyncsan: 1 async hazard in this test');
      expect(output).toContain('Error: boom');
      // The deadlocked test ends when the loop goes idle, not at its 30 s timeout.
      expect(r.elapsedMs).toBeLessThan(25_000);
      expect(output).not.toContain('Test timed out');
    });
  }

  // Vitest 4.1's RPC can leave Node's process.nextTick undefined after a test swapped globalThis.process
  // (an endless error loop in the worker; supabase realtime-js hung so in fail mode): the plugin keeps it callable.
  const swap = path.join(fixturesRoot, 'projects/vitest-process-swap');
  for (const mode of ['warn', 'fail']) {
    it(`a test that replaces globalThis.process runs to its end (${mode} mode, pool: forks)`, async () => {
      const r = await runVitest(swap, ['--pool=forks'], { ASYNCSAN_MODE: mode }, undefined, { timeoutMs: 60_000 });
      const output = r.stdout + r.stderr;
      expect(output).not.toContain('nextTick is not a function');
      expect({ killed: r.killed ?? false, code: r.code, verdicts: r.verdicts }).toEqual({
        killed: false,
        code: 0,
        verdicts: { 'runtime detection reads the Node.js version from process.versions': 'pass', 'runtime detection runs on after the stand-in is gone': 'pass' },
      });
      expect(r.findings).toEqual([]);
    }, 90_000);
  }

  // A memory-leak test counts what a FinalizationRegistry saw freed after gc() (hono's node-server counts its
  // AbortControllers): the tracer must keep nothing alive that the test expects freed, in any mode.
  const gc = path.join(fixturesRoot, 'projects/vitest-gc');
  it('tests that check what gc() frees pass in plain, warn and fail mode alike (pool: forks)', async () => {
    const expected = {
      'frees an async function stuck on a promise nobody can settle': 'pass',
      "frees a fired timer's callback": 'pass',
      'frees a settled promise chain': 'pass',
      'frees an aborted AbortController and its listener': 'pass',
      'keeps a promise of its own after it ends, and fires a timer whose callback holds an object': 'pass',
      'frees that object once the test is over': 'pass',
      'frees what a handler held once its aborted request is closed': 'pass',
    };
    for (const mode of ['plain', 'warn', 'fail']) {
      const r = await runVitest(gc, ['--pool=forks'], { ASYNCSAN_MODE: mode }, undefined, { timeoutMs: 60_000 });
      expect({ mode, code: r.code, verdicts: r.verdicts }).toEqual({ mode, code: 0, verdicts: expected });
    }
  }, 200_000);

  // Warn mode judges beside the next test: a keep-alive socket the first test left in http.globalAgent's pool may be
  // in use again by then, for the next test's request (hono's node-server): it went to the pool, not astray.
  const pooled = path.join(fixturesRoot, 'projects/vitest-pooled-socket');
  for (const mode of ['warn', 'fail']) {
    it(`a socket left in the global agent's pool is not a leak, even taken by the next test (${mode} mode)`, async () => {
      const r = await runVitest(pooled, [], { ASYNCSAN_MODE: mode }, undefined, { timeoutMs: 60_000 });
      expect({ code: r.code, verdicts: r.verdicts }).toEqual({
        code: 0,
        verdicts: { 'first request: its socket goes back to the agent pool': 'pass', 'second request: reuses the pooled socket for 200 ms': 'pass' },
      });
      expect(r.findings.map((f) => `${f.id}@${f.location?.line}`)).toEqual([]);
    }, 90_000);
  }

  // A fake clock each test installs in beforeEach is its own: what it leaves queued there never runs (TanStack
  // pacer's suites failed 84 tests in fail mode on it, and warn mode reported only the last test's).
  const ownClock = path.join(fixturesRoot, 'projects/vitest-fake-clock-per-test');
  for (const mode of ['warn', 'fail']) {
    it(`timers left on a fake clock the test installed itself are not leaks (${mode} mode)`, async () => {
      const r = await runVitest(ownClock, [], { ASYNCSAN_MODE: mode }, undefined, { timeoutMs: 60_000 });
      expect({ code: r.code, verdicts: r.verdicts }).toEqual({ code: 0, verdicts: { 'calls once after the wait': 'pass', 'does not call before the wait': 'pass' } });
      expect(r.findings.map((f) => `${f.id}@${f.location?.line}`)).toEqual([]);
    }, 90_000);
  }

  // test.projects whose projects extend the root config (and so its plugins), as hono's has them.
  const projects = path.join(fixturesRoot, 'projects/vitest-projects');
  for (const install of [undefined, 'vitest5'] as const) {
    it(`a test.projects config: the plugin starts, judges every project, prints one summary (${install ?? 'Vitest 4.1'})`, async () => {
      let root = projects;
      if (install) {
        ensureVitest5();
        root = copyForVitest5('vitest-projects');
      }
      try {
        const r = await runVitest(root, [], {}, install ? vitest5 : undefined);
        expect(r.stdout + r.stderr).not.toContain('Startup Error');
        expect({ code: r.code, verdicts: r.verdicts }).toEqual({ code: 1, verdicts: { 'leaks an interval': 'fail', 'derives a key on the thread pool': 'pass' } });
        const diff = diffFindings(readExpectations(listSourceFiles(projects)), r.findings, { ids: tracerIds, cwd: projects });
        expect(formatDiff(diff)).toBe('');
        expect(r.stdout.match(/ asyncsan {2}\d+ async hazards? in/g)).toEqual([' asyncsan  1 async hazard in']);
      } finally {
        if (install) rmSync(root, { recursive: true, force: true });
      }
    }, 300_000);
  }
});
