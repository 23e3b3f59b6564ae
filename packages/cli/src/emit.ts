import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Diagnostic, Finding, LoadedConfig, Severity, TestTimeline } from '@asyncsan/core';
import {
  applyBaseline,
  applyConfig,
  assignFingerprints,
  compareRuns,
  fileLineReader,
  filesNotAnalysed,
  ignoredPath,
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
import { EXIT, VERSION } from './main.js';

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
  /** The config, when the command loaded it before its work (so a broken one stops it first). */
  loaded?: LoadedConfig;
  /** Files that could not be analysed: shown in every format, and the exit code says so. */
  diagnostics?: readonly Diagnostic[];
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
  const loaded = options.loaded ?? (await loadConfig({ cwd: io.cwd, file: options.config }));
  const { findings: configured, ignored } = applyConfig(raw, loaded.config, { cwd: io.cwd, configDir: loaded.dir });
  // A file the config ignores is not reported as "could not be analysed" either.
  const isIgnored = ignoredPath(loaded.config, { cwd: io.cwd, configDir: loaded.dir });
  const diagnostics = (options.diagnostics ?? []).filter((d) => !isIgnored(d.file));
  // Internal errors make the run an error (2); a file that does not parse makes it incomplete (3).
  const diagnosticsExit = diagnostics.some((d) => d.kind === 'internal') ? EXIT.error : diagnostics.length > 0 ? EXIT.notAnalysed : undefined;
  const notAnalysedNote = diagnostics.length > 0 ? `; ${filesNotAnalysed(diagnostics)} file${filesNotAnalysed(diagnostics) === 1 ? '' : 's'} could not be analysed` : '';
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
    io.stderr.write(`asyncsan: wrote ${fingerprinted.length} finding${fingerprinted.length === 1 ? '' : 's'} to the baseline ${path.relative(io.cwd, file) || file}${notAnalysedNote}\n`);
    writeDiagnostics(diagnostics, io);
    return diagnosticsExit ?? 0;
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
    ...(diagnostics.length > 0 ? { diagnostics } : {}),
    color: format === 'text' && !toFile && shouldColor(options.color, io.stdout, io.env),
  });
  if (toFile) {
    const file = path.resolve(io.cwd, options.output!);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  } else {
    io.stdout.write(text);
  }
  // The text report on the terminal lists them already; with any other output they also go to stderr.
  if (format !== 'text' || toFile) writeDiagnostics(diagnostics, io);
  if (options.verbose) io.stderr.write(formatIgnored(ignored));

  if (inActions && io.env.GITHUB_STEP_SUMMARY) {
    appendFileSync(
      io.env.GITHUB_STEP_SUMMARY,
      reporters.markdown(findings, { cwd: io.cwd, toolVersion: VERSION, baselined, readLine, comparison, ...(diagnostics.length > 0 ? { diagnostics } : {}) }),
    );
  }

  const failOn = options.failOn ?? loaded.config.failOn ?? 'error';
  // With --compare only new findings can fail the run: the unchanged ones were there before.
  const judged = comparison ? findings.filter((f) => comparison.status.get(f.fingerprint ?? '') !== 'unchanged') : findings;
  const warnings = judged.filter((f) => f.severity === 'warning').length;
  const failing = judged.filter((f) => severityAtLeast(f.severity, failOn)).length;
  if (toFile) {
    io.stderr.write(`asyncsan: ${findings.length} finding${findings.length === 1 ? '' : 's'}${baselined ? ` (${baselined} baselined)` : ''} written to ${options.output}${notAnalysedNote}\n`);
  }
  if (options.maxWarnings !== undefined && warnings > options.maxWarnings) {
    io.stderr.write(`asyncsan: ${warnings} warnings exceed --max-warnings ${options.maxWarnings}\n`);
    return diagnosticsExit ?? EXIT.findings;
  }
  return diagnosticsExit ?? (failing > 0 ? EXIT.findings : EXIT.clean);
}

function writeDiagnostics(diagnostics: readonly Diagnostic[], io: Io): void {
  for (const d of diagnostics) io.stderr.write(`${d.file}:${d.line}:${d.column}: ${d.kind === 'internal' ? 'internal error' : 'syntax error'}: ${d.message}\n`);
}
