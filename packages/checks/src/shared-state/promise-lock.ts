/**
 * A private method run only through a promise lock (mongodb's `MongoClient.connect`):
 *
 *   async connect() {
 *     if (this.connectionLock) return await this.connectionLock;
 *     try { this.connectionLock = this._connect(); await this.connectionLock; }
 *     finally { this.connectionLock = undefined; }
 *   }
 *
 * Every call of the private method stores its promise in one field, in a method that first leaves while that field
 * is set and does not await between the test and the store, and nothing else writes the field: a second run starts
 * only after the first has settled, so two runs of the method never overlap. `this.lock ??= this.m()` is the test
 * and the store in one (matrix-js-sdk's TokenRefresher).
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { enclosingFunction, hasModifier, isAssignmentOperator, parentSkippingParens } from '../util/syntax.js';
import { containsAwait, flagText, leaves } from './busy-flags.js';
import { unwrap } from './locations.js';

export function runsUnderPromiseLock(ts: TypeScript, fn: TS.FunctionLikeDeclaration): boolean {
  if (!ts.isMethodDeclaration(fn) || !fn.body || !ts.isClassLike(fn.parent)) return false;
  const name = fn.name;
  if (!(ts.isPrivateIdentifier(name) || (ts.isIdentifier(name) && hasModifier(ts, fn, ts.SyntaxKind.PrivateKeyword)))) return false;
  const cls = fn.parent;
  // Every mention of the method is a call `this.m(…)`; each stores its promise in the same field, behind a guard.
  const calls: TS.CallExpression[] = [];
  let otherUse = false;
  const findCalls = (n: TS.Node): void => {
    if (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && n.name.text === name.text) {
      const call = parentSkippingParens(ts, n);
      if (ts.isCallExpression(call) && unwrap(ts, call.expression) === n) calls.push(call);
      else otherUse = true;
    }
    ts.forEachChild(n, findCalls);
  };
  ts.forEachChild(cls, findCalls);
  if (otherUse || calls.length === 0) return false;
  let field: string | undefined;
  const lockers = new Set<TS.Node>();
  for (const call of calls) {
    const assign = parentSkippingParens(ts, call);
    if (!ts.isBinaryExpression(assign) || unwrap(ts, assign.right) !== call) return false;
    const op = assign.operatorToken.kind;
    if (op !== ts.SyntaxKind.EqualsToken && op !== ts.SyntaxKind.QuestionQuestionEqualsToken) return false;
    const f = flagText(ts, assign.left);
    if (!f?.startsWith('this.') || (field !== undefined && f !== field)) return false;
    field = f;
    if (!ts.isExpressionStatement(assign.parent)) return false;
    if (op === ts.SyntaxKind.EqualsToken && !guardedStore(ts, assign.parent, f)) return false;
    const locker = enclosingFunction(ts, assign);
    if (!locker) return false;
    lockers.add(locker);
  }
  // Nothing but those methods writes the field (a reset elsewhere could let a second run in).
  let foreignWrite = false;
  const findWrites = (n: TS.Node): void => {
    if (ts.isBinaryExpression(n) && isAssignmentOperator(ts, n.operatorToken.kind) && flagText(ts, n.left) === field) {
      const at = enclosingFunction(ts, n);
      if (!at || !lockers.has(at)) foreignWrite = true;
    }
    ts.forEachChild(n, findWrites);
  };
  ts.forEachChild(cls, findWrites);
  return !foreignWrite;
}

/**
 * The store is preceded, in its function's body, by `if (F) return …;` with no await between them (also when the
 * store opens a `try` block).
 */
function guardedStore(ts: TypeScript, store: TS.ExpressionStatement, flag: string): boolean {
  let s: TS.Statement = store;
  for (;;) {
    const block = s.parent;
    if (!ts.isBlock(block)) return false;
    const before = block.statements.slice(0, block.statements.indexOf(s));
    if (ts.isTryStatement(block.parent) && block.parent.tryBlock === block) {
      if (before.some((x) => containsAwait(ts, x))) return false;
      s = block.parent;
      continue;
    }
    if (!ts.isFunctionLike(block.parent)) return false;
    for (let i = before.length - 1; i >= 0; i--) {
      const x = before[i]!;
      if (ts.isIfStatement(x) && !x.elseStatement && leaves(ts, x.thenStatement) && flagText(ts, x.expression) === flag) return true;
      if (containsAwait(ts, x)) return false;
    }
    return false;
  }
}
