/**
 * race-timeout-leak: `Promise.race`/`Promise.any` with a timer-backed promise
 * whose timer is not cleared on every path. Recognised timers: a
 * `new Promise` around `setTimeout`, `setTimeout` from timers/promises, and a
 * helper function in the project that returns either. Cleared means: the
 * handle is passed to `clearTimeout` in a `finally` block (or a `.finally`
 * callback), or right after the awaited race in a `try` and first thing in its
 * `catch` (which is a finally written out), or timers/promises got a signal, or
 * the executor clears the timer from a signal's 'abort' listener.
 *
 * Harmless, so not reported: an `.unref()`'d timer whose callback only settles
 * the race's own promise (`setTimeout(resolve, ms).unref()`): it cannot keep
 * the process alive, and firing after the race only settles a settled
 * promise. The same for timers/promises' `setTimeout(ms, v, { ref: false })`.
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext, type TypeScript } from './check.js';
import { indexFile } from './util/file-index.js';
import { enclosingFunction, isAssignmentOperator, isFunctionLike, isInside, parentSkippingParens, promiseStaticMethod, skipParens } from './util/syntax.js';
import { unwrap } from './shared-state/locations.js';
import { calleeSymbol, isDeclaredInPackage } from './util/types.js';
import { leftToTheRuntime } from './util/test-files.js';

type Ctx = CheckContext<Record<string, never>>;

/** How a race element is backed by a timer. */
type TimerUse = { kind: 'discarded' } | { kind: 'handle'; name: string } | { kind: 'timers-promises' };

export const raceTimeoutLeak = defineCheck<Record<string, never>>({
  id: 'race-timeout-leak',
  messages: {
    timerNotCleared:
      'This timeout in Promise.{{method}} is never cleared: when the other promise wins, the timer stays armed, keeps the process alive and fires into finished work. Use AbortSignal.timeout(ms), or keep the handle and clearTimeout it in finally.',
    handleNotClearedInFinally:
      "The timer '{{name}}' raced here is not cleared in a finally block: on the path where the race rejects, it stays armed. Move clearTimeout({{name}}) into finally, or use AbortSignal.timeout(ms).",
  },
  schema: { type: 'object', properties: {}, additionalProperties: false },
  defaultOptions: {},
  run(ctx) {
    const { ts } = ctx;
    if (leftToTheRuntime(ctx.program, ctx.sourceFile)) return;
    for (const call of indexFile(ts, ctx.sourceFile).calls) {
      const method = promiseStaticMethod(ts, call);
      if (method !== 'race' && method !== 'any') continue;
      const arg = call.arguments[0] && skipParens(ts, call.arguments[0]);
      if (!arg || !ts.isArrayLiteralExpression(arg)) continue;
      for (const el of arg.elements) {
        const use = timerUse(ctx, skipParens(ts, el), 0);
        if (!use) continue;
        if (use.kind === 'handle') {
          if (clearedInFinally(ctx, call, use.name) || clearedOnBothPaths(ctx, call, use.name)) continue;
          ctx.report({ node: el, messageId: 'handleNotClearedInFinally', data: { name: use.name } });
        } else {
          ctx.report({ node: el, messageId: 'timerNotCleared', data: { method } });
        }
      }
    }
  },
});

function isTimersPromisesSetTimeout(ctx: Ctx, call: TS.CallExpression): boolean {
  const sym = calleeSymbol(ctx.ts, ctx.checker, call.expression);
  return !!sym && sym.getName() === 'setTimeout' && isDeclaredInPackage(ctx.ts, sym, ['timers/promises']);
}

function isGlobalSetTimeout(ctx: Ctx, call: TS.CallExpression): boolean {
  const { ts } = ctx;
  const callee = skipParens(ts, call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) && /^(globalThis|window|global)$/.test(callee.expression.getText()) ? callee.name.text : undefined;
  return name === 'setTimeout' && !isTimersPromisesSetTimeout(ctx, call);
}

/** Whether (and how) an expression is a promise backed by a timer. `depth` bounds helper following. */
function timerUse(ctx: Ctx, e: TS.Expression, depth: number, viaLocal = false): TimerUse | undefined {
  const { ts } = ctx;
  if (ts.isAwaitExpression(e)) return undefined;
  // const timeout = new Promise(…setTimeout…); Promise.race([work, timeout])
  if (ts.isIdentifier(e) && !viaLocal) {
    const decl = ctx.checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && decl.getSourceFile() === ctx.sourceFile) {
      return timerUse(ctx, skipParens(ts, decl.initializer), depth, true);
    }
    return undefined;
  }
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression) && e.expression.text === 'Promise') {
    const executor = e.arguments?.[0];
    if (!executor || !isFunctionLike(ts, executor)) return undefined;
    return timerInExecutor(ctx, executor);
  }
  if (ts.isCallExpression(e)) {
    if (isTimersPromisesSetTimeout(ctx, e)) {
      const options = e.arguments[2];
      // With a signal it is cancelled; with { ref: false } it only settles its own promise and cannot hold the process.
      return options && /signal|\bref\s*:\s*false\b/.test(options.getText(ctx.sourceFile)) ? undefined : { kind: 'timers-promises' };
    }
    // sleep(ms).then(() => { throw … }): the timer is the chain's origin.
    const method = ts.isPropertyAccessExpression(e.expression) ? e.expression.name.text : undefined;
    if (method === 'then' || method === 'catch' || method === 'finally') {
      return timerUse(ctx, skipParens(ts, (e.expression as TS.PropertyAccessExpression).expression), depth);
    }
    if (depth > 0) return undefined;
    // A project helper: function timeout(ms) { return new Promise((_, reject) => setTimeout(…)) }
    const sym = calleeSymbol(ts, ctx.checker, e.expression);
    const decl = sym?.valueDeclaration;
    if (!decl) return undefined;
    const fn = ts.isVariableDeclaration(decl) && decl.initializer ? skipParens(ts, decl.initializer) : decl;
    if (!isFunctionLike(ts, fn) || !fn.body || fn.getSourceFile().isDeclarationFile) return undefined;
    if (fn.getSourceFile().fileName.includes('/node_modules/')) return undefined;
    const returned = returnedExpressions(ctx, fn);
    for (const r of returned) {
      const use = timerUse(ctx, skipParens(ts, r), depth + 1);
      // A handle kept inside the helper cannot be cleared by the caller.
      if (use) return use.kind === 'handle' ? { kind: 'discarded' } : use;
    }
  }
  return undefined;
}

function returnedExpressions(ctx: Ctx, fn: TS.FunctionLikeDeclaration): TS.Expression[] {
  const { ts } = ctx;
  if (!fn.body) return [];
  if (!ts.isBlock(fn.body)) return [fn.body];
  const out: TS.Expression[] = [];
  const visit = (n: TS.Node): void => {
    if (isFunctionLike(ts, n)) return;
    if (ts.isReturnStatement(n) && n.expression) out.push(n.expression);
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return out;
}

function timerInExecutor(ctx: Ctx, executor: TS.FunctionLikeDeclaration): TimerUse | undefined {
  const { ts } = ctx;
  let use: TimerUse | undefined;
  const settlers = new Set(executor.parameters.slice(0, 2).flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  const visit = (n: TS.Node): void => {
    if (use) return;
    if (ts.isCallExpression(n) && isGlobalSetTimeout(ctx, n)) {
      // Unref'd and only settling this promise: it neither holds the process nor touches finished work.
      if (isUnrefd(ctx, n, executor) && n.arguments[0] && onlySettles(ctx, n.arguments[0], settlers)) return;
      let p: TS.Node = n.parent;
      while (ts.isParenthesizedExpression(p)) p = p.parent;
      if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === n) {
        const name = skipParens(ts, p.left).getText(ctx.sourceFile);
        // Cleared by aborting a signal, as timers/promises' setTimeout with one is.
        if (clearedOnAbort(ctx, executor, name)) return;
        use = { kind: 'handle', name };
      } else if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) {
        if (clearedOnAbort(ctx, executor, p.name.text)) return;
        // A const inside the executor: nobody outside can clear it.
        use = { kind: 'discarded' };
      } else if (ts.isCallExpression(p) && p.arguments.includes(n)) {
        // Handed to something (e.g. onCancel(setTimeout(…))): trust it.
        use = undefined;
        return;
      } else {
        use = { kind: 'discarded' };
      }
      return;
    }
    ts.forEachChild(n, visit);
  };
  if (executor.body) visit(executor.body);
  return use;
}

/**
 * The executor clears the timer from an 'abort' listener: `signal.addEventListener('abort', () => clearTimeout(t))`,
 * the listener inline or a function declared in the executor (tus' MemoryLocker.waitTimeout). Whoever holds the
 * signal cancels the timer, as with timers/promises' `setTimeout(ms, v, { signal })`.
 */
function clearedOnAbort(ctx: Ctx, executor: TS.FunctionLikeDeclaration, handle: string): boolean {
  const { ts } = ctx;
  const clears = (fn: TS.Node): boolean => {
    let found = false;
    const visit = (n: TS.Node): void => {
      if (found) return;
      if (isClearCall(ctx, n, handle)) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(fn);
    return found;
  };
  const listener = (e: TS.Expression): TS.Node | undefined => {
    const x = skipParens(ts, e);
    if (ts.isArrowFunction(x) || ts.isFunctionExpression(x)) return x;
    if (!ts.isIdentifier(x)) return undefined;
    const decl = ctx.checker.getSymbolAtLocation(x)?.valueDeclaration;
    if (!decl || !isInside(decl, executor)) return undefined;
    if (ts.isFunctionDeclaration(decl)) return decl;
    const init = ts.isVariableDeclaration(decl) && decl.initializer ? skipParens(ts, decl.initializer) : undefined;
    return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? init : undefined;
  };
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'addEventListener') {
      const [event, fn] = n.arguments;
      const l = event && fn && ts.isStringLiteralLike(event) && event.text === 'abort' ? listener(fn) : undefined;
      if (l && clears(l)) {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  if (executor.body) visit(executor.body);
  return found;
}

/** `setTimeout(…).unref()`, or its handle (`t = setTimeout(…)`, `const t = …`) unref'd in the executor. */
function isUnrefd(ctx: Ctx, timer: TS.CallExpression, executor: TS.FunctionLikeDeclaration): boolean {
  const { ts } = ctx;
  let node: TS.Node = timer;
  let p: TS.Node = timer.parent;
  while (ts.isParenthesizedExpression(p) || ts.isNonNullExpression(p)) {
    node = p;
    p = p.parent;
  }
  if (ts.isPropertyAccessExpression(p) && p.expression === node) return p.name.text === 'unref' && ts.isCallExpression(p.parent);
  let handle: string | undefined;
  if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === node) handle = skipParens(ts, p.left).getText(ctx.sourceFile);
  else if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) handle = p.name.text;
  if (!handle || !executor.body) return false;
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const callee = skipParens(ts, n.expression);
      if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'unref' && skipParens(ts, callee.expression).getText(ctx.sourceFile).replace(/[?!]$/, '') === handle) {
        found = true;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(executor.body);
  return found;
}

/** The timer callback is the executor's resolve/reject, or a function that only calls them with plain values (`() => reject(new Error('…'))`). */
function onlySettles(ctx: Ctx, callback: TS.Expression, settlers: ReadonlySet<string>): boolean {
  const { ts } = ctx;
  const cb = skipParens(ts, callback);
  if (ts.isIdentifier(cb)) return settlers.has(cb.text);
  if (!(ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) return false;
  const settles = (e: TS.Expression): boolean => {
    const call = skipParens(ts, e);
    if (!ts.isCallExpression(call)) return false;
    const callee = skipParens(ts, call.expression);
    return ts.isIdentifier(callee) && settlers.has(callee.text) && call.arguments.every((a) => isPlainValue(ts, a));
  };
  if (!ts.isBlock(cb.body)) return settles(cb.body);
  return (
    cb.body.statements.length > 0 &&
    cb.body.statements.every((st) => (ts.isExpressionStatement(st) && settles(st.expression)) || (ts.isReturnStatement(st) && !!st.expression && settles(st.expression)))
  );
}

/** A value whose evaluation has no effect: literals, names, member reads, templates and `new X(…)` of such values (an Error). */
function isPlainValue(ts: TypeScript, e: TS.Node): boolean {
  if (ts.isCallExpression(e) || ts.isTaggedTemplateExpression(e) || ts.isAwaitExpression(e) || ts.isYieldExpression(e) || ts.isDeleteExpression(e)) return false;
  if (ts.isBinaryExpression(e) && isAssignmentOperator(ts, e.operatorToken.kind)) return false;
  if ((ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) && (e.operator === ts.SyntaxKind.PlusPlusToken || e.operator === ts.SyntaxKind.MinusMinusToken)) return false;
  if (isFunctionLike(ts, e)) return false;
  let plain = true;
  ts.forEachChild(e, (c) => {
    if (plain && !isPlainValue(ts, c)) plain = false;
  });
  return plain;
}

/** `clearTimeout(name)` in a finally block of the function running the race, or in a `.finally(...)` callback. */
function clearedInFinally(ctx: Ctx, race: TS.CallExpression, name: string): boolean {
  const { ts } = ctx;
  const scope = enclosingFunction(ts, race)?.body ?? ctx.sourceFile;
  let found = false;
  const visit = (n: TS.Node, inFinally: boolean): void => {
    if (found) return;
    if (inFinally && isClearCall(ctx, n, name)) {
      found = true;
      return;
    }
    if (ts.isTryStatement(n)) {
      visit(n.tryBlock, inFinally);
      if (n.catchClause) visit(n.catchClause, inFinally);
      if (n.finallyBlock) visit(n.finallyBlock, true);
      return;
    }
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'finally') {
      visit(n.expression, inFinally);
      for (const a of n.arguments) visit(a, true);
      return;
    }
    ts.forEachChild(n, (c) => visit(c, inFinally));
  };
  visit(scope, false);
  return found;
}

/**
 * `try { const v = await Promise.race([…]); clearTimeout(t); … } catch (e) { const err = e as E; clearTimeout(t); … }`:
 * the statement after the awaited race clears the timer when the race resolves, and the catch clears it, before
 * anything that can throw, when it rejects: a finally written out on both paths (pubsub's awaitWithTimeout).
 */
function clearedOnBothPaths(ctx: Ctx, race: TS.CallExpression, name: string): boolean {
  const { ts } = ctx;
  const up = parentSkippingParens(ts, race);
  if (!ts.isAwaitExpression(up)) return false;
  let stmt = parentSkippingParens(ts, up);
  if (ts.isVariableDeclaration(stmt)) {
    // A destructuring could throw before the clear runs.
    if (!ts.isIdentifier(stmt.name) || !ts.isVariableDeclarationList(stmt.parent) || stmt.parent.declarations.length !== 1) return false;
    stmt = stmt.parent.parent;
  }
  if (!ts.isVariableStatement(stmt) && !ts.isExpressionStatement(stmt)) return false;
  const block = stmt.parent;
  if (!ts.isBlock(block) || !ts.isTryStatement(block.parent) || block.parent.tryBlock !== block || !block.parent.catchClause) return false;
  const next = block.statements[block.statements.indexOf(stmt) + 1];
  if (!next || !isClearStatement(ctx, next, name)) return false;
  for (const s of block.parent.catchClause.block.statements) {
    if (isClearStatement(ctx, s, name)) return true;
    // Only a copy of the error (`const err = e as Error`) may come first: nothing that can throw.
    if (!ts.isVariableStatement(s) || !s.declarationList.declarations.every((d) => ts.isIdentifier(d.name) && d.initializer && isPlainRead(ts, d.initializer))) return false;
  }
  return false;
}

function isClearStatement(ctx: Ctx, s: TS.Statement, name: string): boolean {
  return ctx.ts.isExpressionStatement(s) && isClearCall(ctx, skipParens(ctx.ts, s.expression), name);
}

/** `clearTimeout(name)` or `clearInterval(name)` (also `name!`). */
function isClearCall(ctx: Ctx, n: TS.Node, name: string): boolean {
  const { ts } = ctx;
  if (!ts.isCallExpression(n)) return false;
  const callee = skipParens(ts, n.expression);
  const arg = n.arguments[0];
  return ts.isIdentifier(callee) && (callee.text === 'clearTimeout' || callee.text === 'clearInterval') && arg !== undefined && skipParens(ts, arg).getText(ctx.sourceFile).replace(/!$/, '') === name;
}

/** An identifier or literal, possibly cast (`e as unknown as Error`). */
function isPlainRead(ts: TypeScript, e: TS.Expression): boolean {
  const x = unwrap(ts, e);
  return ts.isIdentifier(x) || ts.isLiteralExpression(x);
}
