import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type TypeScriptModule from 'typescript';
import { catalog, catalogIds } from './catalog.js';
import type { Severity } from './finding.js';

/** A problem the user can fix (bad input, bad config). The CLI prints `message` alone and exits 2. */
export class UserError extends Error {
  override name = 'UserError';
}

export class ConfigError extends UserError {
  override name = 'ConfigError';
}

export type SeveritySetting = Severity | 'warn' | 'off';

/** A runtime ignore: findings whose creation stack matches are dropped. */
export interface RuntimeIgnore {
  /** Function name (exact, or `Class.method`) or file glob of a stack frame. */
  site?: string;
  /** npm package name whose frames in node_modules match. */
  package?: string;
  /** Hazard id; with no site/package, ignores the id at runtime altogether. */
  id?: string;
  /** Why; shown in verbose output. */
  reason?: string;
}

export interface AsyncsanConfig {
  /** Severity per hazard id; 'off' disables it. */
  severity?: Record<string, SeveritySetting>;
  /** Path globs (relative to the config's directory) whose findings are dropped. */
  ignores?: string[];
  /** Runtime findings to drop, by creation site, package or id. */
  runtimeIgnores?: RuntimeIgnore[];
  /** Baseline file, relative to the config's directory. */
  baseline?: string;
  /** Lowest severity that makes the exit code 1 (default 'error'). */
  failOn?: Severity;
}

export interface LoadedConfig {
  config: AsyncsanConfig;
  /** The file it came from, or undefined when no config was found. */
  file?: string;
  /** Directory relative paths in the config are resolved against. */
  dir: string;
}

export const CONFIG_FILES = [
  'asyncsan.config.ts',
  'asyncsan.config.mjs',
  'asyncsan.config.js',
  'asyncsan.config.json',
] as const;

const SEVERITIES = ['error', 'warning', 'warn', 'info', 'off'];
const TOP_KEYS = ['severity', 'ignores', 'runtimeIgnores', 'baseline', 'failOn'];
const IGNORE_KEYS = ['site', 'package', 'id', 'reason'];

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value}"`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}

function suggest(name: string, options: readonly string[]): string {
  // Nearest by shared prefix, enough to catch typos like "floating-promises".
  let best = '';
  let bestScore = 0;
  for (const o of options) {
    let i = 0;
    while (i < o.length && i < name.length && o[i] === name[i]) i++;
    if (i > bestScore) {
      bestScore = i;
      best = o;
    }
  }
  return bestScore >= 4 ? ` (did you mean "${best}"?)` : '';
}

/** Validates a raw config value; throws ConfigError naming the file and key. */
export function validateConfig(raw: unknown, source: string): AsyncsanConfig {
  const fail = (key: string, expected: string, got: unknown): never => {
    throw new ConfigError(`${source}: "${key}" must be ${expected}, got ${describe(got)}`);
  };
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('(root)', 'an object', raw);
  const obj = raw as Record<string, unknown>;
  for (const key of Object.keys(obj)) {
    if (!TOP_KEYS.includes(key)) {
      throw new ConfigError(`${source}: unknown key "${key}"${suggest(key, TOP_KEYS)}; expected one of ${TOP_KEYS.join(', ')}`);
    }
  }
  const config: AsyncsanConfig = {};
  if (obj.severity !== undefined) {
    if (typeof obj.severity !== 'object' || obj.severity === null || Array.isArray(obj.severity)) {
      fail('severity', 'an object mapping hazard ids to a severity', obj.severity);
    }
    const severity: Record<string, SeveritySetting> = {};
    for (const [id, value] of Object.entries(obj.severity as Record<string, unknown>)) {
      if (!catalog.has(id)) {
        throw new ConfigError(`${source}: "severity.${id}" is not a hazard id${suggest(id, catalogIds)}; see docs/rules/ for the list`);
      }
      if (typeof value !== 'string' || !SEVERITIES.includes(value)) {
        fail(`severity.${id}`, `one of ${SEVERITIES.map((s) => `"${s}"`).join(', ')}`, value);
      }
      severity[id] = value as SeveritySetting;
    }
    config.severity = severity;
  }
  if (obj.ignores !== undefined) {
    if (!Array.isArray(obj.ignores)) fail('ignores', 'an array of path globs', obj.ignores);
    (obj.ignores as unknown[]).forEach((g, i) => {
      if (typeof g !== 'string' || g === '') fail(`ignores[${i}]`, 'a non-empty path glob string', g);
    });
    config.ignores = obj.ignores as string[];
  }
  if (obj.runtimeIgnores !== undefined) {
    if (!Array.isArray(obj.runtimeIgnores)) fail('runtimeIgnores', 'an array of { site?, package?, id?, reason? }', obj.runtimeIgnores);
    config.runtimeIgnores = (obj.runtimeIgnores as unknown[]).map((entry, i) => {
      const at = `runtimeIgnores[${i}]`;
      if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) fail(at, 'an object { site?, package?, id?, reason? }', entry);
      const e = entry as Record<string, unknown>;
      for (const k of Object.keys(e)) {
        if (!IGNORE_KEYS.includes(k)) throw new ConfigError(`${source}: unknown key "${at}.${k}"; expected one of ${IGNORE_KEYS.join(', ')}`);
        if (typeof e[k] !== 'string' || e[k] === '') fail(`${at}.${k}`, 'a non-empty string', e[k]);
      }
      if (e.site === undefined && e.package === undefined && e.id === undefined) {
        throw new ConfigError(`${source}: "${at}" must name at least one of site, package or id`);
      }
      if (e.id !== undefined && !catalog.has(e.id as string)) {
        throw new ConfigError(`${source}: "${at}.id" is not a hazard id${suggest(e.id as string, catalogIds)}`);
      }
      return e as RuntimeIgnore;
    });
  }
  if (obj.baseline !== undefined) {
    if (typeof obj.baseline !== 'string' || obj.baseline === '') fail('baseline', 'a file path string', obj.baseline);
    config.baseline = obj.baseline as string;
  }
  if (obj.failOn !== undefined) {
    if (obj.failOn !== 'error' && obj.failOn !== 'warning' && obj.failOn !== 'info') fail('failOn', 'one of "error", "warning", "info"', obj.failOn);
    config.failOn = obj.failOn as Severity;
  }
  return config;
}

async function importTsConfig(file: string): Promise<unknown> {
  // Node 20 cannot import .ts: transpile with the project's TypeScript (an optional peer).
  let ts: typeof TypeScriptModule;
  try {
    ts = (await import('typescript')).default;
  } catch {
    throw new ConfigError(`${file}: a TypeScript config needs the "typescript" package installed; use asyncsan.config.mjs or .json instead`);
  }
  const out = ts.transpileModule(readFileSync(file, 'utf8'), {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
    fileName: file,
  });
  const dir = await mkdtemp(path.join(os.tmpdir(), 'asyncsan-config-'));
  const tmp = path.join(dir, 'asyncsan.config.mjs');
  try {
    await writeFile(tmp, out.outputText);
    return ((await import(pathToFileURL(tmp).href)) as { default?: unknown }).default;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function readConfigFile(file: string): Promise<unknown> {
  const name = path.basename(file);
  try {
    if (file.endsWith('.json')) {
      const text = readFileSync(file, 'utf8');
      const json = JSON.parse(text) as unknown;
      return name === 'package.json' ? (json as Record<string, unknown>).asyncsan : json;
    }
    if (file.endsWith('.ts')) return await importTsConfig(file);
    const mod = (await import(pathToFileURL(file).href)) as { default?: unknown };
    return mod.default;
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    const reason = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError(`${file}: cannot load config: ${reason}`);
  }
}

/**
 * Finds and loads the config: an explicit file, else the first of CONFIG_FILES
 * or a package.json with an "asyncsan" key, walking up from `cwd`.
 */
export async function loadConfig(options: { cwd: string; file?: string }): Promise<LoadedConfig> {
  if (options.file) {
    const file = path.resolve(options.cwd, options.file);
    if (!existsSync(file)) throw new ConfigError(`${options.file}: config file not found`);
    const raw = await readConfigFile(file);
    if (raw === undefined) throw new ConfigError(`${file}: has no default export / "asyncsan" key`);
    return { config: validateConfig(raw, path.relative(options.cwd, file) || file), file, dir: path.dirname(file) };
  }
  let dir = path.resolve(options.cwd);
  for (;;) {
    for (const name of CONFIG_FILES) {
      const file = path.join(dir, name);
      if (existsSync(file)) {
        const raw = await readConfigFile(file);
        return { config: validateConfig(raw, path.relative(options.cwd, file) || name), file, dir };
      }
    }
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg)) {
      const raw = await readConfigFile(pkg);
      if (raw !== undefined) {
        return { config: validateConfig(raw, `${path.relative(options.cwd, pkg) || 'package.json'} "asyncsan"`), file: pkg, dir };
      }
    }
    const parent = path.dirname(dir);
    if (parent === dir || existsSync(path.join(dir, '.git'))) break;
    dir = parent;
  }
  return { config: {}, dir: path.resolve(options.cwd) };
}

export function normalizeSeverity(s: SeveritySetting): Severity | 'off' {
  return s === 'warn' ? 'warning' : s;
}
