/**
 * Runs in the main Vitest process: gathers the findings the workers stored in
 * each test's meta (so they also travel in blob reports for --merge-reports),
 * prints a summary at the end and writes the findings JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding } from '@asyncsan/core';
import { assignFingerprints, fileLineReader, reporters, shouldColor, sortFindings } from '@asyncsan/core';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import type { ResolvedOptions } from './options.js';

type Meta = { asyncsanFindings?: Finding[] };

export class AsyncsanReporter implements Reporter {
  private vitest: Vitest | undefined;

  constructor(private readonly options: ResolvedOptions) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const root = this.vitest?.config.root ?? process.cwd();
    const findings: Finding[] = [];
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) findings.push(...((test.meta() as Meta).asyncsanFindings ?? []));
    }
    const sorted = sortFindings(assignFingerprints(findings, fileLineReader(root)));
    if (this.options.outputFile) {
      const file = path.resolve(root, this.options.outputFile);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, reporters.json(sorted, { cwd: root, toolVersion: '0.1.0' }));
    }
    if (sorted.length === 0 || this.options.mode === 'off') return;
    const tests = new Set(sorted.map((f) => f.test?.fullName));
    const log = (s: string) => (this.vitest ? this.vitest.logger.log(s) : process.stdout.write(`${s}\n`));
    log('');
    log(` asyncsan  ${sorted.length} async hazard${sorted.length === 1 ? '' : 's'} in ${tests.size} test${tests.size === 1 ? '' : 's'}${this.options.mode === 'warn' ? ' (mode: warn, tests not failed)' : ''}`);
    if (this.options.mode === 'warn') {
      log(reporters.text(sorted, { cwd: root, toolVersion: '0.1.0', color: shouldColor(undefined, process.stdout) }));
    }
  }
}
