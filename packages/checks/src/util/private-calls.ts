/**
 * What a file-private function is given: when a function is not exported and every mention of it in its file is a
 * direct call, its callers are all known, and so is what each passes at a parameter position.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { hasModifier, referencesIn } from './syntax.js';

/**
 * The argument every call passes at `param`'s position (undefined where a call passes none), when the function
 * declaring it is private to its file (a function declaration or a const-bound arrow or function expression, not
 * exported) and only ever called there directly. Undefined when anything else mentions it (an export list, a
 * reference handed on or stored), when a spread comes at or before the position, or when nothing calls it.
 */
export function privateCallArguments(ts: TypeScript, checker: TS.TypeChecker, param: TS.ParameterDeclaration): (TS.Expression | undefined)[] | undefined {
  const owner = param.parent;
  if (param.dotDotDotToken) return undefined;
  let name: TS.Identifier | undefined;
  let statement: TS.Node | undefined;
  if (ts.isFunctionDeclaration(owner) && owner.name && !hasModifier(ts, owner, ts.SyntaxKind.ExportKeyword)) {
    name = owner.name;
    statement = owner;
  } else if ((ts.isArrowFunction(owner) || ts.isFunctionExpression(owner)) && ts.isVariableDeclaration(owner.parent) && owner.parent.initializer === owner && ts.isIdentifier(owner.parent.name)) {
    const list = owner.parent.parent;
    if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return undefined;
    statement = list.parent;
    if (!ts.isVariableStatement(statement) || hasModifier(ts, statement, ts.SyntaxKind.ExportKeyword)) return undefined;
    name = owner.parent.name;
  }
  if (!name || !statement || !ts.isSourceFile(statement.parent)) return undefined;
  const index = owner.parameters.indexOf(param);
  if (index < 0) return undefined;
  const out: (TS.Expression | undefined)[] = [];
  for (const n of referencesIn(ts, checker, name.getSourceFile(), name)) {
    const call = n.parent;
    if (!ts.isCallExpression(call) || call.expression !== n) return undefined;
    if (call.arguments.slice(0, index + 1).some((a) => ts.isSpreadElement(a))) return undefined;
    out.push(call.arguments[index]);
  }
  return out.length > 0 ? out : undefined;
}
