/** Syntax helpers shared by the checks (no type checker needed). */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';

/** Strips parentheses, which ESTree does not have either. */
export function skipParens(ts: TypeScript, node: TS.Expression): TS.Expression {
  let n = node;
  while (ts.isParenthesizedExpression(n)) n = n.expression;
  return n;
}

/** `null` or `undefined` written as such (in parentheses too). */
export function isNullishLiteral(ts: TypeScript, node: TS.Expression): boolean {
  const e = skipParens(ts, node);
  return e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined');
}

/** Walks up through parentheses. */
export function parentSkippingParens(ts: TypeScript, node: TS.Node): TS.Node {
  let p = node.parent;
  while (p && ts.isParenthesizedExpression(p)) p = p.parent;
  return p;
}

/** The static name of a member access callee (`a.b`, `a['b']`), or undefined. */
export function memberName(ts: TypeScript, expr: TS.Expression): string | undefined {
  const e = skipParens(ts, expr);
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  if (ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression)) return e.argumentExpression.text;
  return undefined;
}

/** The object of a member access callee. */
export function memberObject(ts: TypeScript, expr: TS.Expression): TS.Expression | undefined {
  const e = skipParens(ts, expr);
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) return e.expression;
  return undefined;
}

/** The name written at a call site: `f()` -> f, `a.b.c()` -> c. */
export function calleeName(ts: TypeScript, call: TS.CallExpression | TS.NewExpression): string | undefined {
  const callee = skipParens(ts, call.expression);
  if (ts.isIdentifier(callee)) return callee.text;
  return memberName(ts, callee);
}

/** `Promise.all(...)` and friends: returns the method name when the callee is `Promise.<method>`. */
export function promiseStaticMethod(ts: TypeScript, call: TS.CallExpression): string | undefined {
  const callee = skipParens(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee)) return undefined;
  const obj = skipParens(ts, callee.expression);
  if (!ts.isIdentifier(obj) || obj.text !== 'Promise') return undefined;
  return callee.name.text;
}

export function isFunctionLike(ts: TypeScript, node: TS.Node): node is TS.FunctionLikeDeclaration {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node) ||
    ts.isConstructorDeclaration(node)
  );
}

/**
 * Every other mention of the declared `name` inside `scope` (its uses, found by symbol, not by text alone; an
 * `export { name }` is a use too: its alias is resolved).
 */
export function referencesIn(ts: TypeScript, checker: TS.TypeChecker, scope: TS.Node, name: TS.Identifier): TS.Identifier[] {
  const symbolAt = (id: TS.Identifier) => {
    const s = checker.getSymbolAtLocation(id);
    return s && s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
  };
  const symbol = symbolAt(name);
  const found: TS.Identifier[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isIdentifier(n) && n !== name && n.text === name.text && symbolAt(n) === symbol) found.push(n);
    else ts.forEachChild(n, visit);
  };
  if (symbol) visit(scope);
  return found;
}

/** `=`, `+=`, `??=` and the other assignment operators. */
export function isAssignmentOperator(ts: TypeScript, kind: TS.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}

export function hasModifier(ts: TypeScript, node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

export function isAsyncFunction(ts: TypeScript, node: TS.Node): boolean {
  return isFunctionLike(ts, node) && hasModifier(ts, node, ts.SyntaxKind.AsyncKeyword);
}

/** The nearest enclosing function-like, or undefined at module level. */
export function enclosingFunction(ts: TypeScript, node: TS.Node): TS.FunctionLikeDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (isFunctionLike(ts, p)) return p;
    if (ts.isClassStaticBlockDeclaration(p)) return undefined;
  }
  return undefined;
}

/** True when `await` may be written at `node`: inside an async function, or at the top level of an ES module. */
export function canAwaitAt(ts: TypeScript, node: TS.Node, sourceFile: TS.SourceFile): boolean {
  const fn = enclosingFunction(ts, node);
  if (fn) return isAsyncFunction(ts, fn);
  for (let p = node.parent; p; p = p.parent) if (ts.isClassStaticBlockDeclaration(p)) return false;
  return ts.isExternalModule(sourceFile) && sourceFile.impliedNodeFormat !== ts.ModuleKind.CommonJS;
}

/** Whether an expression must be parenthesised to be the operand of a prefix unary operator (`await x`, `void x`). */
export function needsParensForUnary(ts: TypeScript, expr: TS.Expression): boolean {
  const SK = ts.SyntaxKind;
  switch (expr.kind) {
    case SK.BinaryExpression:
    case SK.ConditionalExpression:
    case SK.ArrowFunction:
    case SK.YieldExpression:
    case SK.AsExpression:
    case SK.SatisfiesExpression:
    case SK.CommaListExpression:
      return true;
    default:
      return false;
  }
}

/** Whether an expression must be parenthesised to be the object of a member access (`x.catch(…)`). */
export function needsParensForMember(ts: TypeScript, expr: TS.Expression): boolean {
  const SK = ts.SyntaxKind;
  switch (expr.kind) {
    case SK.Identifier:
    case SK.CallExpression:
    case SK.PropertyAccessExpression:
    case SK.ElementAccessExpression:
    case SK.ParenthesizedExpression:
    case SK.ThisKeyword:
    case SK.NonNullExpression:
    case SK.TaggedTemplateExpression:
    case SK.ArrayLiteralExpression:
      return false;
    case SK.NewExpression:
      return (expr as TS.NewExpression).arguments === undefined;
    default:
      return true;
  }
}

/** Visits every descendant of `node` without entering nested functions (or classes). */
export function forEachInFunctionBody(ts: TypeScript, node: TS.Node, visit: (n: TS.Node) => void): void {
  const walk = (n: TS.Node): void => {
    visit(n);
    if (isFunctionLike(ts, n) || ts.isClassLike(n)) return;
    ts.forEachChild(n, walk);
  };
  ts.forEachChild(node, walk);
}

/**
 * The node's statement is a statement of a `try` block that has a catch, and every statement of that block is a call
 * or other expression without `await` or `yield` (graphile-worker's `try { release(); } catch (e) { log(e); }`): the
 * catch can only be meant for what those expressions throw. A try that also awaits, declares or branches has a catch
 * for those, and says nothing about the dropped call.
 */
export function inTryAroundCalls(ts: TypeScript, node: TS.Node): boolean {
  let stmt = node;
  while (stmt.parent && !ts.isBlock(stmt.parent)) {
    if (isFunctionLike(ts, stmt.parent) || ts.isSourceFile(stmt.parent) || ts.isClassLike(stmt.parent)) return false;
    stmt = stmt.parent;
  }
  const block = stmt.parent;
  const tryStmt = block?.parent;
  if (!block || !tryStmt || !ts.isTryStatement(tryStmt) || tryStmt.tryBlock !== block || !tryStmt.catchClause) return false;
  return (block as TS.Block).statements.every((s) => {
    if (!ts.isExpressionStatement(s)) return false;
    let suspends = false;
    forEachInFunctionBody(ts, s, (n) => {
      if (ts.isAwaitExpression(n) || ts.isYieldExpression(n)) suspends = true;
    });
    return !suspends;
  });
}

export function isInside(node: TS.Node, ancestor: TS.Node): boolean {
  return node.pos >= ancestor.pos && node.end <= ancestor.end && node.getSourceFile() === ancestor.getSourceFile();
}

/**
 * The declaration a binding element belongs to (`{ a: [b] } = …` → the variable declaration or parameter), climbing
 * its patterns. Written here: the TypeScript 7 back end's module has no `walkUpBindingElementsAndPatterns`.
 */
export function bindingHolder(ts: TypeScript, el: TS.BindingElement): TS.Node {
  let node: TS.Node = el.parent;
  while (ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node) || ts.isBindingElement(node)) node = node.parent;
  return node;
}
