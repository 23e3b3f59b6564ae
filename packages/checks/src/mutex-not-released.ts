/**
 * mutex-not-released: an async-mutex Mutex/Semaphore (or anything with an
 * acquire/release pair, by type) is acquired with `await m.acquire()` and not
 * released in a `finally` that covers everything after the acquire.
 * runExclusive and `await using` release by construction and are fine.
 */
import type * as TS from 'typescript';
import { defineCheck } from './check.js';
import type { TypeScript } from './check.js';
import { accessRoot, unwrap } from './shared-state/locations.js';
import { isFunctionLike } from './util/syntax.js';
import { indexFile } from './util/file-index.js';

export interface MutexNotReleasedOptions {
  /** Extra method names that acquire a lock (in addition to `acquire`). */
  acquireMethods: string[];
}

const RELEASE_METHODS = ['release', 'unlock', 'releaseLock'];

type Releaser = { kind: 'call'; name: string } | { kind: 'method'; receiver: string };

export const mutexNotReleased = defineCheck<MutexNotReleasedOptions>({
  id: 'mutex-not-released',
  messages: {
    notInFinally:
      '{{lock}} is acquired here but not released in a finally block: if anything between the acquire and {{release}} throws or returns early, the lock stays held and every later caller waits forever. Wrap the critical section in try { … } finally { {{release}} }, or use {{lock}}.runExclusive(…).',
    neverReleased:
      '{{lock}} is acquired here and never released in this function: every later caller waits forever. Release it in a finally block ({{release}}), or use {{lock}}.runExclusive(…).',
  },
  schema: {
    type: 'object',
    properties: {
      acquireMethods: {
        type: 'array',
        items: { type: 'string' },
        uniqueItems: true,
        description: 'Method names that acquire a lock, in addition to acquire (e.g. "lock").',
      },
    },
    additionalProperties: false,
  },
  defaultOptions: { acquireMethods: [] },
  run(ctx) {
    const { ts, checker, sourceFile } = ctx;
    const acquireNames = new Set(['acquire', ...ctx.options.acquireMethods]);
    // The shared file index lists the awaits in source order: no walk of our own.
    for (const node of indexFile(ts, sourceFile).awaits) {
      const call = unwrap(ts, node.expression);
      if (
        ts.isCallExpression(call) &&
        ts.isPropertyAccessExpression(call.expression) &&
        acquireNames.has(call.expression.name.text) &&
        isLockType(ts, checker, call.expression.expression, call.expression.name.text)
      ) {
        checkAcquire(ts, checker, node, call.expression.expression, ctx.report);
      }
    }
  },
});

/** The receiver has the acquire method and a release (or runExclusive) beside it: a Mutex/Semaphore shape. */
function isLockType(ts: TypeScript, checker: TS.TypeChecker, receiver: TS.Expression, acquire: string): boolean {
  const type = checker.getNonNullableType(checker.getTypeAtLocation(receiver));
  if (!type.getProperty(acquire)) return false;
  return [...RELEASE_METHODS, 'runExclusive'].some((m) => !!type.getProperty(m));
}

function checkAcquire(
  ts: TypeScript,
  checker: TS.TypeChecker,
  awaitExpr: TS.AwaitExpression,
  receiver: TS.Expression,
  report: (r: { node: TS.Node; messageId: string; data: Record<string, string> }) => void,
): void {
  const lock = receiver.getText();
  const parent = skipParensUp(ts, awaitExpr);
  let releaser: Releaser | undefined;
  let statement: TS.Node | undefined;
  if (ts.isVariableDeclaration(parent) && parent.initializer && unwrap(ts, parent.initializer) === unwrap(ts, awaitExpr)) {
    if (parent.parent.flags & ts.NodeFlags.Using) return; // `await using` releases at scope exit
    const name = releaserBinding(ts, parent.name);
    if (!name) return;
    releaser = { kind: 'call', name };
    statement = parent.parent.parent;
  } else if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const target = unwrap(ts, parent.left);
    if (!ts.isIdentifier(target)) return; // stored in a field: released elsewhere
    releaser = { kind: 'call', name: target.text };
    statement = parent.parent;
  } else if (ts.isExpressionStatement(parent)) {
    releaser = { kind: 'method', receiver: normalize(lock) };
    statement = parent;
  } else {
    return; // returned or passed on: the caller owns the release
  }
  if (!statement || !ts.isStatement(statement)) return;
  const fn = enclosingFunctionBody(ts, awaitExpr);
  if (!fn) return;
  if (releaser.kind === 'call' && escapes(ts, fn, releaser.name, awaitExpr)) return;
  const releaseText = releaser.kind === 'call' ? `${releaser.name}()` : `${lock}.release()`;
  if (releasedInFinally(ts, statement, releaser)) return;
  const released = containsRelease(ts, fn, releaser, awaitExpr);
  // `await sem.acquire()` here and `sem.release()` only in another function (a consumer loop, an unlock()): the
  // lock is handed over, as a releaser stored or captured is; that function owns the release.
  if (!released && releaser.kind === 'method' && releasedInAnotherFunction(ts, checker, receiver, fn)) return;
  report({
    node: awaitExpr,
    messageId: released ? 'notInFinally' : 'neverReleased',
    data: { lock, release: releaseText },
  });
}

function skipParensUp(ts: TypeScript, node: TS.Node): TS.Node {
  let p = node.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isNonNullExpression(p))) p = p.parent;
  return p;
}

/** `release` in `const release = …`, or the last element of `const [, release] = …`. */
function releaserBinding(ts: TypeScript, name: TS.BindingName): string | undefined {
  if (ts.isIdentifier(name)) return name.text;
  if (ts.isArrayBindingPattern(name)) {
    const last = name.elements[name.elements.length - 1];
    if (last && ts.isBindingElement(last) && ts.isIdentifier(last.name)) return last.name.text;
  }
  return undefined;
}

/**
 * Released on every path: the acquire is inside a try whose finally releases,
 * or a try that releases in finally follows it with nothing in between that can
 * leave the function (an await, a throw, a return).
 */
function releasedInFinally(ts: TypeScript, statement: TS.Statement, releaser: Releaser): boolean {
  for (let child: TS.Node = statement, p = statement.parent; p && !isFunctionLike(ts, p); child = p, p = p.parent) {
    if (ts.isTryStatement(p) && p.tryBlock === child && p.finallyBlock && containsRelease(ts, p.finallyBlock, releaser)) return true;
  }
  const block = statement.parent;
  if (!ts.isBlock(block) && !ts.isSourceFile(block)) return false;
  const rest = block.statements.slice(block.statements.indexOf(statement) + 1);
  for (const s of rest) {
    if (ts.isTryStatement(s)) {
      if (s.finallyBlock && containsRelease(ts, s.finallyBlock, releaser)) return true;
      return false;
    }
    if (canLeave(ts, s)) return false;
  }
  return false;
}

function canLeave(ts: TypeScript, s: TS.Node): boolean {
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found || isFunctionLike(ts, n)) return;
    if (ts.isAwaitExpression(n) || ts.isThrowStatement(n) || ts.isReturnStatement(n)) found = true;
    else ts.forEachChild(n, walk);
  };
  walk(s);
  return found;
}

function containsRelease(ts: TypeScript, root: TS.Node, releaser: Releaser, after?: TS.Node): boolean {
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && (!after || n.pos >= after.end) && isReleaseCall(ts, n, releaser)) {
      found = true;
      return;
    }
    ts.forEachChild(n, walk);
  };
  walk(root);
  return found;
}

function isReleaseCall(ts: TypeScript, call: TS.CallExpression, releaser: Releaser): boolean {
  const callee = unwrap(ts, call.expression);
  if (releaser.kind === 'call') return ts.isIdentifier(callee) && callee.text === releaser.name;
  return (
    ts.isPropertyAccessExpression(callee) &&
    RELEASE_METHODS.includes(callee.name.text) &&
    normalize(callee.expression.getText()) === releaser.receiver
  );
}

/** The releaser is handed on (returned, passed, stored, captured): someone else releases it. */
function escapes(ts: TypeScript, fnBody: TS.Node, name: string, after: TS.Node): boolean {
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && n.text === name && n.pos >= after.end) {
      let p = n.parent;
      while (p && (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p))) p = p.parent;
      const used =
        (ts.isCallExpression(p) && unwrap(ts, p.expression) === n) ||
        ts.isIfStatement(p) ||
        ts.isPrefixUnaryExpression(p) ||
        ts.isTypeOfExpression(p) ||
        (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) ||
        (ts.isBinaryExpression(p) && p.operatorToken.kind !== ts.SyntaxKind.EqualsToken && p.operatorToken.kind !== ts.SyntaxKind.CommaToken);
      if (!used && !ts.isPropertyAccessExpression(p)) found = true;
      // Captured by a closure (a disposer, a callback): released when that runs, not here.
      for (let q = n.parent; q && q !== fnBody; q = q.parent) if (isFunctionLike(ts, q)) found = true;
      return;
    }
    ts.forEachChild(n, walk);
  };
  walk(fnBody);
  return found;
}

function enclosingFunctionBody(ts: TypeScript, node: TS.Node): TS.Node | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (isFunctionLike(ts, p)) return p.body;
    if (ts.isSourceFile(p)) return p;
  }
  return undefined;
}

function normalize(text: string): string {
  return text.replace(/\s+/g, '').replace(/\?\./g, '.').replace(/!/g, '');
}

/** `receiver.release()` (or unlock, releaseLock) on the same lock in a function other than `fn`. */
function releasedInAnotherFunction(ts: TypeScript, checker: TS.TypeChecker, receiver: TS.Expression, fn: TS.Node): boolean {
  const text = normalize(receiver.getText());
  const rootSymbol = (e: TS.Expression): TS.Symbol | undefined => {
    const x = accessRoot(ts, e);
    return ts.isIdentifier(x) ? checker.getSymbolAtLocation(x) : undefined;
  };
  const root = rootSymbol(receiver);
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found || n === fn) return;
    if (ts.isCallExpression(n)) {
      const callee = unwrap(ts, n.expression);
      if (ts.isPropertyAccessExpression(callee) && RELEASE_METHODS.includes(callee.name.text) && normalize(callee.expression.getText()) === text && rootSymbol(callee.expression) === root) {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, walk);
  };
  walk(receiver.getSourceFile());
  return found;
}
