import type { Diagnostic, TestTimeline } from '../document.js';
import type { LineReader } from '../fingerprint.js';
import type { Finding } from '../finding.js';

export interface ReportContext {
  /** Finding paths are relative to this directory. */
  cwd: string;
  toolVersion: string;
  /** ANSI colours (text only). Decided by the caller from --no-color, NO_COLOR and the TTY. */
  color?: boolean;
  /** Findings a baseline hid, for the summary. */
  baselined?: number;
  /** Reads source lines for code frames; defaults to reading files under cwd. */
  readLine?: LineReader;
  /** Set by `asyncsan report --compare old.json`: each finding's status by fingerprint, and what was fixed. */
  comparison?: Comparison;
  /** Per-test timelines of the runtime engine (the json and html reporters show them). */
  timelines?: readonly TestTimeline[];
  /** Files that could not be analysed (syntax errors, failed checks): every format shows them. */
  diagnostics?: readonly Diagnostic[];
}

export interface Comparison {
  /** The file compared against, as the user named it. */
  base: string;
  status: ReadonlyMap<string, 'new' | 'unchanged'>;
  fixed: readonly Finding[];
}

export function statusOf(f: Finding, ctx: ReportContext): 'new' | 'unchanged' | undefined {
  return ctx.comparison ? (ctx.comparison.status.get(f.fingerprint ?? '') ?? 'new') : undefined;
}

export type Reporter = (findings: readonly Finding[], ctx: ReportContext) => string;

/**
 * Decides colour the way most CLIs do: an explicit `--color` / `--no-color`, then
 * NO_COLOR (set and not empty: no colour), then FORCE_COLOR (set and not empty:
 * colour, unless it is "0" or "false"), then whether the stream is a terminal.
 * A file or a pipe gets no escape codes unless asked for.
 */
export function shouldColor(flag: boolean | undefined, stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (flag !== undefined) return flag;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  const force = env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  return stream.isTTY === true;
}

/** "syntax error" / "internal error": what a diagnostic is, in one phrase. */
export function diagnosticKind(d: Diagnostic): string {
  return d.kind === 'internal' ? 'internal error' : 'syntax error';
}

export function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

export function countBySeverity(findings: readonly Finding[]): { error: number; warning: number; info: number } {
  const c = { error: 0, warning: 0, info: 0 };
  for (const f of findings) c[f.severity]++;
  return c;
}

/** " (×N)" after a finding's message when it happened N > 1 times at its site, else "". */
export function timesText(f: Pick<Finding, 'count'>): string {
  return typeof f.count === 'number' && f.count > 1 ? ` (×${f.count})` : '';
}

export function locationText(l: { file: string; line: number; column: number }): string {
  return `${l.file}:${l.line}:${l.column}`;
}
