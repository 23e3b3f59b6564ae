/**
 * Race mode end to end: real `node --import <race register>` processes on the
 * programs under fixtures/runtime/{lost-update,check-then-act}/, their JSON
 * reports compared with the `// expect:` markers exactly; the text report on
 * stderr; and `--shuffle` (ASYNCSAN_SHUFFLE=<seed>) making an order-dependent
 * program fail deterministically, the same seed reproducing the same order.
 * Servers get two concurrent uploads and are then stopped by a signal: the races
 * they saw are reported although they die of it.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { diffFindings, fixturesRoot, formatDiff, listSourceFiles, readExpectations, repoRoot, toRepoPath } from '@asyncsan/test-harness/expectations';
import { RACE_IDS } from '@asyncsan/test-harness/ids';
import { twoConcurrentUploads, waitForLine } from '@asyncsan/test-harness/servers';

const raceRegister = path.join(repoRoot, 'packages/tracer/dist/race/register.js');

interface Run {
  findings: Finding[] | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/** Servers never exit on their own: they get two concurrent uploads, then this signal. */
const SERVERS = new Map<string, NodeJS.Signals>([
  ['fixtures/runtime/lost-update/bad-server-concurrent-uploads.mjs', 'SIGINT'],
  ['fixtures/runtime/lost-update/good-server-reads-after-await.mjs', 'SIGTERM'],
]);

function runProgram(file: string, env: Record<string, string> = {}, json = true): Promise<Run> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-race-e2e-'));
  return new Promise<Run>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', raceRegister, file], {
      cwd: repoRoot,
      env: { ...process.env, NODE_OPTIONS: '', ASYNCSAN_SHUFFLE: '', ...(json ? { ASYNCSAN_OUTPUT_DIR: dir } : { ASYNCSAN_OUTPUT_DIR: '' }), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    const server = SERVERS.get(toRepoPath(file));
    if (server) {
      waitForLine(() => stdout, /^ready (\d+)$/m)
        .then((m) => twoConcurrentUploads(Number(m[1]), () => stdout))
        .then(
          () => child.kill(server),
          (error: unknown) => {
            child.kill('SIGKILL');
            reject(error as Error);
          },
        );
    }
    child.on('exit', (code, signal) => {
      const reports = readdirSync(dir).filter((n) => n.endsWith('-race.json'));
      const findings = json
        ? reports.flatMap((n) => (JSON.parse(readFileSync(path.join(dir, n), 'utf8')) as { version: number; findings: Finding[] }).findings)
        : undefined;
      rmSync(dir, { recursive: true, force: true });
      resolve({ findings, code, signal, stdout, stderr });
    });
  });
}

const programs = ['lost-update', 'check-then-act'].flatMap((id) => listSourceFiles(path.join(fixturesRoot, 'runtime', id), ['.mjs']));

describe('node --import @asyncsan/tracer/race/register', () => {
  it('has bad and good programs for both ids', () => {
    const names = programs.map((f) => toRepoPath(f));
    for (const id of RACE_IDS) {
      expect(names.some((n) => n.startsWith(`fixtures/runtime/${id}/bad-`))).toBe(true);
      expect(names.some((n) => n.startsWith(`fixtures/runtime/${id}/good-`))).toBe(true);
    }
    for (const server of SERVERS.keys()) expect(names).toContain(server);
  });

  for (const file of programs) {
    const rel = toRepoPath(file);
    it(rel, async () => {
      const run = await runProgram(file);
      const server = SERVERS.get(rel);
      // A server dies of the signal that stopped it, as it would have without asyncsan, and the races it saw are reported.
      if (server) expect(run.signal, run.stderr).toBe(server);
      else expect(run.code, run.stderr).toBe(0);
      expect(run.findings).toBeDefined();
      const diff = diffFindings(readExpectations([file]), run.findings!, { ids: RACE_IDS, cwd: repoRoot });
      expect(formatDiff(diff)).toBe('');
      for (const f of run.findings!) {
        expect(f.engine).toBe('tracer');
        expect(f.location?.file).toBe(rel);
        const labels = f.related?.map((r) => r.label) ?? [];
        expect(labels).toHaveLength(3);
        expect(labels[0]).toMatch(new RegExp(`^task #\\d+ \\(.+\\) ${f.id === 'check-then-act' ? 'checked' : 'read'} .+ here, before the await$`));
        expect(labels[1]).toMatch(/^overwritten by the other task \(task #\d+ \(.+\)\) here$/);
        expect(labels[2]).toMatch(/^task #\d+ \(.+\) suspended here$/);
        expect(f.stacks).toHaveLength(2);
      }
    });
  }

  it('prints WARNING: ASYNC RACE blocks on stderr without an output directory', async () => {
    const file = path.join(fixturesRoot, 'runtime/lost-update/bad-bank-account.mjs');
    const run = await runProgram(file, {}, false);
    expect(run.code).toBe(0);
    const blocks = run.stderr.split('==================\n').filter((b) => b.trim() !== '');
    expect(blocks).toHaveLength(1);
    const block = blocks[0]!;
    expect(block.startsWith('WARNING: ASYNC RACE (lost-update)\n')).toBe(true);
    expect(block).toMatch(/^Write at fixtures\/runtime\/lost-update\/bad-bank-account\.mjs:6:5 by task #\d+ \(async Account\.applyCredit\):$/m);
    expect(block).toMatch(/^Previous write at fixtures\/runtime\/lost-update\/bad-bank-account\.mjs:6:5 by task #\d+ \(async Account\.applyCredit\):$/m);
    expect(block).toMatch(/read the value at fixtures\/runtime\/lost-update\/bad-bank-account\.mjs:6:20, before the await$/m);
    expect(block).toMatch(/was suspended at fixtures\/runtime\/lost-update\/bad-bank-account\.mjs:6:36$/m);
    // Both tasks: where each was started (the Promise.all on line 16) and by whom.
    expect(block.match(/started at fixtures\/runtime\/lost-update\/bad-bank-account\.mjs:16:\d+ by task #1 \(main\)$/gm)).toHaveLength(2);
    // Source maps are on: the stacks point at the original line.
    expect(block).toMatch(/^ {6}Account\.applyCredit\(\)\n {10}fixtures\/runtime\/lost-update\/bad-bank-account\.mjs:6:\d+$/m);
  });
});

describe('--shuffle (ASYNCSAN_SHUFFLE=<seed>)', () => {
  const program = path.join(fixturesRoot, 'runtime/shuffle/order-dependent.mjs');
  const order = (run: Run) => /^order (.*)$/m.exec(run.stdout)?.[1];

  it('passes in the default order', async () => {
    const run = await runProgram(program);
    expect(run.code).toBe(0);
    expect(order(run)).toBe('a1,b1,c1,a2,b2,c2');
    expect(run.stderr).not.toContain('seed');
  });

  it('fails under seed 1, names the seed, and the same seed reproduces the same order', async () => {
    const first = await runProgram(program, { ASYNCSAN_SHUFFLE: '1' });
    expect(first.code).toBe(1);
    expect(first.stderr).toContain('asyncsan: --shuffle seed 1 (ASYNCSAN_SHUFFLE=1 reproduces this order)');
    expect(first.stderr).toContain('order-dependent failure');
    expect(first.stderr).toContain('asyncsan: the program failed (exit code 1) under --shuffle seed 1; rerun with ASYNCSAN_SHUFFLE=1 to reproduce');
    expect(order(first)).not.toBe('a1,b1,c1,a2,b2,c2');
    for (let i = 0; i < 3; i++) {
      const again = await runProgram(program, { ASYNCSAN_SHUFFLE: '1' });
      expect(again.code).toBe(1);
      expect(order(again)).toBe(order(first));
    }
  });

  it('a seed that keeps the start order passes, reproducibly', async () => {
    for (let i = 0; i < 2; i++) {
      const run = await runProgram(program, { ASYNCSAN_SHUFFLE: '8' });
      expect(run.code).toBe(0);
      expect(order(run)).toBe('a1,b1,c1,a2,b2,c2');
      expect(run.stderr).toContain('asyncsan: --shuffle seed 8');
      expect(run.stderr).not.toContain('the program failed');
    }
  });
});
