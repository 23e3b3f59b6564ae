/**
 * Every whole-program fixture (fixtures/runtime/<id>/*.mjs, *.cjs) through the real bin, as a user runs it:
 * `asyncsan run --format json --output <file> -- node <fixture>`. The report must match the fixture's
 * `// expect:` markers exactly, and the exit code say whether it found anything (1) or not (0); programs
 * that never exit are interrupted as a person or a supervisor would, and exit as the program would have.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { constants } from 'node:os';
import pLimit from 'p-limit';
import { describe, expect, it } from 'vitest';
import { catalog, type Finding } from '@asyncsan/core';
import { cliBin } from '@asyncsan/test-harness/cli';
import { diffFindings, formatDiff, readExpectations, repoRoot, toRepoPath } from '@asyncsan/test-harness/expectations';
import { INTERRUPTED, nodeTestFixtures, OWN_EXIT_CODES, programFixtures, TRACER_IDS } from '@asyncsan/test-harness/programs';

interface BinRun {
  code: number | null;
  findings: Finding[];
  stderr: string;
  stdout: string;
}

/**
 * One bin run. SIGINT goes to the whole process group (Ctrl-C at a terminal reaches the bin and the
 * program); SIGTERM to the bin alone (a container runtime or `kill`), which forwards it to the program.
 */
function runThroughBin(file: string, interrupt: NodeJS.Signals | undefined, command: string[] = [process.execPath, toRepoPath(file)]): Promise<BinRun> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-bin-'));
  const output = path.join(dir, 'findings.json');
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, GITHUB_ACTIONS: undefined, CI: undefined, NODE_OPTIONS: undefined };
  for (const k of Object.keys(env)) if (env[k] === undefined) delete env[k];
  return new Promise<BinRun>((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, 'run', '--format', 'json', '--output', output, '--', ...command], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: interrupt !== undefined,
    });
    let stdout = '';
    let stderr = '';
    let interrupted = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (!interrupt || interrupted || !stdout.includes('ready')) return;
      interrupted = true;
      if (interrupt === 'SIGINT') process.kill(-child.pid!, 'SIGINT');
      else child.kill(interrupt);
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let findings: Finding[] = [];
      try {
        findings = (JSON.parse(readFileSync(output, 'utf8')) as { findings: Finding[] }).findings;
      } catch {
        // no report: the diff below shows every expected finding as missing, with stderr beside it
      }
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, findings, stderr, stdout });
    });
  });
}

const programs = programFixtures();
// Two at a time: each run is two Node processes (bin and program) on a 2-core machine.
const limit = pLimit(2);

describe('asyncsan run -- node <fixture>, every whole-program fixture', () => {
  it('has programs, ESM and CommonJS', () => {
    expect(programs.length).toBeGreaterThanOrEqual(20);
    expect(programs.some((f) => f.endsWith('.cjs'))).toBe(true);
  });

  for (const file of programs) {
    const rel = toRepoPath(file);
    it.concurrent(rel, async () => {
      const signal = INTERRUPTED.get(rel);
      const run = await limit(() => runThroughBin(file, signal));
      const expected = readExpectations([file]).filter((e) => TRACER_IDS.includes(e.id) && (!e.engines || e.engines.includes('tracer')));
      expect(formatDiff(diffFindings(expected, run.findings, { ids: TRACER_IDS, cwd: repoRoot, engine: 'tracer' })), run.stderr).toBe('');
      const n = run.findings.length;
      expect(run.stderr).toContain(`asyncsan: ${n} finding${n === 1 ? '' : 's'} written to`);
      if (rel.includes('/good-graceful-shutdown')) {
        // The program's own handler ran and exited cleanly: nothing to report, exit 0.
        expect(run.code).toBe(0);
      } else if (signal) {
        // The program died of the signal, and the bin exits as it did (128 + n).
        expect(run.code).toBe(128 + constants.signals[signal]);
      } else if (OWN_EXIT_CODES.has(rel)) {
        // The program's own failure wins over ours.
        expect(run.code).toBe(OWN_EXIT_CODES.get(rel));
      } else {
        // Findings at error severity fail the run; a warning (abandoned-iterator) is reported and exits 0.
        const failing = expected.some((e) => catalog.get(e.id)?.defaultSeverity === 'error');
        expect(run.code, run.stderr).toBe(failing ? 1 : 0);
      }
    });
  }
});

const registerTest = path.join(repoRoot, 'packages/cli/dist/register-test.js');
const nodeTests = nodeTestFixtures();

describe('asyncsan run -- node --import asyncsan/register-test --test <fixture>, the per-test detectors', () => {
  it('has a bad and a good node:test fixture for each per-test detector', () => {
    const ids = (prefix: string) => [...new Set(nodeTests.filter((f) => path.basename(f).startsWith(prefix)).map((f) => path.basename(path.dirname(f))))].sort();
    expect(ids('bad-')).toEqual(['abandoned-iterator', 'cross-test-bleed', 'leaked-listener']);
    expect(ids('good-')).toEqual(['abandoned-iterator', 'cross-test-bleed', 'leaked-listener']);
  });

  for (const file of nodeTests) {
    const rel = toRepoPath(file);
    it.concurrent(rel, async () => {
      const command = [process.execPath, '--import', registerTest, '--test', '--test-force-exit', '--test-reporter=tap', rel];
      const run = await limit(() => runThroughBin(file, undefined, command));
      const expected = readExpectations([file]).filter((e) => TRACER_IDS.includes(e.id));
      expect(formatDiff(diffFindings(expected, run.findings, { ids: TRACER_IDS, cwd: repoRoot, engine: 'tracer' })), run.stderr).toBe('');
      // A bad fixture fails its test (node --test exits 1, and so does the bin); a good one passes.
      expect(run.code, run.stdout).toBe(expected.length > 0 ? 1 : 0);
      // Every finding names the test it belongs to.
      for (const f of run.findings) expect(f.test?.file).toBe(rel);
      if (rel.includes('/cross-test-bleed/bad-')) {
        // The test that left the timer armed fails; the one it fired in does not.
        const verdicts = [...run.stdout.matchAll(/^(ok|not ok) \d+ - (.+)$/gm)].map((m) => `${m[1]}: ${m[2]}`);
        expect(verdicts).toEqual(['not ok: saves a draft', 'ok: waits for something else']);
        expect(run.findings.map((f) => `${f.id}: ${f.test?.fullName}`)).toEqual(['cross-test-bleed: saves a draft', 'leaked-timer: saves a draft']);
      }
    });
  }
});
