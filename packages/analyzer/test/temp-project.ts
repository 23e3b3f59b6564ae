/** Small throwaway projects on disk for API tests (a mini-project per test, as knip does). */
import type * as TS from 'typescript';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineCheck } from '@asyncsan/checks';

export const baseCompilerOptions = {
  target: 'ES2022',
  lib: ['ES2023'],
  module: 'NodeNext',
  moduleResolution: 'NodeNext',
  strict: true,
  noEmit: true,
  types: [],
};

export interface TempProject {
  dir: string;
  write(file: string, text: string): string;
  cleanup(): void;
}

export function tempProject(files: Record<string, string> = {}): TempProject {
  const dir = mkdtempSync(path.join(tmpdir(), 'asyncsan-analyzer-'));
  const write = (file: string, text: string) => {
    const full = path.join(dir, file);
    mkdirSync(path.dirname(full), { recursive: true });
    writeFileSync(full, text);
    return full;
  };
  for (const [f, t] of Object.entries(files)) write(f, t);
  return { dir, write, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const tsconfigJson = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({ compilerOptions: baseCompilerOptions, ...extra }, null, 2);

/**
 * A test check that needs the type checker across files: it reports every call
 * whose callee resolves to a function declared with the name `hazard`.
 * (It borrows a catalogued id; the tests run it alone.)
 */
export const hazardCallCheck = defineCheck<{ name: string }>({
  id: 'floating-promise',
  messages: { call: 'call to {{name}}' },
  schema: {},
  defaultOptions: { name: 'hazard' },
  run(ctx) {
    const { ts, checker, sourceFile } = ctx;
    const visit = (node: TS.Node): void => {
      if (ts.isCallExpression(node)) {
        const decl = checker.getResolvedSignature(node)?.getDeclaration();
        if (decl && ts.isFunctionDeclaration(decl) && decl.name?.text === ctx.options.name) {
          ctx.report({ node, messageId: 'call', data: { name: decl.name.text } });
        }
      }
      ts.forEachChild(node, visit);
    };
    visit(sourceFile);
  },
});
