import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Finding, Severity, TestTimeline } from '@asyncsan/core';
import {
  applyBaseline,
  applyConfig,
  assignFingerprints,
  compareRuns,
  fileLineReader,
  isFormatName,
  loadConfig,
  readBaseline,
  reporters,
  severityAtLeast,
  shouldColor,
  sortFindings,
  UserError,
  writeBaseline,
} from '@asyncsan/core';
import type { Io } from './main.js';
import { VERSION } from './main.js';

export interface OutputOptions {
  format?: string;
  output?: string;
  config?: string;
  baseline?: string;
  updateBaseline: boolean;
  color?: boolean;
  failOn?: Severity;
  maxWarnings?: number;
  /** List the findings the config ignored, with the reason, on stderr. */
  verbose?: boolean;
  /** An earlier run to compare with (`report --compare`). */
  compare?: { base: string; findings: readonly Finding[] };
  /** Per-test timelines read from runtime findings files (`report`): kept for tests that still have findings. */
  timelines?: readonly TestTimeline[];
}

/** `--verbose`: one line per ignored finding, with the rule's reason. Empty when nothing was ignored. */
function formatIgnored(ignored: ReadonlyArray<{ finding: Finding; reason: string }>): string {
  if (ignored.length === 0) return '';
  const lines = [`asyncsan: ignored ${ignored.length} finding${ignored.length === 1 ? '' : 's'}:`];
  for (const { finding: f, reason } of sortIgnored(ignored)) {
    const where = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '<process>';
    lines.push(`  ${where}  ${f.id}  (${reason})`);
  }
  return `${lines.join('\n')}\n`;
}

function sortIgnored<T extends { finding: Finding }>(items: readonly T[]): T[] {
  const order = new Map(sortFindings(items.map((i) => i.finding)).map((f, i) => [f, i]));
  return [...items].sort((a, b) => order.get(a.finding)! - order.get(b.finding)!);
}

export const DEFAULT_BASELINE = '.asyncsan-baseline.json';

/**
 * The pipeline every subcommand ends with: config (severity, ignores) ->
 * fingerprints -> baseline -> reporter -> exit code.
 */
export async function emit(raw: readonly Finding[], options: OutputOptions, io: Io): Promise<number> {
  // Under GitHub Actions the default is annotations, plus a step summary when the runner gives a file for it.
  const inActions = io.env.GITHUB_ACTIONS === 'true';
  const format = options.format ?? (inActions ? 'github' : 'text');
  if (!isFormatName(format)) throw new UserError(`unknown format "${format}"`);
  const loaded = await loadConfig({ cwd: io.cwd, file: options.config });
  const { findings: configured, ignored } = applyConfig(raw, loaded.config, { cwd: io.cwd, configDir: loaded.dir });
  const readLine = fileLineReader(io.cwd);
  const fingerprinted = sortFindings(assignFingerprints(configured, readLine));

  // The default baseline is written and read at the same place, so `--update-baseline` then a plain run just works.
  const defaultBaseline = path.resolve(loaded.dir, DEFAULT_BASELINE);
  const baselineFile = options.baseline
    ? path.resolve(io.cwd, options.baseline)
    : loaded.config.baseline
      ? path.resolve(loaded.dir, loaded.config.baseline)
      : existsSync(defaultBaseline) || options.updateBaseline
        ? defaultBaseline
        : undefined;
  if (options.updateBaseline) {
    const file = baselineFile ?? defaultBaseline;
    writeBaseline(file, fingerprinted);
    io.stderr.write(`asyncsan: wrote ${fingerprinted.length} finding${fingerprinted.length === 1 ? '' : 's'} to the baseline ${path.relative(io.cwd, file) || file}\n`);
    return 0;
  }
  const baseline = baselineFile ? readBaseline(baselineFile) : undefined;
  if (options.baseline && baseline === undefined) {
    throw new UserError(`${options.baseline}: baseline file not found (create it with --update-baseline)`);
  }
  const { findings, baselined } = applyBaseline(fingerprinted, baseline);

  // The earlier run goes through the same config and fingerprints, so both sides match alike.
  const comparison = options.compare
    ? compareRuns(
        findings,
        assignFingerprints(applyConfig(options.compare.findings, loaded.config, { cwd: io.cwd, configDir: loaded.dir }).findings, readLine),
        options.compare.base,
      )
    : undefined;

  const toFile = options.output !== undefined;
  // A test whose findings the config or the baseline hid has nothing left to explain.
  const tested = new Set(findings.flatMap((f) => (f.test ? [`${f.test.file}\0${f.test.fullName}`] : [])));
  const timelines = options.timelines?.filter((t) => tested.has(`${t.test.file}\0${t.test.fullName}`));
  const text = reporters[format](findings, {
    cwd: io.cwd,
    toolVersion: VERSION,
    baselined,
    readLine,
    comparison,
    ...(timelines && timelines.length > 0 ? { timelines } : {}),
    color: format === 'text' && !toFile && shouldColor(options.color, io.stdout, io.env),
  });
  if (toFile) {
    const file = path.resolve(io.cwd, options.output!);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  } else {
    io.stdout.write(text);
  }
  if (options.verbose) io.stderr.write(formatIgnored(ignored));

  if (inActions && io.env.GITHUB_STEP_SUMMARY) {
    appendFileSync(io.env.GITHUB_STEP_SUMMARY, reporters.markdown(findings, { cwd: io.cwd, toolVersion: VERSION, baselined, readLine, comparison }));
  }

  const failOn = options.failOn ?? loaded.config.failOn ?? 'error';
  // With --compare only new findings can fail the run: the unchanged ones were there before.
  const judged = comparison ? findings.filter((f) => comparison.status.get(f.fingerprint ?? '') !== 'unchanged') : findings;
  const warnings = judged.filter((f) => f.severity === 'warning').length;
  const failing = judged.filter((f) => severityAtLeast(f.severity, failOn)).length;
  if (toFile) {
    io.stderr.write(`asyncsan: ${findings.length} finding${findings.length === 1 ? '' : 's'}${baselined ? ` (${baselined} baselined)` : ''} written to ${options.output}\n`);
  }
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    io.stderr.write(`asyncsan: ${warnings} warnings exceed --max-warnings ${options.maxWarnings}\n`);
    return 1;
  }
  return failing > 0 ? 1 : 0;
}
