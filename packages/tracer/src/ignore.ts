/**
 * Runtime ignores: by hazard id, by creation site (a function name, exact or
 * `Class.method`, or a file glob matched against any frame), by npm package
 * (any frame inside node_modules/<package>/), and by location file.
 * Every rule may say why; the tracer keeps the reason with the rule and shows
 * it with the findings it dropped (verbose output). Snapshots of what is alive
 * (ignoreCurrent()) are rules too: see ignore-current.ts.
 */
import type { Finding, StackFrame } from '@asyncsan/core';
import { packageOf } from './attribute.js';
import type { CurrentSnapshot } from './ignore-current.js';

export interface IgnoreRule {
  /** Hazard id; with nothing else, ignores the id altogether. */
  id?: string;
  /** Function name (exact, or `Class.method`) or file glob (relative to cwd) of a stack frame. */
  site?: string;
  /** npm package name whose frames in node_modules match. */
  package?: string;
  /** Location file (relative to cwd): a substring or a pattern. */
  file?: string | RegExp;
  /** Why: kept with the rule for readers and verbose output. */
  reason?: string;
  /**
   * What was alive at a `tracer.ignoreCurrent()` call (goleak's IgnoreCurrent): the rule
   * that call returns. It matches objects, not findings: the other fields are not used with it.
   */
  current?: CurrentSnapshot;
}

/** `**` any path, `*` any name part, `?` one character. */
export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

function frames(f: Finding): StackFrame[] {
  return (f.stacks ?? []).flatMap((s) => s.frames);
}

const bareName = (name: string) => name.replace(/^async /, '').replace(/^new /, '');

function siteMatches(site: string, f: Finding): boolean {
  const isGlob = /[*?/]/.test(site) || /\.[cm]?[jt]sx?$/.test(site);
  if (isGlob) {
    const re = globToRegExp(site);
    return frames(f).some((fr) => re.test(fr.file)) || (f.location !== undefined && re.test(f.location.file));
  }
  return frames(f).some((fr) => {
    if (fr.function === undefined) return false;
    const name = bareName(fr.function);
    // V8 names methods `Class.method` and module functions `Module.fn` / `Object.fn`.
    return name === site || (!site.includes('.') && name.endsWith(`.${site}`));
  });
}

export function matchesIgnore(rule: IgnoreRule, f: Finding): boolean {
  if (rule.current !== undefined) return false;
  if (rule.id !== undefined && rule.id !== f.id) return false;
  if (rule.site !== undefined && !siteMatches(rule.site, f)) return false;
  if (rule.package !== undefined && !frames(f).some((fr) => packageOf(fr.file) === rule.package)) return false;
  if (rule.file !== undefined) {
    const file = f.location?.file;
    if (file === undefined) return false;
    if (typeof rule.file === 'string' ? !file.includes(rule.file) : !rule.file.test(file)) return false;
  }
  return rule.id !== undefined || rule.site !== undefined || rule.package !== undefined || rule.file !== undefined;
}
