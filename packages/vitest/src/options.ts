import type { AsyncsanConfig, Finding, Severity } from '@asyncsan/core';

/** Plugin options: plain values (they travel to the test workers through `provide`). */
export type Mode = 'fail' | 'warn' | 'off';

export interface AsyncsanVitestOptions {
  /** fail: the test fails with the report; warn: reported, the test passes; off. Default: 'fail' under CI, else 'warn'. */
  mode?: Mode;
  /** Test files (globs relative to the root) to leave alone. */
  exclude?: string[];
  /** Findings to drop: by id and/or a text the location's file contains. */
  ignore?: { id?: string; file?: string; reason?: string }[];
  /** Write every finding of the run here as asyncsan findings JSON (for `asyncsan report`). */
  outputFile?: string;
  /** Cap on the settle after each test, in ms. Default 50. */
  settleMs?: number;
  /** Race mode: instrument the project's own code and report lost updates and check-then-act per test. */
  race?: boolean;
  /** A seed for `--shuffle`: perturb the order awaits resume in (implies race). */
  shuffle?: number;
  /** List, in the end-of-run summary, the findings `ignore` rules dropped and why. Default false. */
  verbose?: boolean;
  /**
   * The asyncsan config file (severity, ignores, runtimeIgnores, failOn), as `asyncsan --config`:
   * a path relative to the root, or false to read none. Default: `asyncsan.config.*` or the
   * "asyncsan" key of package.json, found from the Vitest root up, as the CLI finds it.
   */
  config?: string | false;
  /** Lowest severity that fails a test in `fail` mode; overrides the config's `failOn`. Default: 'warning' (every finding but info ones fails). */
  failOn?: Severity;
}

export interface ResolvedOptions {
  mode: Mode;
  exclude: string[];
  ignore: { id?: string; file?: string; reason?: string }[];
  outputFile?: string;
  settleMs: number;
  race: boolean;
  shuffle?: number;
  verbose: boolean;
  /** The `config` option as given; the file is read in the main process at startup (see projectConfig). */
  configFile?: string | false;
  failOn?: Severity;
  /** The validated asyncsan config, and the directory its paths are relative to (set at startup). */
  project?: { config: AsyncsanConfig; dir: string; file?: string };
}

const KEYS = ['mode', 'exclude', 'ignore', 'outputFile', 'settleMs', 'race', 'shuffle', 'verbose', 'config', 'failOn'];

/** Validates like a config file: an unknown or mistyped option stops the run with one clear line. */
export function resolveOptions(raw: AsyncsanVitestOptions = {}, env: NodeJS.ProcessEnv = process.env): ResolvedOptions {
  const fail = (msg: string): never => {
    throw new Error(`asyncsan(): ${msg}`);
  };
  if (typeof raw !== 'object' || raw === null) fail('options must be an object');
  for (const k of Object.keys(raw)) if (!KEYS.includes(k)) fail(`unknown option "${k}"; expected one of ${KEYS.join(', ')}`);
  if (raw.mode !== undefined && !['fail', 'warn', 'off'].includes(raw.mode)) fail(`"mode" must be "fail", "warn" or "off", got ${JSON.stringify(raw.mode)}`);
  if (raw.exclude !== undefined && (!Array.isArray(raw.exclude) || raw.exclude.some((g) => typeof g !== 'string'))) fail('"exclude" must be an array of glob strings');
  if (raw.ignore !== undefined && (!Array.isArray(raw.ignore) || raw.ignore.some((r) => typeof r !== 'object' || r === null))) fail('"ignore" must be an array of { id?, file?, reason? }');
  if (raw.outputFile !== undefined && typeof raw.outputFile !== 'string') fail('"outputFile" must be a file path string');
  if (raw.settleMs !== undefined && (typeof raw.settleMs !== 'number' || raw.settleMs < 0)) fail('"settleMs" must be a non-negative number');
  if (raw.race !== undefined && typeof raw.race !== 'boolean') fail('"race" must be true or false');
  if (raw.shuffle !== undefined && (!Number.isInteger(raw.shuffle) || raw.shuffle < 0)) fail('"shuffle" must be a non-negative integer seed');
  if (raw.verbose !== undefined && typeof raw.verbose !== 'boolean') fail('"verbose" must be true or false');
  if (raw.config !== undefined && raw.config !== false && (typeof raw.config !== 'string' || raw.config === '')) fail('"config" must be a config file path, or false to read none');
  if (raw.failOn !== undefined && !['error', 'warning', 'info'].includes(raw.failOn)) fail(`"failOn" must be "error", "warning" or "info", got ${JSON.stringify(raw.failOn)}`);
  const ci = env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';
  return {
    mode: raw.mode ?? (ci ? 'fail' : 'warn'),
    exclude: raw.exclude ?? [],
    ignore: raw.ignore ?? [],
    outputFile: raw.outputFile,
    settleMs: raw.settleMs ?? 50,
    race: raw.race === true || raw.shuffle !== undefined,
    verbose: raw.verbose === true,
    ...(raw.shuffle !== undefined ? { shuffle: raw.shuffle } : {}),
    ...(raw.config !== undefined ? { configFile: raw.config } : {}),
    ...(raw.failOn !== undefined ? { failOn: raw.failOn } : {}),
  };
}

/** The key under which the options are provided to workers, and findings stored in task meta. */
export const PROVIDE_KEY = 'asyncsan';

/**
 * Reads and validates the project's asyncsan config (the file `asyncsan check` and
 * `asyncsan run` read) before any test runs: a broken one stops Vitest with its
 * one-line error. Options in code win: `failOn` over the config's; `ignore` rules
 * add to its ignores.
 */
export async function withProjectConfig(options: ResolvedOptions, root: string): Promise<ResolvedOptions> {
  if (options.configFile === false) return options;
  const { loadConfig, UserError } = await import('@asyncsan/core');
  let loaded: Awaited<ReturnType<typeof loadConfig>>;
  try {
    loaded = await loadConfig({ cwd: root, ...(options.configFile ? { file: options.configFile } : {}) });
  } catch (error) {
    // A mistake in the config is one line, as with the CLI: no stack into the plugin.
    if (error instanceof UserError) error.stack = `${error.name}: ${error.message}`;
    throw error;
  }
  const failOn = options.failOn ?? loaded.config.failOn;
  return { ...options, ...(failOn ? { failOn } : {}), project: { config: loaded.config, dir: loaded.dir, ...(loaded.file ? { file: loaded.file } : {}) } };
}

/**
 * The project config applied, in the worker, to what a test's judgement found: ids
 * turned off and ignored paths or creation sites dropped (with the reason, for
 * `verbose`), severities overridden. The kept findings are the tracer's own objects
 * (its timeline lanes point at them): a severity is changed in place.
 */
export async function applyProjectConfig(findings: Finding[], options: ResolvedOptions, root: string): Promise<{ kept: Finding[]; ignored: { finding: Finding; reason: string }[] }> {
  const config = options.project?.config;
  if (!config || findings.length === 0 || (!config.severity && !config.ignores?.length && !config.runtimeIgnores?.length)) return { kept: findings, ignored: [] };
  // Loaded only for a test with findings, not in every worker.
  const { applyConfig } = await import('@asyncsan/core');
  const { findings: out, ignored } = applyConfig(findings, config, { cwd: root, configDir: options.project!.dir });
  const dropped = new Set(ignored.map((i) => i.finding));
  const kept = findings.filter((f) => !dropped.has(f));
  kept.forEach((f, i) => (f.severity = out[i]!.severity));
  return { kept, ignored };
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

/** In `fail` mode, whether these findings fail their test: any at or above `failOn`, or any at all when it is not set. */
export function failsTest(findings: readonly Finding[], options: ResolvedOptions): boolean {
  const failOn = options.failOn;
  // By default every finding fails but info ones (garbage, not leaks; guards with nothing left to guard).
  return findings.some((f) => RANK[f.severity] >= RANK[failOn ?? 'warning']);
}
