import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Finding } from '@asyncsan/core';
import { repoRoot } from './expectations.js';

export const vitestBin = path.join(repoRoot, 'node_modules/vitest/vitest.mjs');

export interface VitestRun {
  code: number | null;
  stdout: string;
  stderr: string;
  elapsedMs: number;
  /** "pass"/"fail" per test full name, from Vitest's own JSON reporter. */
  verdicts: Record<string, string>;
  findings: Finding[];
  /** The findings JSON the plugin wrote (ASYNCSAN_FINDINGS, read by the fixture configs). */
  findingsFile: string;
  /** Killed at the caller's `timeoutMs`. */
  killed?: boolean;
}

/** Another Node binary and Vitest entry to run (the compatibility test's Node 24 + Vitest 5). */
export interface VitestInstall {
  node: string;
  vitest: string;
}

/** Vitest 5 and Node 24 (the npm package `node@24` ships the binary), installed once outside the repo. */
export const vitest5Root = path.join(os.tmpdir(), 'asyncsan-vitest5');
export const vitest5: VitestInstall = {
  node: path.join(vitest5Root, 'node_modules/node/bin/node'),
  vitest: path.join(vitest5Root, 'node_modules/vitest/vitest.mjs'),
};

export function ensureVitest5(): void {
  if (existsSync(vitest5.node) && existsSync(vitest5.vitest)) return;
  mkdirSync(vitest5Root, { recursive: true });
  execFileSync('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--prefix', vitest5Root, 'vitest@5', 'node@24'], { cwd: vitest5Root, stdio: 'pipe' });
}

/**
 * A copy of a fixture project beside the Vitest 5 install (so that its `vitest` imports resolve
 * there), importing the plugin from the repo's dist. Removed with `rmSync(dir, { recursive: true })`.
 */
export function copyForVitest5(name: string): string {
  const to = path.join(vitest5Root, 'projects', `${name}-${process.pid}`);
  rmSync(to, { recursive: true, force: true });
  cpSync(path.join(repoRoot, 'fixtures/projects', name), to, { recursive: true, filter: (src) => !src.includes(`${path.sep}node_modules`) && !src.includes(`${path.sep}.asyncsan`) });
  const config = path.join(to, 'vitest.config.mjs');
  const plugin = path.join(repoRoot, 'packages/vitest/dist/index.js');
  writeFileSync(config, readFileSync(config, 'utf8').replace('../../../packages/vitest/dist/index.js', plugin));
  return to;
}

/** Runs real Vitest on a fixture project, as a user would, with the JSON reporter beside the default one. */
/** With `timeoutMs`, a run still going then is killed (code null, `killed` set): a hang fails the caller's assertions instead of its timeout. */
export function runVitest(project: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, install?: VitestInstall, options: { timeoutMs?: number } = {}): Promise<VitestRun> {
  const out = path.join(repoRoot, 'test/.output', `vitest-${path.basename(project)}-${process.pid}-${Date.now()}`);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      install?.node ?? process.execPath,
      [install?.vitest ?? vitestBin, 'run', '--root', project, '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(out, 'results.json')}`, ...args],
      { cwd: project, env: { ...process.env, CI: '', GITHUB_ACTIONS: '', NO_COLOR: '1', ASYNCSAN_FINDINGS: path.join(out, 'findings.json'), ...env } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    let killed = false;
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            killed = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const elapsedMs = Date.now() - started;
      const verdicts: Record<string, string> = {};
      let findings: Finding[] = [];
      try {
        const results = JSON.parse(readFileSync(path.join(out, 'results.json'), 'utf8')) as {
          testResults: { assertionResults: { fullName: string; status: string }[] }[];
        };
        for (const file of results.testResults) for (const t of file.assertionResults) verdicts[t.fullName] = t.status === 'passed' ? 'pass' : t.status === 'failed' ? 'fail' : t.status;
      } catch {
        // no results: the caller sees empty verdicts and the output
      }
      try {
        findings = (JSON.parse(readFileSync(path.join(out, 'findings.json'), 'utf8')) as { findings: Finding[] }).findings;
      } catch {
        findings = [];
      }
      resolve({ code, stdout, stderr, elapsedMs, verdicts, findings, findingsFile: path.join(out, 'findings.json'), ...(killed ? { killed } : {}) });
    });
  });
}

/** A `vitest --watch` process on a project: its output so far, and waits for its runs. */
export interface VitestWatch {
  output(): string;
  /** Resolves once `n` runs have ended (Vitest printed that it watches for changes `n` times). */
  runs(n: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

const RUN_END = /(?:Waiting|Watching) for file changes/g;

/** Starts real Vitest in watch mode on a project, as a user would (`vitest --watch`), without a TTY. */
export function watchVitest(project: string, args: string[] = [], env: NodeJS.ProcessEnv = {}): VitestWatch {
  const child = spawn(process.execPath, [vitestBin, '--watch', '--root', project, ...args], {
    cwd: project,
    env: { ...process.env, CI: '', GITHUB_ACTIONS: '', NO_COLOR: '1', ...env },
  });
  let out = '';
  let exited = false;
  const waiters = new Set<() => void>();
  const onData = (d: string) => {
    out += d;
    for (const w of waiters) w();
  };
  child.stdout.setEncoding('utf8').on('data', onData);
  child.stderr.setEncoding('utf8').on('data', onData);
  const closed = new Promise<void>((resolve) =>
    child.on('close', () => {
      exited = true;
      for (const w of waiters) w();
      resolve();
    }),
  );
  return {
    output: () => out,
    runs(n, timeoutMs = 60_000) {
      return new Promise<void>((resolve, reject) => {
        const check = () => {
          if ((out.match(RUN_END)?.length ?? 0) >= n) done(resolve);
          else if (exited) done(() => reject(new Error(`vitest --watch exited before run ${n}:\n${out}`)));
        };
        const timer = setTimeout(() => done(() => reject(new Error(`no run ${n} of vitest --watch within ${timeoutMs} ms:\n${out}`))), timeoutMs);
        const done = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (!exited) child.kill('SIGTERM');
      await closed;
    },
  };
}
