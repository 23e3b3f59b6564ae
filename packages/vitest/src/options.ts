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
}

const KEYS = ['mode', 'exclude', 'ignore', 'outputFile', 'settleMs', 'race', 'shuffle', 'verbose'];

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
  };
}

/** The key under which the options are provided to workers, and findings stored in task meta. */
export const PROVIDE_KEY = 'asyncsan';
