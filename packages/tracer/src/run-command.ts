/**
 * `asyncsan run -- <command…>`: runs a command with the tracer imported into
 * every Node process it starts (NODE_OPTIONS is inherited by child processes),
 * then merges what each process wrote.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { constants } from 'node:os';
import type { Finding } from '@asyncsan/core';
import { sortFindings } from '@asyncsan/core/finding';

/** The built register module, whether this file runs from dist or from src. */
export const registerUrl = pathToFileURL(path.join(path.dirname(path.dirname(fileURLToPath(import.meta.url))), 'dist', 'register.js')).href;

export interface RunTracedOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface RunTracedResult {
  /** Findings of every traced process; paths relative to the command's working directory. */
  findings: Finding[];
  /** The command's exit code, or 128 + the signal number when a signal ended it. */
  exitCode: number;
}

function withImport(existing: string | undefined): string {
  const spec = /\s/.test(registerUrl) ? `"${registerUrl}"` : registerUrl;
  return existing ? `--import ${spec} ${existing}` : `--import ${spec}`;
}

async function readFindings(dir: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const name of (await readdir(dir)).sort()) {
    if (!name.endsWith('.json')) continue;
    try {
      const doc = JSON.parse(await readFile(path.join(dir, name), 'utf8')) as { version?: number; findings?: Finding[] };
      if (doc.version === 1 && Array.isArray(doc.findings)) findings.push(...doc.findings);
    } catch {
      // A process killed while writing leaves a partial file: skip it.
    }
  }
  return sortFindings(findings);
}

export async function runTraced(command: string[], options: RunTracedOptions = {}): Promise<RunTracedResult> {
  if (command.length === 0) throw new Error('asyncsan: no command to run');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'asyncsan-run-'));
  const env: NodeJS.ProcessEnv = { ...(options.env ?? process.env) };
  env.NODE_OPTIONS = withImport(env.NODE_OPTIONS);
  env.ASYNCSAN_OUTPUT_DIR = dir;
  try {
    const exitCode = await new Promise<number>((resolve, reject) => {
      const child = spawn(command[0]!, command.slice(1), { cwd: options.cwd, env, stdio: 'inherit' });
      const forward = (signal: NodeJS.Signals) => {
        child.kill(signal);
      };
      process.on('SIGINT', forward);
      process.on('SIGTERM', forward);
      const done = () => {
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
      };
      child.on('error', (error) => {
        done();
        reject(error);
      });
      child.on('exit', (code, signal) => {
        done();
        resolve(code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0));
      });
    });
    return { findings: await readFindings(dir), exitCode };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
