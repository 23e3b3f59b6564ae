/**
 * Runs in the main Vitest process: gathers the findings the workers stored in
 * each test's meta (so they also travel in blob reports for --merge-reports),
 * prints a summary at the end and writes the findings JSON.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding, TestTimeline } from '@asyncsan/core';
import { assignFingerprints, fileLineReader, occurrences, reporters, sortFindings } from '@asyncsan/core';
import type { Reporter, TestModule, Vitest } from 'vitest/node';
import type { ResolvedOptions } from './options.js';
import type { IgnoredRecord } from './runner.js';

type Meta = { asyncsanFindings?: Finding[]; asyncsanBleed?: Finding[]; asyncsanTimelines?: TestTimeline<number>[]; asyncsanIgnored?: IgnoredRecord[] };

/** Every finding the run's tests carry in their meta: their own, and bleed findings they saw about other tests. */
export function findingsOf(testModules: ReadonlyArray<TestModule>): Finding[] {
  const findings: Finding[] = [];
  for (const mod of testModules) {
    for (const test of mod.children.allTests()) {
      const meta = test.meta() as Meta;
      findings.push(...(meta.asyncsanFindings ?? []), ...(meta.asyncsanBleed ?? []));
    }
  }
  return findings;
}

/**
 * The timelines the tests carry, their lanes' finding indexes turned into
 * fingerprints. `fingerprinted` is findingsOf() fingerprinted, in the same order.
 */
export function timelinesOf(testModules: ReadonlyArray<TestModule>, fingerprinted: readonly Finding[]): TestTimeline[] {
  const timelines: TestTimeline[] = [];
  let offset = 0;
  for (const mod of testModules) {
    for (const test of mod.children.allTests()) {
      const meta = test.meta() as Meta;
      const own = meta.asyncsanFindings?.length ?? 0;
      for (const t of meta.asyncsanTimelines ?? []) {
        const lanes = t.lanes.map(({ findings, ...lane }) => {
          const prints = (findings ?? []).flatMap((i) => (i < own ? (fingerprinted[offset + i]?.fingerprint ?? []) : []));
          return prints.length > 0 ? { ...lane, findings: prints } : lane;
        });
        timelines.push({ ...t, lanes });
      }
      offset += own + (meta.asyncsanBleed?.length ?? 0);
    }
  }
  return timelines;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const where = (f: Finding) => (f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '(process)');
const times = (f: Finding) => (occurrences(f) > 1 ? ` (×${occurrences(f)})` : '');

export class AsyncsanReporter implements Reporter {
  private vitest: Vitest | undefined;

  constructor(private readonly options: ResolvedOptions) {}

  onInit(vitest: Vitest): void {
    this.vitest = vitest;
  }

  private log(s: string): void {
    if (this.vitest) this.vitest.logger.log(s);
    else process.stdout.write(`${s}\n`);
  }

  onTestRunStart(): void {
    // The seed is printed up front, so a run that hangs or crashes still names it.
    const seed = this.options.shuffle;
    if (seed !== undefined) this.log(` asyncsan  --shuffle seed ${seed} (asyncsan({ shuffle: ${seed} }) reproduces this order)`);
  }

  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    const root = this.vitest?.config.root ?? process.cwd();
    this.nameSeedOnFailure(testModules);
    const fingerprinted = assignFingerprints(findingsOf(testModules), fileLineReader(root));
    const sorted = sortFindings(fingerprinted);
    if (this.options.outputFile) {
      const file = path.resolve(root, this.options.outputFile);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, reporters.json(sorted, { cwd: root, toolVersion: '0.1.0', timelines: timelinesOf(testModules, fingerprinted) }));
    }
    if (this.options.verbose) this.logIgnored(testModules);
    if (sorted.length === 0 || this.options.mode === 'off') return;
    if (this.options.mode === 'warn') {
      this.logWarnSummary(sorted);
      return;
    }
    const byTest = new Map<string, Finding[]>();
    for (const f of sorted) {
      const key = f.test ? `${f.test.file} > ${f.test.fullName}` : '(outside any test)';
      byTest.set(key, [...(byTest.get(key) ?? []), f]);
    }
    const log = (s: string) => this.log(s);
    log('');
    log(` asyncsan  ${plural(sorted.length, 'async hazard')} in ${plural(byTest.size, 'test')}`);
    // One line per finding under its test: the id and the place where the fix goes. Each failing test
    // already shows the full report as its error.
    for (const [test, findings] of byTest) {
      log(`   ${test}`);
      for (const f of findings) log(`     ${f.id}  ${where(f)}  ${f.message}${times(f)}`);
    }
  }

  /**
   * Warn mode: nothing failed, so the output stays short. The summary and one line per site (the same
   * hazard at the same place in several tests is one line, with the first test's message, naming that
   * test and how many more);
   * no severity labels and no problem count: the full report is the outputFile's.
   */
  private logWarnSummary(sorted: readonly Finding[]): void {
    const sites = new Map<string, { f: Finding; tests: Set<string>; count: number }>();
    for (const f of sorted) {
      const key = `${f.id}\0${where(f)}`;
      const site = sites.get(key) ?? { f, tests: new Set<string>(), count: 0 };
      if (f.test) site.tests.add(`${f.test.file} > ${f.test.fullName}`);
      site.count += occurrences(f);
      sites.set(key, site);
    }
    const tests = new Set(sorted.flatMap((f) => (f.test ? [`${f.test.file} > ${f.test.fullName}`] : [])));
    const full = this.options.outputFile ? `full report: ${this.options.outputFile}` : 'set outputFile for the full report';
    this.log('');
    this.log(` asyncsan  ${plural(sorted.length, 'async hazard')} at ${plural(sites.size, 'site')} in ${plural(tests.size, 'test')} (mode: warn, no verdict changed; ${full})`);
    for (const { f, tests: inTests, count } of sites.values()) {
      const [first, ...rest] = [...inTests];
      const test = first === undefined ? '' : `  [${first}${rest.length > 0 ? ` and ${plural(rest.length, 'more test')}` : ''}]`;
      this.log(`   ${f.id}  ${where(f)}  ${f.message}${count > 1 ? ` (×${count})` : ''}${test}`);
    }
  }

  /** `verbose`: what the ignore rules dropped, under each test, with the rule's reason. */
  private logIgnored(testModules: ReadonlyArray<TestModule>): void {
    const byTest = new Map<string, IgnoredRecord[]>();
    let count = 0;
    for (const mod of testModules) {
      for (const test of mod.children.allTests()) {
        for (const r of (test.meta() as Meta).asyncsanIgnored ?? []) {
          const key = r.test ? `${r.test.file} > ${r.test.fullName}` : '(outside any test)';
          byTest.set(key, [...(byTest.get(key) ?? []), r]);
          count++;
        }
      }
    }
    if (count === 0) return;
    this.log('');
    this.log(` asyncsan  ignored ${count} finding${count === 1 ? '' : 's'} (verbose)`);
    for (const [test, records] of byTest) {
      this.log(`   ${test}`);
      for (const r of records) {
        const at = r.location ? `${r.location.file}:${r.location.line}:${r.location.column}` : '<no location>';
        this.log(`     ${r.id}  ${at}  (${r.reason ?? 'ignore rule'})`);
      }
    }
  }

  /** Under shuffle, a failure names the seed that exposed it: the order may be what broke the tests. */
  private nameSeedOnFailure(testModules: ReadonlyArray<TestModule>): void {
    const seed = this.options.shuffle;
    if (seed === undefined) return;
    let failed = 0;
    for (const mod of testModules) for (const test of mod.children.allTests()) if (test.result().state === 'failed') failed++;
    if (failed === 0) return;
    this.log(` asyncsan  ${failed} test${failed === 1 ? '' : 's'} failed under --shuffle seed ${seed}; rerun with asyncsan({ shuffle: ${seed} }) to reproduce`);
  }
}
