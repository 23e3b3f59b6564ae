/**
 * "Is this inside a critical section?" for lost-update and check-then-act.
 * Recognised: the callback of `mutex.runExclusive(cb)` (and user-named lock
 * functions) and of async-lock's `lock.acquire(key, cb)` (a receiver named like a
 * lock), a private method run only through a promise lock (promise-lock.ts),
 * the span between `await x.acquire()` and the release that
 * follows it in the same function, a `using`/`await using` lock, and a busy
 * flag (`if (this.busy) return; this.busy = true; … finally { this.busy =
 * false }`, see busy-flags.ts). For a
 * coroutine generator, its whole effect run under a semaphore permit:
 * `sem.withPermits(1)(Effect.gen(…))`, `Effect.gen(…).pipe(sem.withPermit)`,
 * `Effect.fn(function* …, sem.withPermits(1))`.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { calleeName, isFunctionLike, memberName, skipParens } from '../util/syntax.js';
import { busyFlagRegion } from './busy-flags.js';
import { runsUnderPromiseLock } from './promise-lock.js';
import { coroutineRunner } from './coroutines.js';

export const BUILTIN_LOCK_FUNCTIONS = ['runExclusive'];
/** Wrappers that run a whole effect under a permit (Effect's Semaphore). */
export const BUILTIN_PERMIT_WRAPPERS = ['withPermit', 'withPermits', 'withPermitsIfAvailable'];
export const BUILTIN_ACQUIRE_METHODS = ['acquire'];
const RELEASE_METHODS = new Set(['release', 'unlock', 'releaseLock']);
const LOCKISH_NAME = /lock|mutex|semaphore|permit|guard|release/i;

interface Region {
  start: number;
  end: number;
}

export interface LockOptions {
  lockFunctions: readonly string[];
  acquireMethods: readonly string[];
}

export class CriticalSections {
  private readonly regions: Region[] = [];

  constructor(ts: TypeScript, fn: TS.FunctionLikeDeclaration, options: LockOptions) {
    const body = fn.body;
    if (!body) return;
    const acquireNames = new Set([...BUILTIN_ACQUIRE_METHODS, ...options.acquireMethods]);
    if (isLockCallback(ts, fn, options.lockFunctions, acquireNames) || runsUnderPermit(ts, fn, options.lockFunctions) || runsUnderPromiseLock(ts, fn)) {
      this.regions.push({ start: body.pos, end: body.end });
      return;
    }
    // A busy flag checked, set and cleared around the work (busy-flags.ts).
    const flagged = busyFlagRegion(ts, fn);
    if (flagged) this.regions.push(flagged);
    const acquires: { end: number; releaser?: string }[] = [];
    const releases: number[] = [];
    const walk = (n: TS.Node): void => {
      if (isFunctionLike(ts, n) || ts.isClassLike(n)) return;
      if (ts.isVariableDeclarationList(n) && n.flags & ts.NodeFlags.Using) {
        // `using lock = …` / `await using lock = …`: held to the end of the enclosing block.
        for (const d of n.declarations) {
          if (isLockishUsing(ts, d, acquireNames)) this.regions.push({ start: d.end, end: n.parent.parent?.end ?? body.end });
        }
      }
      if (ts.isAwaitExpression(n)) {
        const call = skipParens(ts, n.expression);
        if (ts.isCallExpression(call) && isAcquireCall(ts, call, acquireNames)) {
          acquires.push({ end: n.end, releaser: releaserName(ts, n) });
        }
      }
      if (ts.isCallExpression(n)) {
        const name = calleeName(ts, n);
        const callee = skipParens(ts, n.expression);
        const isRelease =
          (name !== undefined && RELEASE_METHODS.has(name) && memberName(ts, callee) !== undefined) ||
          (ts.isIdentifier(callee) && acquires.some((a) => a.releaser === callee.text));
        // A release followed by return/throw in its block is an early exit, not the end of the section.
        if (isRelease && !isEarlyExitRelease(ts, n)) releases.push(n.pos);
      }
      ts.forEachChild(n, walk);
    };
    ts.forEachChild(body, walk);
    for (const a of acquires) {
      const end = releases.filter((r) => r > a.end).sort((x, y) => x - y)[0] ?? body.end;
      this.regions.push({ start: a.end, end });
    }
  }

  /** Whether `node` runs under a lock that was already held at `since`. */
  holds(node: TS.Node, since: TS.Node = node): boolean {
    const at = node.getStart();
    const from = since.getStart();
    return this.regions.some((r) => r.start <= from && from < r.end && r.start <= at && at < r.end);
  }
}

/** `mutex.runExclusive(async () => …)`, `withLock(key, async () => …)`, `navigator.locks.request(name, cb)`. */
function isLockCallback(ts: TypeScript, fn: TS.Node, lockFunctions: readonly string[], acquireNames: ReadonlySet<string>): boolean {
  let child: TS.Node = fn;
  let p = fn.parent;
  while (p && ts.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  if (!p || !ts.isCallExpression(p) || !p.arguments.includes(child as TS.Expression)) return false;
  const name = calleeName(ts, p);
  if (name === undefined) return false;
  if (BUILTIN_LOCK_FUNCTIONS.includes(name) || lockFunctions.includes(name)) return true;
  const obj = ts.isPropertyAccessExpression(p.expression) ? skipParens(ts, p.expression.expression) : undefined;
  // async-lock's `lock.acquire(key, async () => …)`: the callback runs holding the lock (of its key).
  const holder = obj && (ts.isIdentifier(obj) ? obj.text : memberName(ts, obj));
  if (acquireNames.has(name) && holder !== undefined && LOCKISH_NAME.test(holder)) return true;
  return name === 'request' && !!obj && memberName(ts, obj) === 'locks';
}

/**
 * Whether a coroutine's effect runs under a permit: a permit wrapper among the runner's other
 * arguments or the stages piped onto it, or wrapped around the effect itself.
 */
function runsUnderPermit(ts: TypeScript, fn: TS.Node, lockFunctions: readonly string[]): boolean {
  const runner = coroutineRunner(ts, fn);
  if (!runner) return false;
  const names = new Set([...BUILTIN_PERMIT_WRAPPERS, ...lockFunctions]);
  const mentionsWrapper = (n: TS.Node): boolean => {
    if (n === fn) return false;
    if (ts.isPropertyAccessExpression(n) && names.has(n.name.text)) return true;
    if (ts.isIdentifier(n) && names.has(n.text)) return true;
    return !!ts.forEachChild(n, (c) => mentionsWrapper(c) || undefined);
  };
  let effect: TS.Expression = runner;
  if (runner.arguments.some((a) => mentionsWrapper(a))) return true;
  for (;;) {
    let p = effect.parent;
    while (p && ts.isParenthesizedExpression(p)) p = p.parent;
    if (!p) return false;
    // `….pipe(stage, …)`: a stage that takes a permit.
    if (ts.isPropertyAccessExpression(p) && p.name.text === 'pipe' && ts.isCallExpression(p.parent) && p.parent.expression === p) {
      if (p.parent.arguments.some((a) => mentionsWrapper(a))) return true;
      effect = p.parent;
      continue;
    }
    // `sem.withPermits(1)(effect)`, `sem.withPermit(effect)`.
    if (ts.isCallExpression(p) && p.arguments.some((a) => a === effect || skipParens(ts, a) === effect)) {
      let callee: TS.Expression = skipParens(ts, p.expression);
      while (ts.isCallExpression(callee)) callee = skipParens(ts, callee.expression);
      const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
      return name !== undefined && names.has(name);
    }
    return false;
  }
}

function isAcquireCall(ts: TypeScript, call: TS.CallExpression, names: ReadonlySet<string>): boolean {
  const callee = skipParens(ts, call.expression);
  const name = memberName(ts, callee);
  return name !== undefined && names.has(name);
}

/** `const release = await m.acquire()` / `const [, release] = await s.acquire()`: the releaser's name. */
function releaserName(ts: TypeScript, awaitExpr: TS.AwaitExpression): string | undefined {
  const p = awaitExpr.parent;
  if (!ts.isVariableDeclaration(p)) return undefined;
  if (ts.isIdentifier(p.name)) return p.name.text;
  if (ts.isArrayBindingPattern(p.name)) {
    const last = p.name.elements[p.name.elements.length - 1];
    if (last && ts.isBindingElement(last) && ts.isIdentifier(last.name)) return last.name.text;
  }
  return undefined;
}

function isLockishUsing(ts: TypeScript, d: TS.VariableDeclaration, acquireNames: ReadonlySet<string>): boolean {
  if (ts.isIdentifier(d.name) && LOCKISH_NAME.test(d.name.text)) return true;
  let init = d.initializer && skipParens(ts, d.initializer);
  if (init && ts.isAwaitExpression(init)) init = skipParens(ts, init.expression);
  if (!init || !ts.isCallExpression(init)) return false;
  const name = calleeName(ts, init);
  return name !== undefined && (acquireNames.has(name) || LOCKISH_NAME.test(name));
}

function isEarlyExitRelease(ts: TypeScript, call: TS.CallExpression): boolean {
  const stmt = call.parent;
  if (!ts.isExpressionStatement(stmt) || !ts.isBlock(stmt.parent)) return false;
  const block = stmt.parent;
  if (ts.isTryStatement(block.parent) && block.parent.finallyBlock === block) return false;
  const i = block.statements.indexOf(stmt);
  return block.statements.slice(i + 1).some((s) => ts.isReturnStatement(s) || ts.isThrowStatement(s));
}
