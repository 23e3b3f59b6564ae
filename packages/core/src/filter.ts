import path from 'node:path';
import picomatch from 'picomatch';
import type { AsyncsanConfig, RuntimeIgnore } from './config.js';
import { normalizeSeverity } from './config.js';
import type { Finding, StackFrame } from './finding.js';

export interface FilterResult {
  findings: Finding[];
  /** Dropped by ignores or turned off, with the reason when the config gave one. */
  ignored: { finding: Finding; reason: string }[];
}

function frames(f: Finding): StackFrame[] {
  const out: StackFrame[] = [];
  for (let s = f.stacks?.[0]; s; s = s.createdAt) out.push(...s.frames);
  for (const s of f.stacks?.slice(1) ?? []) out.push(...s.frames);
  return out;
}

function matchesRuntimeIgnore(f: Finding, ig: RuntimeIgnore, cwd: string): boolean {
  if (ig.id && ig.id !== f.id) return false;
  if (!ig.site && !ig.package) return true;
  const all = frames(f);
  if (ig.site) {
    const isGlob = /[*/?[]/.test(ig.site) || /\.[cm]?[jt]sx?$/.test(ig.site);
    const m = isGlob ? picomatch(ig.site, { dot: true }) : undefined;
    const hit = all.some((fr) => {
      if (m) return m(path.relative(cwd, path.resolve(cwd, fr.file)).split(path.sep).join('/'));
      // Await-chain frames name the function as V8 prints it there: "async load".
      const fn = fr.function?.replace(/^async /, '');
      return fn === ig.site || fn?.endsWith(`.${ig.site}`) === true;
    });
    if (!hit) return false;
  }
  if (ig.package) {
    const needle = `node_modules/${ig.package}/`;
    if (!all.some((fr) => fr.file.split(path.sep).join('/').includes(needle))) return false;
  }
  return true;
}

/**
 * Applies a config to findings: severity overrides ('off' drops), path ignores
 * (globs relative to the config's directory), runtime ignores.
 * Finding paths are relative to `cwd`.
 */
export function applyConfig(findings: readonly Finding[], config: AsyncsanConfig, options: { cwd: string; configDir?: string }): FilterResult {
  const configDir = options.configDir ?? options.cwd;
  const pathMatchers = (config.ignores ?? []).map((g) => ({ glob: g, match: picomatch(g, { dot: true }) }));
  const kept: Finding[] = [];
  const ignored: FilterResult['ignored'] = [];
  for (const f of findings) {
    const setting = config.severity?.[f.id];
    if (setting && normalizeSeverity(setting) === 'off') {
      ignored.push({ finding: f, reason: `"${f.id}" is off in the config` });
      continue;
    }
    if (f.location && pathMatchers.length > 0) {
      const rel = path.relative(configDir, path.resolve(options.cwd, f.location.file)).split(path.sep).join('/');
      const hit = pathMatchers.find((m) => m.match(rel));
      if (hit) {
        ignored.push({ finding: f, reason: `path matches ignore "${hit.glob}"` });
        continue;
      }
    }
    if (f.engine === 'tracer') {
      const ig = config.runtimeIgnores?.find((r) => matchesRuntimeIgnore(f, r, options.cwd));
      if (ig) {
        ignored.push({ finding: f, reason: ig.reason ?? 'runtime ignore' });
        continue;
      }
    }
    const severity = setting ? normalizeSeverity(setting) : undefined;
    kept.push(severity && severity !== 'off' && severity !== f.severity ? { ...f, severity } : f);
  }
  return { findings: kept, ignored };
}

/**
 * The config's path `ignores` as a test on a file relative to `cwd`: a file the
 * config ignores has no findings, and no "could not be analysed" either.
 */
export function ignoredPath(config: AsyncsanConfig, options: { cwd: string; configDir?: string }): (file: string) => boolean {
  const configDir = options.configDir ?? options.cwd;
  const match = (config.ignores ?? []).length > 0 ? picomatch(config.ignores!, { dot: true }) : undefined;
  if (!match) return () => false;
  return (file) => match(path.relative(configDir, path.resolve(options.cwd, file)).split(path.sep).join('/'));
}
