/**
 * The one result model. Every engine (ESLint rules, the analyser, the tracer)
 * produces `Finding`s and every reporter reads nothing else.
 */

export type Severity = 'error' | 'warning' | 'info';
export type Engine = 'lint' | 'analyzer' | 'tracer';

/** A place in a source file. Lines and columns are 1-based; `file` is relative to the working directory when serialised. */
export interface Location {
  file: string;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
}

export interface RelatedLocation {
  /** What this place is, e.g. "test started here", "second lock taken here". */
  label: string;
  location: Location;
}

export interface StackFrame {
  /** Function name as V8 reports it; absent for anonymous frames. */
  function?: string;
  file: string;
  line: number;
  column: number;
  /** True for frames in node_modules or node: internals; reporters collapse them. */
  external?: boolean;
}

/** One stack: the frames, and for async tasks the chain of stacks that created it ("created at"). */
export interface Stack {
  label?: string;
  frames: StackFrame[];
  /** The stack of the code that started this task, then that task's creator, and so on. */
  createdAt?: Stack;
}

export interface TestRef {
  file: string;
  name: string;
  fullName: string;
}

export interface Finding {
  /** The hazard's kebab-case id, a key of the catalog. */
  id: string;
  severity: Severity;
  message: string;
  engine: Engine;
  /** Where the fix goes. Absent only for findings about a whole process. */
  location?: Location;
  related?: RelatedLocation[];
  stacks?: Stack[];
  /** The test a runtime finding belongs to. */
  test?: TestRef;
  /** Overrides the catalog's fix hint when the engine knows better. */
  hint?: string;
  /**
   * How many times the hazard happened at this location in this scope (a loop that
   * leaks a timer per turn is one finding with a count). Absent means once.
   */
  count?: number;
  /** Stable across unrelated line shifts; used by baselines and `--compare`. */
  fingerprint?: string;
}

const severityRank: Record<Severity, number> = { info: 0, warning: 1, error: 2 };

export function severityAtLeast(severity: Severity, level: Severity): boolean {
  return severityRank[severity] >= severityRank[level];
}

export function isSeverity(value: unknown): value is Severity {
  return value === 'error' || value === 'warning' || value === 'info';
}

/** Deterministic order: file, line, column, id, message. Findings without a location come last. */
export function compareFindings(a: Finding, b: Finding): number {
  const fa = a.location?.file ?? '\uffff';
  const fb = b.location?.file ?? '\uffff';
  if (fa !== fb) return fa < fb ? -1 : 1;
  const d =
    (a.location?.line ?? 0) - (b.location?.line ?? 0) ||
    (a.location?.column ?? 0) - (b.location?.column ?? 0);
  if (d !== 0) return d;
  if (a.id !== b.id) return a.id < b.id ? -1 : 1;
  if (a.message !== b.message) return a.message < b.message ? -1 : 1;
  return (a.test?.fullName ?? '').localeCompare(b.test?.fullName ?? '');
}

export function sortFindings(findings: readonly Finding[]): Finding[] {
  return [...findings].sort(compareFindings);
}

/** How many times a finding happened (its `count`, 1 when absent). */
export function occurrences(f: Pick<Finding, 'count'>): number {
  return typeof f.count === 'number' && f.count > 1 ? f.count : 1;
}

/**
 * One finding per root cause: findings with the same id, severity, location and test become
 * one, whose `count` is the sum of theirs (the first one's message and stacks stay).
 * Findings without a location are kept as they are.
 */
export function mergeBySite(findings: readonly Finding[]): Finding[] {
  const out: Finding[] = [];
  const bySite = new Map<string, number>();
  for (const f of findings) {
    if (!f.location) {
      out.push(f);
      continue;
    }
    const key = `${f.id}\0${f.severity}\0${f.location.file}:${f.location.line}:${f.location.column}\0${f.test?.fullName ?? ''}\0${f.test?.file ?? ''}`;
    const at = bySite.get(key);
    if (at === undefined) {
      bySite.set(key, out.length);
      out.push(f);
      continue;
    }
    const first = out[at]!;
    out[at] = { ...first, count: occurrences(first) + occurrences(f) };
  }
  return out;
}
