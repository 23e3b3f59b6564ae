import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
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
}

/** Another Node binary and Vitest entry to run (the compatibility test's Node 24 + Vitest 5). */
export interface VitestInstall {
  node: string;
  vitest: string;
}

/** Runs real Vitest on a fixture project, as a user would, with the JSON reporter beside the default one. */
export function runVitest(project: string, args: string[] = [], env: NodeJS.ProcessEnv = {}, install?: VitestInstall): Promise<VitestRun> {
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
    child.on('close', (code) => {
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
      resolve({ code, stdout, stderr, elapsedMs, verdicts, findings, findingsFile: path.join(out, 'findings.json') });
    });
  });
}
