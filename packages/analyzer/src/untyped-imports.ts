import type * as TS from 'typescript';
import type { TypeScript } from '@asyncsan/checks';
import type { UntypedImport } from './types.js';

/**
 * The static imports and re-exports of `sf` whose module has no types (not found, or a JavaScript file without
 * declarations): TypeScript types their values `any`, and no check can see a promise or an emitter in `any`. A
 * project without @types/node otherwise looks clean (`node:events` unresolved). Either back end: `ts` is the
 * module its nodes belong to.
 */
export function untypedImports(ts: TypeScript, checker: TS.TypeChecker, sf: TS.SourceFile, file: string): UntypedImport[] {
  const out: UntypedImport[] = [];
  for (const s of sf.statements) {
    let spec: TS.Expression | undefined;
    // A side-effect import (`import './polyfill.js'`, a stylesheet) gives no value.
    if (ts.isImportDeclaration(s) && s.importClause) spec = s.moduleSpecifier;
    else if (ts.isExportDeclaration(s) && s.moduleSpecifier) spec = s.moduleSpecifier;
    else if (ts.isImportEqualsDeclaration(s) && ts.isExternalModuleReference(s.moduleReference)) spec = s.moduleReference.expression;
    if (!spec || !ts.isStringLiteralLike(spec)) continue;
    // A module symbol exists once the module resolves to something typed (a file of the program, an ambient module).
    if (checker.getSymbolAtLocation(spec)) continue;
    out.push({ file, line: sf.getLineAndCharacterOfPosition(spec.getStart(sf)).line + 1, module: spec.text });
  }
  return out;
}
