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
const testKey = (f: Finding) => (f.test ? `${f.test.file} > ${f.test.fullName}` : '(outside any test)');
const siteKey = (f: Finding) => `${f.id}\0${where(f)}`;

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
    // Fail mode lists the findings that can fail a test; the notes below that are counted on one line.
    const listed = sorted.filter((f) => this.listed(f));
    const notes = sorted.filter((f) => !this.listed(f));
    const byTest = new Map<string, Finding[]>();
    for (const f of listed) byTest.set(testKey(f), [...(byTest.get(testKey(f)) ?? []), f]);
    const log = (s: string) => this.log(s);
    log('');
    if (listed.length > 0) log(` asyncsan  ${plural(listed.length, 'async hazard')} in ${plural(byTest.size, 'test')}`);
    // One line per finding under its test: the id and the place where the fix goes. Each failing test
    // already shows the full report as its error.
    for (const [test, findings] of byTest) {
      log(`   ${test}`);
      for (const f of findings) log(`     ${f.id}  ${where(f)}  ${f.message}${times(f)}`);
    }
    if (notes.length > 0) log(this.notesLine(notes.length, new Set(notes.map(siteKey)).size));
  }

  /**
   * Whether the console lists a finding. Info findings are notes, not hazards (garbage, not a leak; a guard
   * with nothing left to guard; a timed-out test's leftovers; a producer writing into a cancelled body):
   * they are counted on one line and kept in outputFile; `verbose` lists them, and so does `failOn: 'info'`,
   * under which they fail their test.
   */
  private listed(f: Finding): boolean {
    return f.severity !== 'info' || this.options.verbose || this.options.failOn === 'info';
  }

  private notesLine(findings: number, sites: number): string {
    const kept = this.options.outputFile ? `${this.options.outputFile} has them` : 'set outputFile to keep them';
    return `   ${findings} ${findings === 1 ? 'note' : 'notes'} (info) at ${plural(sites, 'site')} not listed: ${kept}; verbose: true lists them`;
  }

  /**
   * Warn mode: nothing failed, so the output stays short. The summary and one line per site (the same
   * hazard at the same place in several tests is one line, with the first test's message, naming that
   * test and how many more);
   * no severity labels and no problem count: the full report is the outputFile's. A site whose findings
   * are all info is a note: counted, not listed (see listed()).
   */
  private logWarnSummary(sorted: readonly Finding[]): void {
    const sites = new Map<string, { f: Finding; findings: Finding[]; tests: Set<string>; count: number }>();
    for (const f of sorted) {
      const key = siteKey(f);
      const site = sites.get(key) ?? { f, findings: [], tests: new Set<string>(), count: 0 };
      site.findings.push(f);
      if (f.test) site.tests.add(testKey(f));
      site.count += occurrences(f);
      sites.set(key, site);
    }
    const shown = [...sites.values()].filter((s) => s.findings.some((f) => this.listed(f)));
    const notes = [...sites.values()].filter((s) => !shown.includes(s));
    const shownFindings = shown.flatMap((s) => s.findings);
    const tests = new Set(shownFindings.flatMap((f) => (f.test ? [testKey(f)] : [])));
    const full = this.options.outputFile ? `full report: ${this.options.outputFile}` : 'set outputFile for the full report';
    this.log('');
    if (shown.length > 0) {
      this.log(` asyncsan  ${plural(shownFindings.length, 'async hazard')} at ${plural(shown.length, 'site')} in ${plural(tests.size, 'test')} (mode: warn, no verdict changed; ${full})`);
    } else {
      this.log(` asyncsan  no async hazards (mode: warn, no verdict changed; ${full})`);
    }
    for (const { f, tests: inTests, count } of shown) {
      const [first, ...rest] = [...inTests];
      const test = first === undefined ? '' : `  [${first}${rest.length > 0 ? ` and ${plural(rest.length, 'more test')}` : ''}]`;
      this.log(`   ${f.id}  ${where(f)}  ${f.message}${count > 1 ? ` (×${count})` : ''}${test}`);
    }
    if (notes.length > 0) this.log(this.notesLine(notes.reduce((n, s) => n + s.findings.length, 0), notes.length));
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
