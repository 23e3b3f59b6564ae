/**
 * A lazy module load (`if (!cache) { const m = await import('x'); cache = m.hash }`, `x ||= (await import('x')).X`):
 * every wait between the read and the write is a dynamic import of a literal specifier, which the module loader runs
 * once and shares, and the value written is that module or a member of it (no call, no `new`), or a global's property
 * on another branch (`hasWindow ? window.fetch : (await import('node:https')).request`): concurrent callers write the
 * same value, so neither check-then-act nor lost-update has anything to lose.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { unwrap } from './locations.js';

export function writesImportedModule(ts: TypeScript, checker: TS.TypeChecker, write: TS.Expression, waits: readonly TS.Node[]): boolean {
  const isImport = (n: TS.Node): boolean => {
    const e = ts.isAwaitExpression(n) ? unwrap(ts, n.expression) : n;
    return ts.isCallExpression(e) && e.expression.kind === ts.SyntaxKind.ImportKeyword && e.arguments.length >= 1 && ts.isStringLiteralLike(e.arguments[0]!);
  };
  if (waits.length === 0 || !waits.every(isImport) || !ts.isBinaryExpression(write) || !isPlainOrLogicalAssignment(ts, write.operatorToken.kind)) return false;
  const isGlobal = (id: TS.Identifier) => (checker.getSymbolAtLocation(id)?.getDeclarations() ?? []).some((d) => d.getSourceFile().isDeclarationFile);
  const fromModule = (x: TS.Expression, depth: number, imported: boolean): boolean => {
    const e = unwrap(ts, x);
    if (ts.isAwaitExpression(e)) return isImport(e);
    if (ts.isConditionalExpression(e)) return fromModule(e.whenTrue, depth, true) && fromModule(e.whenFalse, depth, true) && [e.whenTrue, e.whenFalse].some((b) => fromModule(b, depth, false));
    if (ts.isPropertyAccessExpression(e)) return fromModule(e.expression, depth, imported);
    if (!ts.isIdentifier(e) || depth > 3) return false;
    // The other branch of a conditional may read a global's property (`window.fetch`): the same value for every caller.
    if (imported && (e.text === 'globalThis' || isGlobal(e))) return true;
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) return fromModule(decl.initializer, depth + 1, imported);
    // `const { xxh3 } = await import('x')`
    if (decl && ts.isBindingElement(decl) && !decl.dotDotDotToken && ts.isObjectBindingPattern(decl.parent) && ts.isVariableDeclaration(decl.parent.parent) && decl.parent.parent.initializer) return fromModule(decl.parent.parent.initializer, depth + 1, imported);
    return false;
  };
  return fromModule(write.right, 0, false);
}

/** `=`, `||=`, `??=`, `&&=`: the value written is the right side (not combined with the old one). */
function isPlainOrLogicalAssignment(ts: TypeScript, kind: TS.SyntaxKind): boolean {
  const SK = ts.SyntaxKind;
  return kind === SK.EqualsToken || kind === SK.BarBarEqualsToken || kind === SK.QuestionQuestionEqualsToken || kind === SK.AmpersandAmpersandEqualsToken;
}
