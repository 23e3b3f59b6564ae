import type * as TS from 'typescript';
import type { Finding, Severity } from '@asyncsan/core';
import { requireEntry } from '@asyncsan/core';
import type { Check, CheckReport, Suggestion, TextEdit, TypeScript } from './check.js';

/** One report of one check, resolved to positions; what both front ends consume. */
export interface CheckResult {
  id: string;
  messageId: string;
  /** The placeholders of the message template (ESLint reports messageId + data). */
  data?: Record<string, string>;
  message: string;
  /** 0-based offsets into the source file. */
  start: number;
  end: number;
  /** 1-based line and column (column counts UTF-16 code units, as ESLint and editors do). */
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  suggestions: (Suggestion & { message: string })[];
  fix?: TextEdit[];
  related: { label: string; file: string; line: number; column: number }[];
  hint?: string;
}

export function formatMessage(template: string, data: Record<string, string> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (all, name: string) => (name in data ? data[name]! : all));
}

function position(sf: TS.SourceFile, offset: number): { line: number; column: number } {
  const lc = sf.getLineAndCharacterOfPosition(offset);
  return { line: lc.line + 1, column: lc.character + 1 };
}

/**
 * Runs one check on one source file. Options are merged over the check's defaults.
 * A check may read the bodies of functions in every source file of the program, in
 * both front ends (ESLint's and the analyser's program).
 */
export function runCheck<O>(
  ts: TypeScript,
  program: TS.Program,
  sourceFile: TS.SourceFile,
  check: Check<O>,
  options?: Partial<O>,
): CheckResult[] {
  const results: CheckResult[] = [];
  const checker = program.getTypeChecker();
  const report = (r: CheckReport) => {
    const start = r.node.getStart(sourceFile);
    const end = r.node.getEnd();
    const template = check.messages[r.messageId];
    if (template === undefined) throw new Error(`check ${check.id}: unknown messageId "${r.messageId}"`);
    const s = position(sourceFile, start);
    const e = position(sourceFile, end);
    results.push({
      id: check.id,
      messageId: r.messageId,
      ...(r.data ? { data: r.data } : {}),
      message: formatMessage(template, r.data),
      start,
      end,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
      suggestions: (r.suggestions ?? []).map((sg) => ({
        ...sg,
        message: formatMessage(check.messages[sg.messageId] ?? sg.messageId, sg.data),
      })),
      fix: r.fix,
      related: (r.related ?? []).map((rel) => {
        const relSf = rel.node.getSourceFile();
        const p = position(relSf, rel.node.getStart(relSf));
        return { label: rel.label, file: relSf.fileName, ...p };
      }),
      ...(r.hint !== undefined ? { hint: r.hint } : {}),
    });
  };
  check.run({
    ts,
    program,
    checker,
    sourceFile,
    options: { ...check.defaultOptions, ...(options ?? {}) } as O,
    report,
  });
  return results;
}

/**
 * Turns results into Findings. `relativize` maps an absolute file name to the
 * path written into the finding (relative to the working directory).
 */
export function toFindings(
  results: readonly CheckResult[],
  file: string,
  options: { engine: 'lint' | 'analyzer'; relativize?: (file: string) => string; severity?: (id: string) => Severity },
): Finding[] {
  const rel = options.relativize ?? ((f: string) => f);
  return results.map((r) => ({
    id: r.id,
    severity: options.severity?.(r.id) ?? requireEntry(r.id).defaultSeverity,
    message: r.message,
    engine: options.engine,
    location: { file: rel(file), line: r.line, column: r.column, endLine: r.endLine, endColumn: r.endColumn },
    ...(r.hint !== undefined ? { hint: r.hint } : {}),
    ...(r.related.length > 0
      ? { related: r.related.map((x) => ({ label: x.label, location: { file: rel(x.file), line: x.line, column: x.column } })) }
      : {}),
  }));
}
