/**
 * leaked-timer: setInterval/setTimeout started inside something with a
 * lifecycle (a class with close/dispose/stop/destroy/[Symbol.dispose], a
 * function that returns a cleanup function) whose handle is discarded, or kept
 * but never cleared by the teardown. `.unref()`'d timers are fine, and so are
 * the sleeps of `new Promise((r) => setTimeout(r, ms))`.
 */
import type * as TS from 'typescript';
import { defineCheck } from './check.js';
import type { TypeScript } from './check.js';
import { unwrap } from './shared-state/locations.js';
import { BUILTIN_LIFECYCLE_METHODS, callsIn, LifecycleIndex, type LifecycleOwner, lifecycleOptionsSchema, normalizeText, within } from './shared-state/lifecycle.js';
import { isAssignmentOperator, isFunctionLike } from './util/syntax.js';
import { indexFile } from './util/file-index.js';
import { leftToTheRuntime } from './util/test-files.js';

export interface LeakedTimerOptions {
  lifecycleMethods: string[];
}

const TIMERS: Record<string, string> = { setInterval: 'clearInterval', setTimeout: 'clearTimeout' };
const CLEARS = new Set(['clearInterval', 'clearTimeout']);

export const leakedTimer = defineCheck<LeakedTimerOptions>({
  id: 'leaked-timer',
  messages: {
    notStored:
      '{{timer}}() is started in {{owner}} but its handle is not kept, so {{teardown}} cannot stop it: the timer keeps the process alive and fires after teardown. Keep the handle and call {{clear}}() on it in {{teardown}}, or call .unref() on it if it may outlive its owner.',
    notCleared:
      'The handle of this {{timer}}() is kept in {{handle}}, but {{teardown}} never clears it: the timer outlives {{owner}}, keeps the process alive and fires into torn-down state. Call {{clear}}({{handle}}) in {{teardown}}, or call .unref() on it.',
  },
  schema: {
    type: 'object',
    properties: lifecycleOptionsSchema,
    additionalProperties: false,
  },
  defaultOptions: { lifecycleMethods: [] },
  run(ctx) {
    const { ts, checker, sourceFile } = ctx;
    if (leftToTheRuntime(ctx.program, sourceFile)) return;
    const index = new LifecycleIndex(ts, ctx.options.lifecycleMethods);
    // The shared file index lists the calls in source order: no walk of our own.
    for (const node of indexFile(ts, sourceFile).calls) {
      const timer = timerName(ts, node);
      if (timer && !isSleepOrDeferral(ts, node, timer) && !isDelayedTeardown(ts, checker, node, timer) && isGlobalTimer(ts, checker, node)) {
        const owner = index.ownerOf(node);
        if (owner) checkTimer(ts, checker, node, timer, owner, ctx.report);
      }
    }
  },
});

function timerName(ts: TypeScript, call: TS.CallExpression): string | undefined {
  const callee = unwrap(ts, call.expression);
  let name: string | undefined;
  if (ts.isIdentifier(callee)) name = callee.text;
  else if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && ['globalThis', 'window', 'self'].includes(callee.expression.text)) {
    name = callee.name.text;
  }
  return name && name in TIMERS ? name : undefined;
}

/** The host's timer (not a user function of that name, not timers/promises which returns a promise). */
function isGlobalTimer(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression): boolean {
  const symbol = checker.getSymbolAtLocation(unwrap(ts, call.expression));
  const decls = symbol?.getDeclarations() ?? [];
  if (decls.length > 0 && !decls.every((d) => d.getSourceFile().isDeclarationFile)) return false;
  const type = checker.getTypeAtLocation(call);
  return !type.getProperty('then');
}

/** `new Promise((r) => setTimeout(r, ms))` is awaited by its creator; `setTimeout(f)`/`setTimeout(f, 0)` is a deferral. */
function isSleepOrDeferral(ts: TypeScript, call: TS.CallExpression, timer: string): boolean {
  if (timer !== 'setTimeout') return false;
  const delay = call.arguments[1];
  if (!delay || (ts.isNumericLiteral(delay) && Number(delay.text) === 0)) return true;
  for (let p = call.parent; p; p = p.parent) {
    if (isFunctionLike(ts, p)) {
      const executorOf = p.parent;
      return !!executorOf && ts.isNewExpression(executorOf) && ts.isIdentifier(executorOf.expression) && executorOf.expression.text === 'Promise';
    }
  }
  return false;
}

/** Calls that release something: a one-shot timer that only makes these is a deadline for a teardown. */
const RELEASES = new Set([...BUILTIN_LIFECYCLE_METHODS, 'end', 'abort', 'kill', 'disconnect', 'unref', 'removeAllListeners', 'quit']);

/**
 * `const server = createServer(…); … setTimeout(() => server.close(), 3000)`: a one-shot timer whose
 * callback only releases locals of the functions around it (every statement a call of
 * close/destroy/end/abort/kill/… on such a local) is that resource's own deadline, not a leak of the
 * class: the class's teardown never held that resource. A callback that releases `this.socket` is
 * the owner's business and stays reported.
 */
function isDelayedTeardown(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression, timer: string): boolean {
  if (timer !== 'setTimeout') return false;
  const fn = call.arguments[0] && unwrap(ts, call.arguments[0]);
  if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return false;
  const exprs = ts.isBlock(fn.body)
    ? fn.body.statements.map((st) => (ts.isExpressionStatement(st) ? st.expression : undefined))
    : [fn.body];
  return exprs.length > 0 && exprs.every((e) => {
    const c = e && unwrap(ts, e);
    if (!c || !ts.isCallExpression(c)) return false;
    const callee = unwrap(ts, c.expression);
    if (!ts.isPropertyAccessExpression(callee) || !RELEASES.has(callee.name.text)) return false;
    const receiver = unwrap(ts, callee.expression);
    const decl = ts.isIdentifier(receiver) ? checker.getSymbolAtLocation(receiver)?.valueDeclaration : undefined;
    if (!decl || !ts.isVariableDeclaration(decl)) return false;
    for (let p: TS.Node | undefined = decl.parent; p; p = p.parent) if (isFunctionLike(ts, p)) return true;
    return false;
  });
}

type Report = (r: { node: TS.Node; messageId: string; data: Record<string, string> }) => void;

function checkTimer(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression, timer: string, owner: LifecycleOwner, report: Report): void {
  const data = { timer, clear: TIMERS[timer]!, owner: owner.ownerName, teardown: owner.teardownName };
  const notCleared = (handle: string) => report({ node: call, messageId: 'notCleared', data: { ...data, handle } });
  let node: TS.Node = call;
  let parent = call.parent;
  while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent)) {
    node = parent;
    parent = parent.parent;
  }
  // `setInterval(…).unref()`, or any other use of the handle we cannot follow.
  if (ts.isPropertyAccessExpression(parent) && parent.expression === node) return;
  if (ts.isExpressionStatement(parent) || ts.isVoidExpression(parent)) {
    report({ node: call, messageId: 'notStored', data });
    return;
  }
  const collection = collectionOf(ts, parent, node);
  if (collection !== undefined) {
    // this.timers.add(setInterval(…)): a collection of handles the teardown must walk.
    if (collection && !collectionCleared(ts, collection, owner)) notCleared(collection);
    return;
  }
  if (isAssignmentTo(ts, parent, node)) {
    // `this.timer = setInterval(…)`, also `this.timer ??= …`
    const left = unwrap(ts, parent.left);
    const text = normalizeText(left);
    // `timer = setTimeout(…)` re-arms a local: judged as where the local is declared (`let timer = …; … clearTimeout(timer)`).
    if (ts.isIdentifier(left) && localCleared(ts, checker, left, owner)) return;
    if (!handleCleared(ts, text, owner) && !entryOfClearedCollection(ts, checker, left, owner)) notCleared(text);
    return;
  }
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    checkLocalHandle(ts, call, parent.name.text, owner, report, data);
  }
  // Otherwise returned, passed on, put in an object literal: its new owner clears it.
}

/**
 * `const t = setInterval(…)`: fine when t is unref'd, cleared where it is in
 * scope (a class method's finally; the cleanup of a cleanup-returning
 * function), or handed on; checked again when moved to a field or collection.
 */
function checkLocalHandle(
  ts: TypeScript,
  call: TS.CallExpression,
  name: string,
  owner: LifecycleOwner,
  report: Report,
  data: Record<string, string>,
): void {
  const notCleared = (handle: string) => report({ node: call, messageId: 'notCleared', data: { ...data, handle } });
  const uses = identifierUses(ts, enclosingFunction(ts, call) ?? owner.node, name, call);
  const clears = uses.filter((u) => isClearOf(ts, u));
  if (uses.some((u) => isUnrefOf(ts, u))) return;
  if (owner.kind === 'class' ? clears.length > 0 : clears.some((u) => owner.teardown.some((t) => within(u, t)))) return;
  for (const u of uses) {
    const p = u.parent;
    const collection = collectionOf(ts, p, u);
    if (collection !== undefined) {
      if (collection && !collectionCleared(ts, collection, owner)) notCleared(collection);
      return;
    }
    if (isAssignmentTo(ts, p, u) && !ts.isIdentifier(unwrap(ts, p.left))) {
      const text = normalizeText(unwrap(ts, p.left));
      if (!handleCleared(ts, text, owner)) notCleared(text);
      return;
    }
    if (ts.isCallExpression(p) && p.arguments.includes(u) && !isClearOf(ts, u)) return; // handed to someone else
    if (ts.isReturnStatement(p) || ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isArrayLiteralExpression(p)) return;
  }
  // Kept in a local the teardown cannot reach (a class), or not cleared by the returned cleanup.
  if (owner.kind === 'class') report({ node: call, messageId: 'notStored', data });
  else notCleared(name);
}

/** `x.add(h)` / `x.push(h)` / `x.set(k, h)`: the collection's text; '' for another call taking h; undefined otherwise. */
function collectionOf(ts: TypeScript, parent: TS.Node, node: TS.Node): string | undefined {
  if (!ts.isCallExpression(parent) || !parent.arguments.includes(node as TS.Expression)) return undefined;
  const callee = unwrap(ts, parent.expression);
  if (ts.isPropertyAccessExpression(callee) && ['add', 'push', 'set'].includes(callee.name.text)) return normalizeText(callee.expression);
  return isClearCall(ts, parent) ? undefined : '';
}

function isAssignmentTo(ts: TypeScript, parent: TS.Node, node: TS.Node): parent is TS.BinaryExpression {
  if (!ts.isBinaryExpression(parent) || parent.right !== node) return false;
  const op = parent.operatorToken.kind;
  return isAssignmentOperator(ts, op);
}

/** `clearInterval(handle)` in the teardown, or `handle.unref()` anywhere in the owner. */
function handleCleared(ts: TypeScript, text: string, owner: LifecycleOwner): boolean {
  const aliases = selfAliases(ts, owner);
  // `this._self.#timer` where the class's `_self = this` never changes is `this.#timer`.
  const same = (node: TS.Node) => {
    let t = normalizeText(node);
    for (const a of aliases) if (t.startsWith(`this.${a}.`)) t = `this.${t.slice(a.length + 6)}`;
    return t === text;
  };
  for (const c of callsIn(ts, owner.teardown)) {
    const callee = unwrap(ts, c.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (name && CLEARS.has(name) && c.arguments[0] && same(c.arguments[0])) return true;
    if (ts.isPropertyAccessExpression(callee) && ['close', 'unref'].includes(callee.name.text) && same(callee.expression)) return true;
  }
  return callsIn(ts, [owner.node]).some((c) => {
    const callee = unwrap(ts, c.expression);
    return ts.isPropertyAccessExpression(callee) && callee.name.text === 'unref' && normalizeText(callee.expression) === text;
  });
}

/**
 * Fields of the owner class that are the instance itself: initialised to `this` (`private _self = this`, node-redis'
 * client, whose command proxies inherit it) and never assigned anything else in the class.
 */
function selfAliases(ts: TypeScript, owner: LifecycleOwner): string[] {
  const cls = owner.node;
  if (owner.kind !== 'class' || !ts.isClassLike(cls)) return [];
  // Asked for each timer of the class: read the class once.
  const known = selfAliasMemo.get(cls);
  if (known) return known;
  const out: string[] = [];
  for (const m of cls.members) {
    if (!ts.isPropertyDeclaration(m) || !ts.isIdentifier(m.name) || !m.initializer || m.initializer.kind !== ts.SyntaxKind.ThisKeyword) continue;
    const name = m.name.text;
    let reassigned = false;
    const visit = (n: TS.Node): void => {
      if (reassigned) return;
      if (ts.isBinaryExpression(n) && isAssignmentOperator(ts, n.operatorToken.kind)) {
        const left = unwrap(ts, n.left);
        if (ts.isPropertyAccessExpression(left) && left.name.text === name) reassigned = true;
      }
      ts.forEachChild(n, visit);
    };
    visit(cls);
    if (!reassigned) out.push(name);
  }
  selfAliasMemo.set(cls, out);
  return out;
}

const selfAliasMemo = new WeakMap<TS.Node, string[]>();

/** A local handle variable cleared or unref'd in the function that declares it (for a cleanup owner: by the cleanup). */
function localCleared(ts: TypeScript, checker: TS.TypeChecker, id: TS.Identifier, owner: LifecycleOwner): boolean {
  const decl = checker.getSymbolAtLocation(id)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name)) return false;
  const scope = enclosingFunction(ts, decl);
  if (!scope) return false;
  const uses = identifierUses(ts, scope, id.text, decl.name);
  if (uses.some((u) => isUnrefOf(ts, u))) return true;
  const clears = uses.filter((u) => isClearOf(ts, u));
  if (owner.kind === 'class' ? clears.length > 0 : clears.some((u) => owner.teardown.some((t) => within(u, t)))) return true;
  return uses.some((u) => inEntryOfClearedCollection(ts, checker, u, owner));
}

/**
 * The handle put into an object that goes into a collection the teardown walks clearing timers (grpc-js' channel:
 * `const watcher = { currentState, callback, timer }; this.watchers.push(watcher)`, and close() → updateState()
 * clears `watcher.timer` for each).
 */
function inEntryOfClearedCollection(ts: TypeScript, checker: TS.TypeChecker, use: TS.Identifier, owner: LifecycleOwner): boolean {
  const p = use.parent;
  const literal = ts.isShorthandPropertyAssignment(p) || (ts.isPropertyAssignment(p) && p.initializer === use) ? p.parent : undefined;
  if (!literal || !ts.isObjectLiteralExpression(literal)) return false;
  const direct = collectionOf(ts, literal.parent, literal);
  if (direct !== undefined) return !!direct && collectionCleared(ts, direct, owner);
  const holder = literal.parent;
  if (!ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name)) return false;
  const scope = enclosingFunction(ts, holder);
  if (!scope) return false;
  return identifierUses(ts, scope, holder.name.text, holder.name).some((u) => {
    if (checker.getSymbolAtLocation(u) !== checker.getSymbolAtLocation(holder.name)) return false;
    const collection = collectionOf(ts, u.parent, u);
    return !!collection && collectionCleared(ts, collection, owner);
  });
}

/**
 * `info.timeoutId = setTimeout(…)` where `const info = this.timeouts.get(id)`: the handle lives in an
 * entry of a collection, cleared when the teardown walks that collection clearing timers.
 */
function entryOfClearedCollection(ts: TypeScript, checker: TS.TypeChecker, left: TS.Expression, owner: LifecycleOwner): boolean {
  if (!ts.isPropertyAccessExpression(left)) return false;
  const root = unwrap(ts, left.expression);
  if (!ts.isIdentifier(root)) return false;
  const decl = checker.getSymbolAtLocation(root)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return false;
  const init = unwrap(ts, decl.initializer);
  let collection: TS.Expression | undefined;
  if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression) && init.expression.name.text === 'get') collection = init.expression.expression;
  else if (ts.isElementAccessExpression(init)) collection = init.expression;
  return !!collection && collectionCleared(ts, normalizeText(unwrap(ts, collection)), owner);
}

/** A collection of handles is cleared when the teardown mentions it and clears timers (a loop or forEach(clearInterval)). */
function collectionCleared(ts: TypeScript, text: string, owner: LifecycleOwner): boolean {
  let mentions = false;
  let clears = false;
  const walk = (n: TS.Node): void => {
    if ((ts.isPropertyAccessExpression(n) || ts.isIdentifier(n)) && normalizeText(n) === text) mentions = true;
    if (ts.isIdentifier(n) && CLEARS.has(n.text)) clears = true;
    ts.forEachChild(n, walk);
  };
  owner.teardown.forEach(walk);
  return mentions && clears;
}

function enclosingFunction(ts: TypeScript, node: TS.Node): TS.Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(ts, p)) return p;
  return undefined;
}

function identifierUses(ts: TypeScript, root: TS.Node, name: string, after: TS.Node): TS.Identifier[] {
  const out: TS.Identifier[] = [];
  const walk = (n: TS.Node): void => {
    if (ts.isIdentifier(n) && n.text === name && n.pos >= after.end && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) out.push(n);
    ts.forEachChild(n, walk);
  };
  walk(root);
  return out;
}

function isClearCall(ts: TypeScript, call: TS.CallExpression): boolean {
  const callee = unwrap(ts, call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return !!name && CLEARS.has(name);
}

function isClearOf(ts: TypeScript, id: TS.Identifier): boolean {
  const p = id.parent;
  return ts.isCallExpression(p) && p.arguments[0] === id && isClearCall(ts, p);
}

function isUnrefOf(ts: TypeScript, id: TS.Identifier): boolean {
  const p = id.parent;
  return ts.isPropertyAccessExpression(p) && p.expression === id && (p.name.text === 'unref' || p.name.text === 'close');
}
