/**
 * The contract of a static check. A check is written once, on the TypeScript
 * AST and TypeChecker, and run by both front ends: the ESLint rule
 * (eslint-plugin/src/rules/<id>.ts) and the analyser (`asyncsan check`).
 *
 * The `typescript` module is passed in (`ctx.ts`), never imported as a value:
 * ESLint hands us the user's copy, ts-morph bundles its own, and SyntaxKind
 * numbers can differ between copies. Only `import type` from 'typescript' here.
 */
import type * as TS from 'typescript';
import type { HazardId } from '@asyncsan/core';

export type TypeScript = typeof TS;

/** A replacement of source text [start, end) by `text` (offsets into the source file). */
export interface TextEdit {
  start: number;
  end: number;
  text: string;
}

export interface Suggestion {
  messageId: string;
  data?: Record<string, string>;
  edits: TextEdit[];
}

export interface CheckReport {
  /** The node the finding is reported on (its full span, without leading trivia). */
  node: TS.Node;
  messageId: string;
  data?: Record<string, string>;
  /** Editor suggestions (never applied by --fix). */
  suggestions?: Suggestion[];
  /** A safe autofix, applied by eslint --fix. */
  fix?: TextEdit[];
  related?: { label: string; node: TS.Node }[];
  /** How to fix this report, when the catalog's hint for the id does not fit it (written into the finding). */
  hint?: string;
}

export interface CheckContext<Options = Record<string, unknown>> {
  ts: TypeScript;
  program: TS.Program;
  checker: TS.TypeChecker;
  sourceFile: TS.SourceFile;
  /** Options after defaults are applied (the ESLint schema has validated them). */
  options: Options;
  report(report: CheckReport): void;
}

export interface Check<Options = Record<string, unknown>> {
  /** The hazard id from @asyncsan/core's catalog. */
  id: HazardId;
  /** messageId -> message template with {{placeholders}} (ESLint's syntax). */
  messages: Record<string, string>;
  /** JSON schema of the single options object (ESLint rule schema). */
  schema: Record<string, unknown>;
  defaultOptions: Options;
  /**
   * Options the strict set adds to the defaults (the ESLint plugin's `strict` config, `asyncsan check --strict`):
   * reports the recommended set leaves out because they are mostly harmless on real code.
   */
  strictOptions?: Partial<Options>;
  /** Whether any report carries an autofix (ESLint meta.fixable). */
  fixable?: boolean;
  /** Whether any report carries suggestions (ESLint meta.hasSuggestions). */
  hasSuggestions?: boolean;
  run(ctx: CheckContext<Options>): void;
}

/** Identity helper that keeps the Options type. */
export function defineCheck<Options>(check: Check<Options>): Check<Options> {
  return check;
}
