/**
 * A busy flag used as a lock: the code checks the flag and leaves when it is
 * set, sets it synchronously, and clears it when the work ends, so two runs of
 * that work never overlap.
 *
 *   if (this.polling) return;            if (running) return;
 *   this.polling = true;                 running = true;
 *   try { … await … }                    (async () => { … await … })()
 *   finally { this.polling = false; }      .finally(() => { running = false; });
 *
 * The first shape guards the rest of the function; the second guards the
 * whole body of the async IIFE it starts. The flag is a `this.x` field or a
 * variable, matched by its text.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { isFunctionLike } from '../util/syntax.js';
import { unwrap } from './locations.js';

export interface Region {
  start: number;
  end: number;
}

/** The span of `fn` that runs while a busy flag is held, or undefined. */
export function busyFlagRegion(ts: TypeScript, fn: TS.FunctionLikeDeclaration): Region | undefined {
  const body = fn.body;
  if (!body || !ts.isBlock(body)) return undefined;
  // The function guards its own rest.
  const own = guardBefore(ts, body.statements, body.statements.length);
  if (own && clearsInFinally(ts, body, own.flag)) return { start: own.set.end, end: body.end };
  // An async IIFE started under the guard by its enclosing function.
  const call = iifeCall(ts, fn);
  const stmt = call && statementOf(ts, call);
  if (!call || !stmt || !ts.isBlock(stmt.parent)) return undefined;
  const outer = stmt.parent.statements;
  const guard = guardBefore(ts, outer, outer.indexOf(stmt));
  if (!guard) return undefined;
  if (clearsInFinally(ts, body, guard.flag) || clearedByFinallyCallback(ts, call, guard.flag)) return { start: body.pos, end: body.end };
  return undefined;
}

/** `if (F) return;` followed, before `limit` and with no await in between, by `F = true;`. */
function guardBefore(ts: TypeScript, statements: readonly TS.Statement[], limit: number): { flag: string; set: TS.Statement } | undefined {
  for (let i = 0; i < limit; i++) {
    const s = statements[i]!;
    if (!ts.isIfStatement(s) || s.elseStatement || !leaves(ts, s.thenStatement)) continue;
    const flag = flagText(ts, s.expression);
    if (!flag) continue;
    for (let j = i + 1; j < limit; j++) {
      const t = statements[j]!;
      if (assigns(ts, t, flag, ts.SyntaxKind.TrueKeyword)) return { flag, set: t };
      if (containsAwait(ts, t)) break;
    }
  }
  return undefined;
}

export function leaves(ts: TypeScript, s: TS.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s)) return true;
  return ts.isBlock(s) && s.statements.length > 0 && leaves(ts, s.statements[s.statements.length - 1]!);
}

/** `this.busy` or `busy` (also `this.busy === true`): the text of the flag. */
export function flagText(ts: TypeScript, cond: TS.Expression): string | undefined {
  let e = unwrap(ts, cond);
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken && e.right.kind === ts.SyntaxKind.TrueKeyword) {
    e = unwrap(ts, e.left);
  }
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) return `this.${e.name.text}`;
  return undefined;
}

function assigns(ts: TypeScript, s: TS.Node, flag: string, value: TS.SyntaxKind): boolean {
  if (!ts.isExpressionStatement(s)) return false;
  const e = unwrap(ts, s.expression);
  return (
    ts.isBinaryExpression(e) &&
    e.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    flagText(ts, e.left) === flag &&
    unwrap(ts, e.right).kind === value
  );
}

/** A `finally` block of the function (not of a nested one) that sets the flag back to false. */
function clearsInFinally(ts: TypeScript, body: TS.Block, flag: string): boolean {
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found || isFunctionLike(ts, n)) return;
    if (ts.isTryStatement(n) && n.finallyBlock && n.finallyBlock.statements.some((s) => assigns(ts, s, flag, ts.SyntaxKind.FalseKeyword))) {
      found = true;
      return;
    }
    ts.forEachChild(n, walk);
  };
  ts.forEachChild(body, walk);
  return found;
}

/** `(async () => …)().catch(…).finally(() => { F = false })`. */
function clearedByFinallyCallback(ts: TypeScript, call: TS.CallExpression, flag: string): boolean {
  for (let e: TS.Node = call; ; ) {
    const p = e.parent;
    if (!p || !ts.isPropertyAccessExpression(p) || !ts.isCallExpression(p.parent) || p.parent.expression !== p) return false;
    if (p.name.text === 'finally') {
      const cb = p.parent.arguments[0];
      if (cb && (ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) {
        const stmts = ts.isBlock(cb.body) ? cb.body.statements : [];
        if (stmts.some((s) => assigns(ts, s, flag, ts.SyntaxKind.FalseKeyword))) return true;
        if (!ts.isBlock(cb.body)) {
          const b = unwrap(ts, cb.body);
          if (ts.isBinaryExpression(b) && flagText(ts, b.left) === flag && unwrap(ts, b.right).kind === ts.SyntaxKind.FalseKeyword) return true;
        }
      }
    }
    e = p.parent;
  }
}

function iifeCall(ts: TypeScript, fn: TS.Node): TS.CallExpression | undefined {
  let child: TS.Node = fn;
  let p = fn.parent;
  while (p && ts.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  return p && ts.isCallExpression(p) && p.expression === child ? p : undefined;
}

/** The expression statement a call chain (`(…)().catch(…).finally(…)`) stands in. */
function statementOf(ts: TypeScript, call: TS.Node): TS.Statement | undefined {
  let n: TS.Node = call;
  while (n.parent && (ts.isPropertyAccessExpression(n.parent) || ts.isCallExpression(n.parent) || ts.isParenthesizedExpression(n.parent) || ts.isVoidExpression(n.parent))) {
    n = n.parent;
  }
  return n.parent && ts.isExpressionStatement(n.parent) ? n.parent : undefined;
}

export function containsAwait(ts: TypeScript, n: TS.Node): boolean {
  if (ts.isAwaitExpression(n)) return true;
  if (isFunctionLike(ts, n)) return false;
  return !!ts.forEachChild(n, (c) => containsAwait(ts, c) || undefined);
}
