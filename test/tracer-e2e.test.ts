/**
 * The whole-program front end, end to end: real `node --import <register>`
 * processes on the .mjs and .cjs programs under fixtures/runtime/, their JSON reports
 * compared with the `// expect:` markers; a program that never exits is
 * interrupted with SIGINT and must report what kept it alive.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { registerUrl, runTraced } from '@asyncsan/tracer';
import { diffFindings, fixturesRoot, formatDiff, readExpectations, repoRoot, toRepoPath } from '@asyncsan/test-harness/expectations';
import { INTERRUPTED, OWN_EXIT_CODES, programFixtures, TRACER_IDS } from '@asyncsan/test-harness/programs';

interface Run {
  findings: Finding[];
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
  /** The report files the process wrote. */
  files: string[];
}

function runProgram(file: string, interrupt: NodeJS.Signals | undefined, flags: string[] = []): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-e2e-'));
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '--import', registerUrl, file], {
      cwd: repoRoot,
      env: { ...process.env, ASYNCSAN_OUTPUT_DIR: dir, NODE_OPTIONS: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (interrupt && stdout.includes('ready')) child.kill(interrupt);
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const findings = readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .flatMap((n) => (JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { version: number; findings: Finding[] }).findings);
      const files = readdirSync(dir).filter((n) => n.endsWith('.json'));
      rmSync(dir, { recursive: true, force: true });
      resolve({ findings, code, signal, stderr, files });
    });
  });
}

/** Programs whose child processes must be traced too: run through runTraced below, which sets NODE_OPTIONS. */
const MULTI_PROCESS = 'fixtures/runtime/unsettled-task/bad-parent-and-child.mjs';
// ESM and CommonJS programs alike: --import loads the register module before either.
const programs = programFixtures().filter((f) => toRepoPath(f) !== MULTI_PROCESS);

describe('node --import @asyncsan/tracer/register', () => {
  it('has programs', () => {
    expect(programs.length).toBeGreaterThanOrEqual(4);
  });

  for (const file of programs) {
    const rel = toRepoPath(file);
    it(rel, async () => {
      const signal = INTERRUPTED.get(rel);
      const run = await runProgram(file, signal);
      const diff = diffFindings(readExpectations([file]), run.findings, { ids: TRACER_IDS, cwd: repoRoot });
      expect(formatDiff(diff)).toBe('');
      if (rel.includes('/good-graceful-shutdown')) {
        // The program's own handler ran and exited cleanly.
        expect(run.code).toBe(0);
      } else if (signal) {
        // It dies of the signal, as it would have without the tracer.
        expect(run.signal).toBe(signal);
        expect(run.findings.length).toBeGreaterThan(0);
        expect(run.findings.every((f) => f.message.includes(`when ${signal} arrived`))).toBe(true);
        const holders = run.findings.filter((f) => f.id === 'leaked-timer' || f.id === 'leaked-handle');
        expect(holders.length).toBeGreaterThan(0);
        expect(holders.every((f) => f.message.includes(`when ${signal} arrived, keeping the process alive`))).toBe(true);
      } else if (OWN_EXIT_CODES.has(rel)) {
        expect(run.code).toBe(OWN_EXIT_CODES.get(rel));
      } else if (rel.includes('/unhandled-rejection/bad-')) {
        expect(run.code).toBe(1);
        expect(run.stderr).toMatch(/Error: (config file missing|flush failed)/);
      } else {
        expect(run.code).toBe(0);
      }
    });
  }

  it('with a GC exposed, proves which stuck task can never resume', async () => {
    const file = path.join(fixturesRoot, 'runtime/unsettled-task/bad-pending-or-lost.mjs');
    const run = await runProgram(file, undefined, ['--expose-gc']);
    expect(formatDiff(diffFindings(readExpectations([file]), run.findings, { ids: TRACER_IDS, cwd: repoRoot }))).toBe('');
    // Proven garbage: said so, at the lowest severity; the one still resumable stays an error.
    const proven = run.findings.filter((f) => f.message.includes('Proven by a garbage collection: nothing can ever settle that promise'));
    expect(proven.map((f) => [f.location?.line, f.severity])).toEqual([[10, 'info']]);
    expect(proven[0]?.message).toContain('it is garbage (collected with everything it holds), not a leak');
    expect(run.findings.filter((f) => f !== proven[0]).map((f) => [f.location?.line, f.severity])).toEqual([[6, 'error']]);
  });

  it('writes a readable report to stderr when no output directory is set', async () => {
    const file = path.join(fixturesRoot, 'runtime/unsettled-task/bad-exits-while-waiting.mjs');
    const stderr = await new Promise<string>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
      delete env.ASYNCSAN_OUTPUT_DIR;
      const child = spawn(process.execPath, ['--import', registerUrl, file], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('exit', () => resolve(text));
    });
    expect(stderr).toContain('1 finding');
    expect(stderr).toContain('fixtures/runtime/unsettled-task/bad-exits-while-waiting.mjs:9:19  unsettled-task');
  });
});

describe('worker threads', () => {
  it("each worker traces itself and its findings reach the main thread's one report", async () => {
    const file = path.join(fixturesRoot, 'runtime/unsettled-task/bad-main-and-worker.mjs');
    const run = await runProgram(file, undefined);
    // One report for the process, not one per thread.
    expect(run.files).toHaveLength(1);
    expect(run.files[0]).toMatch(/^\d+\.json$/);
    expect(run.findings.map((f) => [f.location?.line, f.message.includes('in this worker thread 1 ') ? 'worker' : 'main'])).toEqual([
      [5, 'main'],
      [9, 'worker'],
    ]);
  });

  it('a worker that calls process.exit() still reports its open timer', async () => {
    const run = await runProgram(path.join(fixturesRoot, 'runtime/leaked-timer/bad-worker-exits.mjs'), undefined);
    expect(run.files).toHaveLength(1);
    expect(run.findings.map((f) => `${f.id}:${f.location?.line}`)).toEqual(['leaked-timer:7']);
    expect(run.findings[0]!.message).toContain('when the worker exits, keeping the worker alive');
  });

  it('prints one stderr report for the main thread and its workers', async () => {
    const file = path.join(fixturesRoot, 'runtime/unsettled-task/bad-main-and-worker.mjs');
    const stderr = await new Promise<string>((resolve) => {
      const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: '' };
      delete env.ASYNCSAN_OUTPUT_DIR;
      const child = spawn(process.execPath, ['--import', registerUrl, file], { cwd: repoRoot, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let text = '';
      child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
      child.on('exit', () => resolve(text));
    });
    expect(stderr.match(/^asyncsan \(process \d+\): 2 findings$/gm)).toHaveLength(1);
    expect(stderr).not.toContain('worker 1)');
  });
});

describe('runTraced', () => {
  it('traces every Node process of the command and merges their findings', async () => {
    const file = path.join(repoRoot, MULTI_PROCESS);
    const result = await runTraced([process.execPath, file], { cwd: repoRoot, env: { ...process.env, NODE_OPTIONS: '' } });
    expect(result.exitCode).toBe(0);
    const diff = diffFindings(readExpectations([file]), result.findings, { ids: TRACER_IDS, cwd: repoRoot });
    expect(formatDiff(diff)).toBe('');
  });

  it('forwards SIGINT to the command and reports what kept it alive', async () => {
    // A parent process runs runTraced (as `asyncsan run` does) and is itself interrupted.
    const file = path.join(fixturesRoot, 'runtime/leaked-handle/bad-never-exits.mjs');
    const script = [
      `import { runTraced } from ${JSON.stringify(new URL('../packages/tracer/dist/index.js', import.meta.url).href)};`,
      `const result = await runTraced([process.execPath, ${JSON.stringify(file)}], { cwd: ${JSON.stringify(repoRoot)} });`,
      `process.stderr.write('RESULT ' + JSON.stringify(result) + '\\n');`,
    ].join('\n');
    const result = await new Promise<{ findings: Finding[]; exitCode: number }>((resolve, reject) => {
      const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      parent.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        if (stdout.includes('ready')) parent.kill('SIGINT');
      });
      parent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      parent.on('error', reject);
      parent.on('exit', () => {
        const line = stderr.split('\n').find((l) => l.startsWith('RESULT '));
        if (line) resolve(JSON.parse(line.slice('RESULT '.length)) as { findings: Finding[]; exitCode: number });
        else reject(new Error(`no result; stderr: ${stderr}`));
      });
    });
    expect(result.exitCode).toBe(130);
    expect(formatDiff(diffFindings(readExpectations([file]), result.findings, { ids: TRACER_IDS, cwd: repoRoot }))).toBe('');
  });

  it('returns the exit code of the command', async () => {
    const result = await runTraced([process.execPath, '-e', 'process.exitCode = 3'], { cwd: repoRoot });
    expect(result).toEqual({ findings: [], exitCode: 3 });
  });
});
