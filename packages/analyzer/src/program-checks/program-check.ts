/**
 * The contract of a whole-program check. Per-file checks (@asyncsan/checks)
 * see one file and the type checker; a program check also needs to know what
 * functions in other files do. It works in two steps so that files can be
 * processed on any thread:
 *
 * 1. `summarize` runs once per project file with the checker and returns plain
 *    JSON-serialisable data (what each function in the file does). Functions
 *    and locks are named by stable keys (`file:offset` of their declaration)
 *    that are the same in every Program built from the same sources.
 * 2. `conclude` runs once, in the main thread, over every file's summary
 *    (ordered by file name) and returns the reports.
 */
import type { ts } from 'ts-morph';
import type { HazardId } from '@asyncsan/core';

export interface SummaryContext {
  ts: typeof ts;
  program: ts.Program;
  checker: ts.TypeChecker;
  sourceFile: ts.SourceFile;
}

/** 1-based positions, like Finding locations. */
export interface Span {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export interface ProgramReport {
  messageId: string;
  data?: Record<string, string>;
  location: Span;
  related?: { label: string; location: Span }[];
}

export interface ConcludeContext {
  /** True for files under the analysed paths: only those may carry a report's location. */
  isAnalyzed(file: string): boolean;
}

export interface ProgramCheck<Summary = unknown> {
  /** The hazard id from @asyncsan/core's catalog. */
  id: HazardId;
  /** messageId -> message template with {{placeholders}}. */
  messages: Record<string, string>;
  /**
   * Whether files outside the analysed paths must be summarised too (their
   * summaries can complete a report located in an analysed file, like the
   * other path of a lock-order inversion). Checks that only report what a
   * file's own summary shows leave it unset, and those files are skipped.
   */
  needsAllFiles?: boolean;
  summarize(ctx: SummaryContext): Summary | undefined;
  conclude(summaries: ReadonlyMap<string, Summary>, ctx: ConcludeContext): ProgramReport[];
}

/**
 * One `T` per Program, made from the first file's context that asks: what a check
 * memoises about functions across the files of one Program (each worker thread
 * builds its own Program, and so its own `T`).
 */
export function perProgram<T>(create: (ctx: SummaryContext) => T): (ctx: SummaryContext) => T {
  const made = new WeakMap<object, T>();
  return (ctx) => {
    let value = made.get(ctx.program);
    if (value === undefined) made.set(ctx.program, (value = create(ctx)));
    return value;
  };
}

/**
 * The conclusion of a check whose summaries already hold what to report: each item
 * located in an analysed file becomes a report, in summary order.
 */
export function reportsInAnalyzedFiles<Summary, Item extends { site: Span }>(
  summaries: ReadonlyMap<string, Summary>,
  ctx: ConcludeContext,
  items: (summary: Summary) => readonly Item[],
  report: (item: Item) => ProgramReport,
): ProgramReport[] {
  const reports: ProgramReport[] = [];
  for (const s of summaries.values()) {
    for (const item of items(s)) if (ctx.isAnalyzed(item.site.file)) reports.push(report(item));
  }
  return reports;
}

/** Identity helper that keeps the Summary type. */
export function defineProgramCheck<Summary>(check: ProgramCheck<Summary>): ProgramCheck<Summary> {
  return check;
}
