import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { cliBin, runCli } from '@asyncsan/test-harness/cli';
import { diffFindings, fixturesRoot, formatDiff, readExpectations, repoRoot } from '@asyncsan/test-harness/expectations';
import { RACE_IDS, TRACER_IDS, tracerIds } from '@asyncsan/test-harness/ids';
import { twoConcurrentUploads, waitForLine } from '@asyncsan/test-harness/servers';

const fixture = (rel: string) => path.join(fixturesRoot, 'runtime', rel);

/**
 * A server fixture through the bin: two concurrent uploads, then `signal`. SIGINT goes to the whole
 * process group, as Ctrl-C at a terminal does; SIGTERM to the bin alone (a supervisor's `kill`).
 */
function runServer(flags: string[], file: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string; replies: string[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBin, 'run', ...flags, '--', process.execPath, path.relative(repoRoot, file)], {
      cwd: repoRoot,
      env: { ...process.env, NO_COLOR: '1' },
      detached: true,
    });
    let stdout = '';
    let stderr = '';
    let replies: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    waitForLine(() => stdout, /^ready (\d+)$/m)
      .then((m) => twoConcurrentUploads(Number(m[1]), () => stdout))
      .then(
        (r) => {
          replies = r;
          if (signal === 'SIGINT') process.kill(-child.pid!, signal);
          else child.kill(signal);
        },
        (error: unknown) => {
          process.kill(-child.pid!, 'SIGKILL');
          reject(error as Error);
        },
      );
    child.on('close', (code) => resolve({ code, stderr, replies }));
  });
}

describe('asyncsan run -- <command>, the bin', () => {
  it('reports what a program left stuck, exit 1', async () => {
    const file = fixture('stuck-event-wait/bad-program-waits-for-closed-socket.mjs');
    const r = await runCli(['run', '--format', 'json', '--', process.execPath, path.relative(repoRoot, file)]);
    expect(r.code).toBe(1);
    // The program owns stdout; the report goes to stderr.
    const { findings } = JSON.parse(r.stderr);
    expect(formatDiff(diffFindings(readExpectations([file]), findings, { ids: TRACER_IDS, cwd: repoRoot }))).toBe('');
  });

  it('a clean program: nothing reported, exit 0', async () => {
    const r = await runCli(['run', '--', process.execPath, path.relative(repoRoot, fixture('leaked-timer/good-program.mjs'))]);
    expect(r.stderr).toBe('✔ No async hazards found\n');
    expect(r.stdout).toBe('42\n');
    expect(r.code).toBe(0);
  });

  it('--verbose lists what the config ignored, with its reason; without it, nothing', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-verbose-'));
    try {
      copyFileSync(fixture('unsettled-task/bad-main-and-worker.mjs'), path.join(dir, 'app.mjs'));
      writeFileSync(
        path.join(dir, 'asyncsan.config.json'),
        JSON.stringify({ runtimeIgnores: [{ site: 'waitForJob', reason: 'the supervisor drains the job queue' }] }),
      );
      const args = ['run', '--format', 'json', '--', process.execPath, 'app.mjs'];
      const quiet = await runCli(args, { cwd: dir });
      const verbose = await runCli(['run', '--verbose', ...args.slice(1)], { cwd: dir });
      for (const r of [quiet, verbose]) {
        expect(r.code).toBe(1);
        const { findings } = JSON.parse(r.stderr.slice(0, r.stderr.lastIndexOf('}') + 1));
        // The worker's task is ignored by its site; the main thread's is reported.
        expect(findings.map((f: { id: string; location: { line: number } }) => `${f.id}:${f.location.line}`)).toEqual(['unsettled-task:5']);
      }
      expect(quiet.stderr).not.toContain('ignored');
      expect(verbose.stderr.slice(verbose.stderr.lastIndexOf('}') + 1).trim()).toBe(
        'asyncsan: ignored 1 finding:\n  app.mjs:9:3  unsettled-task  (the supervisor drains the job queue)',
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the program's own failing exit code wins", async () => {
    const r = await runCli(['run', '--', process.execPath, '-e', 'process.exitCode = 3']);
    expect(r.code).toBe(3);
  });

  it('interrupted with Ctrl-C, reports what keeps the program alive and exits as the program would', async () => {
    const file = fixture('leaked-handle/bad-never-exits.mjs');
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [cliBin, 'run', '--format', 'json', '--', process.execPath, path.relative(repoRoot, file)], {
        cwd: repoRoot,
        env: { ...process.env, NO_COLOR: '1' },
        // Its own process group, as a terminal's foreground job: Ctrl-C reaches every process in it.
        detached: true,
      });
      let out = '';
      let err = '';
      let interrupted = false;
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.stdout.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        if (!interrupted && out.includes('ready')) {
          interrupted = true;
          process.kill(-child.pid!, 'SIGINT');
        }
      });
      child.on('error', reject);
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    expect(code).toBe(130);
    const { findings } = JSON.parse(stderr.slice(stderr.indexOf('{')));
    expect(formatDiff(diffFindings(readExpectations([file]), findings, { ids: TRACER_IDS, cwd: repoRoot }))).toBe('');
  });

  it('--race reports the lost update with both tasks, exit 1', async () => {
    const file = fixture('lost-update/bad-bank-account.mjs');
    const r = await runCli(['run', '--race', '--format', 'json', '--', process.execPath, path.relative(repoRoot, file)]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('balance 120 (130 expected)\n');
    const { findings } = JSON.parse(r.stderr);
    expect(formatDiff(diffFindings(readExpectations([file]), findings, { ids: RACE_IDS, cwd: repoRoot }))).toBe('');
    expect(findings[0].related.map((x: { label: string }) => x.label.replace(/#\d+/g, '#N'))).toEqual([
      'task #N (async Account.applyCredit) read Account.balance here, before the await',
      'overwritten by the other task (task #N (async Account.applyCredit)) here',
      'task #N (async Account.applyCredit) suspended here',
    ]);
    expect(findings[0].stacks).toHaveLength(2);
  });

  it('--race on a server stopped with Ctrl-C: the race it saw under two concurrent uploads, and the server that kept it alive', async () => {
    const file = fixture('lost-update/bad-server-concurrent-uploads.mjs');
    const run = await runServer(['--race', '--format', 'json'], file, 'SIGINT');
    // Both totals were computed from the same stale read: one upload is lost.
    expect(run.replies.sort()).toEqual(['5', '7']);
    expect(run.code).toBe(130);
    const { findings } = JSON.parse(run.stderr.slice(run.stderr.indexOf('{')));
    expect(formatDiff(diffFindings(readExpectations([file]), findings, { ids: tracerIds, cwd: repoRoot }))).toBe('');
    const race = findings.find((f: { id: string }) => f.id === 'lost-update');
    expect(race.related).toHaveLength(3);
    expect(race.stacks).toHaveLength(2);
  });

  it('--race on the clean server stopped with SIGTERM (sent to the bin, which forwards it): no race', async () => {
    const file = fixture('lost-update/good-server-reads-after-await.mjs');
    const run = await runServer(['--race', '--format', 'json'], file, 'SIGTERM');
    expect(run.replies.sort()).toEqual(['12', '5']);
    expect(run.code).toBe(143);
    const { findings } = JSON.parse(run.stderr.slice(run.stderr.indexOf('{')));
    expect(findings.map((f: { id: string; location: { line: number } }) => `${f.id}:${f.location.line}`)).toEqual(['leaked-handle:20']);
  });

  it('--race on the good twins reports nothing', async () => {
    for (const rel of ['lost-update/good-mutex.mjs', 'check-then-act/good-recheck-and-promise-cache.mjs']) {
      const r = await runCli(['run', '--race', '--', process.execPath, path.relative(repoRoot, fixture(rel))]);
      expect(r.stderr, rel).toBe('✔ No async hazards found\n');
      expect(r.code, rel).toBe(0);
    }
  });

  it('--shuffle SEED makes an order-dependent program fail deterministically, and names the seed', async () => {
    const file = path.relative(repoRoot, fixture('shuffle/order-dependent.mjs'));
    const first = await runCli(['run', '--shuffle', '1', '--', process.execPath, file]);
    const again = await runCli(['run', '--shuffle', '1', '--', process.execPath, file]);
    expect(first.code).toBe(1);
    expect(first.stdout).toBe(again.stdout);
    expect(first.stdout).not.toBe('order a1,b1,c1,a2,b2,c2\n');
    expect(first.stderr).toContain('--shuffle seed 1');
    const plain = await runCli(['run', '--', process.execPath, file]);
    expect(plain.stdout).toBe('order a1,b1,c1,a2,b2,c2\n');
    expect(plain.code).toBe(0);
    expect((await runCli(['run', '--shuffle', 'x', '--', process.execPath, file])).code).toBe(2);
  });

  it('a command that cannot start is one clear line, exit 2', async () => {
    const r = await runCli(['run', '--', 'no-such-command-asyncsan']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('asyncsan: cannot run "no-such-command-asyncsan": command not found\n');
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
