/** Small scope questions shared by ownership.ts and fibers.ts. */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { indexFile } from '../util/file-index.js';

export function isArgument(ts: TypeScript, n: TS.Node): boolean {
  let child: TS.Node = n;
  let p = n.parent;
  while (p && ts.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  return !!p && (ts.isCallExpression(p) || ts.isNewExpression(p)) && !!p.arguments?.some((a) => a === child);
}

export function nameOf(ts: TypeScript, decl: TS.Node): TS.Node | undefined {
  return ts.isVariableDeclaration(decl) || ts.isParameter(decl) || ts.isBindingElement(decl) ? decl.name : undefined;
}

export function isWithin(inner: TS.Node, outer: TS.Node): boolean {
  for (let p: TS.Node | undefined = inner; p; p = p.parent) if (p === outer) return true;
  return false;
}

/**
 * The identifiers spelled `text` inside `scope` that can refer to a variable or function, from the
 * file's shared index (no walk of the scope). Property names (`x.text`, `{ text: … }`) are left out:
 * resolving them would make the checker type their object.
 */
export function identifiersIn(ts: TypeScript, scope: TS.Node, text: string): readonly TS.Identifier[] {
  const all = indexFile(ts, scope.getSourceFile()).identifiersByText.get(text);
  if (!all) return [];
  return all.filter((id) => id.pos >= scope.pos && id.end <= scope.end && !isPropertyName(ts, id));
}

function isPropertyName(ts: TypeScript, id: TS.Identifier): boolean {
  const p = id.parent;
  if (ts.isPropertyAccessExpression(p)) return p.name === id;
  if (ts.isQualifiedName(p)) return p.right === id;
  if (ts.isPropertyAssignment(p) || ts.isMethodDeclaration(p) || ts.isPropertyDeclaration(p) || ts.isPropertySignature(p) || ts.isMethodSignature(p)) {
    return p.name === id;
  }
  if (ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p) || ts.isEnumMember(p)) return p.name === id;
  if (ts.isBindingElement(p) || ts.isImportSpecifier(p) || ts.isExportSpecifier(p)) return p.propertyName === id;
  return false;
}

/** The variable or function an identifier refers to; for `{ x }` the variable `x`, not the property. */
export function referencedSymbol(ts: TypeScript, checker: TS.TypeChecker, id: TS.Identifier): TS.Symbol | undefined {
  if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) return checker.getShorthandAssignmentValueSymbol(id.parent);
  return checker.getSymbolAtLocation(id);
}
