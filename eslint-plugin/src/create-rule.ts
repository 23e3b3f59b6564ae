/**
 * The ESLint adapter: one Check from @asyncsan/checks becomes one ESLint rule.
 * No check logic lives here; the rule finds the TypeScript program through
 * typescript-eslint's parser services, runs the check once per file and maps
 * offsets to ESLint locations.
 */
// The user's own TypeScript (a peer dependency), the copy typescript-eslint built the program with.
// Its default export is the namespace; the cast bridges the `import ts` vs `import * as ts` typings.
import ts from 'typescript';
import { ESLintUtils, type TSESLint } from '@typescript-eslint/utils';
import { runCheck, type Check, type TextEdit, type TypeScript } from '@asyncsan/checks';
import { docsUrl, requireEntry } from '@asyncsan/core';

export interface AsyncsanRuleDocs {
  description: string;
  url: string;
  recommended: boolean;
  requiresTypeChecking: true;
}

export type AsyncsanRule = TSESLint.RuleModule<string, [Record<string, unknown>?], AsyncsanRuleDocs>;

function toFixes(fixer: TSESLint.RuleFixer, edits: readonly TextEdit[]): TSESLint.RuleFix[] {
  return edits.map((e) => fixer.replaceTextRange([e.start, e.end], e.text));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each check has its own Options type
export function createRule(check: Check<any>): AsyncsanRule {
  const entry = requireEntry(check.id);
  return {
    meta: {
      type: 'problem',
      docs: {
        description: entry.description,
        url: docsUrl(check.id),
        recommended: entry.recommended,
        requiresTypeChecking: true,
      },
      messages: check.messages,
      schema: [check.schema as never],
      ...(check.fixable ? { fixable: 'code' as const } : {}),
      ...(check.hasSuggestions ? { hasSuggestions: true } : {}),
      defaultOptions: [check.defaultOptions as Record<string, unknown>],
    },
    defaultOptions: [check.defaultOptions as Record<string, unknown>],
    create(context) {
      const services = ESLintUtils.getParserServices(context);
      const program = services.program;
      const sourceFile = services.esTreeNodeToTSNodeMap.get(context.sourceCode.ast) as unknown as ts.SourceFile;
      const options = context.options[0] ?? {};
      return {
        'Program:exit'() {
          // Every source file of the program is read, as in `asyncsan check`: a typed rule already depends on other
          // files through their types (typescript-eslint documents that ESLint's cache and an editor's open files can
          // hold results made stale by an edit elsewhere), and reading one file only reported callees it could not see.
          for (const r of runCheck(ts as unknown as TypeScript, program, sourceFile, check, options)) {
            context.report({
              loc: {
                start: { line: r.line, column: r.column - 1 },
                end: { line: r.endLine, column: r.endColumn - 1 },
              },
              messageId: r.messageId,
              ...(r.data ? { data: r.data } : {}),
              ...(r.fix ? { fix: (fixer: TSESLint.RuleFixer) => toFixes(fixer, r.fix!) } : {}),
              ...(r.suggestions.length > 0
                ? {
                    suggest: r.suggestions.map((s) => ({
                      messageId: s.messageId,
                      ...(s.data ? { data: s.data } : {}),
                      fix: (fixer: TSESLint.RuleFixer) => toFixes(fixer, s.edits),
                    })),
                  }
                : {}),
            });
          }
        },
      };
    },
  };
}
