/**
 * misused-async-callback: an async (promise-returning) function passed where
 * the callee expects a void-returning callback and so ignores the promise:
 * Array#forEach, EventEmitter#on/once, addEventListener, timers, a
 * `new Promise(async …)` executor, or an async method implementing a
 * void-returning one.
 *
 * A callback whose promise cannot reject (its body cannot throw and everything
 * it awaits cannot reject: util/rejection.ts) is no worse than a synchronous
 * one and is not reported. The fix offered fits the API: a loop for forEach,
 * a try/catch inside the listener for emitters and subscriptions.
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext, type TypeScript } from './check.js';
import { indexFile } from './util/file-index.js';
import { causeRelated, rejectionsFor, type Rejections } from './util/rejection.js';
import { calleeName, enclosingFunction, hasModifier, isAsyncFunction, parentSkippingParens, skipParens } from './util/syntax.js';
import { inTestBody } from './util/test-files.js';
import { calleeSymbol, isPlatformDeclaration, isPromiseLikeType, resolveAlias, unionParts } from './util/types.js';

/** Callees whose function arguments we check even when passed by name (`emitter.on('x', this.handle)`). */
const VOID_CALLBACK_APIS = new Set([
  'forEach',
  'on',
  'once',
  'addListener',
  'prependListener',
  'prependOnceListener',
  'addEventListener',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'nextTick',
]);

/** Listener removals: the function passed is compared with those registered, never called. */
const REMOVAL_APIS = new Set(['off', 'removeListener', 'removeEventListener']);

/** Listener registrations: the emitter calls the listener and drops what it returns. */
const LISTENER_APIS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);

/** How to fix a report, by the kind of API the callback is given to (findings carry it as their hint). */
const HINTS = {
  iteration: 'Use a for…of loop with await (or await Promise.all over map), or catch inside the callback.',
  listener: "Wrap the listener's body in try/catch and report the error there (emit 'error', log it): the emitter never sees the promise.",
  callback: "Wrap the callback's body in try/catch and report the error there: the caller never sees the promise.",
  executor: 'Make the executor synchronous and do the async work in a separate async function whose promise you await.',
  /** For a function that is not async but returns a promise (`() => this.fetch()`). */
  returned: 'Add .catch() to the promise the function returns and report the error there: the caller never sees the promise.',
};

export interface MisusedAsyncCallbackOptions {
  /**
   * Also report async callbacks whose rejection would be lost in the bodies of tests and the helpers of test files
   * (default false): there the runner reports a rejection as a failure. Teardown hooks and forEach loops a test
   * expects to wait for are checked either way.
   */
  checkTestBodies: boolean;
  /**
   * Also report a callback that can reject only because a call it makes throws synchronously (default false; on in
   * the strict config): a synchronous callback would throw the same error as uncaught. Promise executors are
   * checked either way (a synchronous executor's throw becomes a rejection; an async one's is lost).
   */
  checkSyncThrows: boolean;
}

type Ctx = CheckContext<MisusedAsyncCallbackOptions>;

/** In a test file, a dropped async callback outside a teardown hook is the runner's to report, as floating-promise's drops are. */
function leftToTestRunner(ctx: Ctx, node: TS.Node): boolean {
  return ctx.options.checkTestBodies !== true && inTestBody(ctx.ts, ctx.program, ctx.sourceFile, node);
}

export const misusedAsyncCallback = defineCheck<MisusedAsyncCallbackOptions>({
  id: 'misused-async-callback',
  messages: {
    voidIteration:
      "This {{fn}} is passed to '{{callee}}', which ignores the promise it returns: a rejection is unhandled and '{{callee}}' does not wait for it. Use a for…of loop with await, or catch inside the callback.",
    unawaitedIteration:
      "This async function is passed to '{{callee}}', which does not wait for it: the code after '{{callee}}' runs before the callbacks' awaits finish. Use a for…of loop with await, or await Promise.all over map.",
    voidListener:
      "This {{fn}} is registered with '{{callee}}', which calls it and ignores the promise: a rejection is unhandled. Catch inside the listener ({{catch}}) and report the error there.",
    voidCallback:
      "This {{fn}} is passed to '{{callee}}', which expects a callback returning void and ignores the promise: a rejection is unhandled and '{{callee}}' does not wait for it. Catch inside the callback ({{catch}}) and report the error there.",
    promiseExecutor:
      'This Promise executor returns a promise, which the Promise constructor ignores: its rejection is unhandled, and if it comes before resolve or reject is called the promise never settles. Do the async work in an async function and settle from its result (.then(resolve, reject)), or return that promise instead of wrapping it.',
    asyncExecutor:
      'A Promise executor must not be async: a throw after the first await does not reject this promise but becomes an unhandled rejection, and the promise never settles unless the executor settled it first. Make the executor synchronous and await inside a separate async function.',
    voidProperty:
      "This promise-returning function is assigned to '{{name}}', whose type returns void: whoever calls '{{name}}' ignores the promise, so its rejection is unhandled.",
    voidReturn:
      'This promise-returning function is returned where a function type returning void is expected: whoever calls it ignores the promise, so its rejection is unhandled. Catch inside the function (try/catch around its awaits) and report the error there.',
    voidMethod:
      "Async method '{{name}}' implements '{{base}}', which returns void: callers through '{{base}}' ignore the promise, so its rejection is unhandled.",
  },
  schema: { type: 'object', properties: { checkTestBodies: { type: 'boolean' }, checkSyncThrows: { type: 'boolean' } }, additionalProperties: false },
  defaultOptions: { checkTestBodies: false, checkSyncThrows: false },
  strictOptions: { checkSyncThrows: true },
  run(ctx) {
    const { ts } = ctx;
    const index = indexFile(ts, ctx.sourceFile);
    let summaries: Rejections | undefined;
    // Asked only for a callback about to be reported. Unless checkSyncThrows is on, a callback judged by
    // `lenient` loses a rejection only through something asynchronous failing or a written throw.
    const all = () => (summaries ??= rejectionsFor(ts, ctx.program));
    const rejections: Summaries = Object.assign(() => all(), { judge: () => (ctx.options.checkSyncThrows === true ? all() : all().lenient()) });
    for (const call of index.calls) checkArguments(ctx, call, rejections);
    for (const call of index.news) checkArguments(ctx, call, rejections);
    for (const cls of index.classes) checkClass(ctx, cls, rejections);
    for (const fn of index.functions) checkProperty(ctx, fn, rejections);
    for (const stmt of index.expressionStatements) {
      const e = skipParens(ts, stmt.expression);
      if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) checkAssignment(ctx, e.left, e.right, rejections);
    }
    for (const decl of index.variableDeclarations) if (decl.type && decl.initializer) checkAssignment(ctx, decl.name, decl.initializer, rejections);
  },
});

/** The arguments a timer hands its callback: `setTimeout(fn, ms, ...args)`, `setImmediate(fn, ...args)`, `nextTick(fn, ...args)`. */
function forwardedArguments(ctx: Ctx, call: TS.CallExpression | TS.NewExpression, name: string | undefined, args: readonly TS.Expression[], callback: TS.Expression): readonly TS.Expression[] {
  if (args[0] !== callback || !ctx.ts.isCallExpression(call)) return [];
  // Only the platform's timers forward their extra arguments (a method of one's own named setTimeout need not).
  const decl = calleeSymbol(ctx.ts, ctx.checker, call.expression)?.declarations?.[0];
  if (!decl || !isPlatformDeclaration(ctx.program, decl)) return [];
  if (name === 'setTimeout' || name === 'setInterval') return args.slice(2);
  if (name === 'setImmediate' || name === 'nextTick') return args.slice(1);
  return [];
}

/** The summaries (for explanations and executors), and `judge()`: who decides whether a callback is reported. */
type Summaries = (() => Rejections) & { judge: () => Rejections };

/** All call signatures of the (non-null) type return void, and there is at least one. */
function expectsVoidCallback(ctx: Ctx, type: TS.Type): boolean {
  const { ts, checker } = ctx;
  let signatures = 0;
  for (const part of unionParts(checker.getNonNullableType(type))) {
    for (const sig of part.getCallSignatures()) {
      signatures++;
      const ret = sig.getReturnType();
      if (!(ret.flags & ts.TypeFlags.Void)) return false;
    }
  }
  return signatures > 0;
}

function returnsPromiseFn(ctx: Ctx, fn: TS.Expression): boolean {
  const { ts, checker, program } = ctx;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && hasModifier(ts, fn, ts.SyntaxKind.AsyncKeyword)) {
    return !fn.asteriskToken; // async generators return iterators, not promises
  }
  const type = checker.getTypeAtLocation(fn);
  const sigs = type.getCallSignatures();
  return sigs.length > 0 && sigs.every((s) => isPromiseLikeType(ts, program, s.getReturnType(), fn));
}

function checkArguments(ctx: Ctx, call: TS.CallExpression | TS.NewExpression, rejections: Summaries): void {
  const { ts, checker } = ctx;
  const args = call.arguments;
  if (!args || args.length === 0) return;
  const name = calleeName(ts, call);
  // Removing a listener only compares it (ethers' `provider.off(hash, txListener)`): it is never called there.
  if (name !== undefined && REMOVAL_APIS.has(name)) return;
  for (const raw of args) {
    const arg = skipParens(ts, raw);
    const isFunctionExpr = ts.isArrowFunction(arg) || ts.isFunctionExpression(arg);
    // `dispose.bind(undefined, room)` runs dispose: the function bound is the callback the questions are about.
    const bound = boundFunction(ts, arg);
    const ref = bound ?? arg;
    const isReference = ts.isIdentifier(ref) || ts.isPropertyAccessExpression(ref);
    const executorPosition = ts.isNewExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'Promise' && args[0] === raw;
    const knownApi = (name !== undefined && VOID_CALLBACK_APIS.has(name)) || executorPosition;
    // A name for an async function counts as that function: a `const` holding an async literal (engine.io's
    // `this.verify(req, callback)`), an async function declaration or method, a field initialised with an async arrow
    // (hocuspocus' `createServer(this.requestHandler)`), also bound (colyseus' `once('dispose', disposeRoom.bind(…))`).
    const asyncFn = isFunctionExpr ? (hasModifier(ts, arg, ts.SyntaxKind.AsyncKeyword) && !arg.asteriskToken ? arg : undefined) : isReference ? asyncFunctionNamed(ctx, ref, bound !== undefined) : undefined;
    const isAsync = asyncFn !== undefined;
    // Cheap syntactic filters first. Any API is checked for an async function; a non-async function
    // (or one passed by name) only for the well-known void-callback APIs, and only if it may return a promise.
    if (!isAsync && !knownApi) continue;
    if (!isFunctionExpr && !isReference) continue;
    if (isFunctionExpr && !isAsync && !mayReturnValue(ctx, arg)) continue;
    // Both must hold; the function's own type is the cheaper question (the contextual type
    // resolves the whole call), so it is asked first.
    if (!returnsPromiseFn(ctx, arg)) continue;
    const expected = checker.getContextualType(arg);
    const untyped = !expected || (expected.flags & ts.TypeFlags.Any) !== 0;
    if (!(untyped ? untypedForEach(ctx, call, raw) : expectsVoidCallback(ctx, expected))) continue;
    // Another overload of the callee takes a promise-returning function there (mocha's `it(title, fn: Func)` and
    // `it(title, fn: AsyncFunc)`): the contextual type is only the first overload's; the callee awaits.
    if (someOverloadAcceptsPromise(ctx, call, args.indexOf(raw))) continue;
    const isExecutor = executorPosition;
    // An async executor without await is ESLint core's no-async-promise-executor: left to it.
    if (isExecutor && asyncFn && !awaitsIn(ctx, asyncFn)) continue;
    // A shutdown handler (a termination signal's listener): a rejection ends the process, as the signal asked.
    if (ts.isCallExpression(call) && isShutdownHandler(ctx, call, ref, rejections)) continue;
    // forEach(async …) that awaits, in an async function (or awaited itself): the author expected to wait, and
    // the code after the loop runs first. Not waiting is the bug, rejection or not.
    if (name === 'forEach' && isFunctionExpr && awaitsIn(ctx, arg) && expectsToWait(ctx, call)) {
      const safe = rejections().callbackSafe(arg);
      ctx.report({ node: arg, messageId: safe ? 'unawaitedIteration' : 'voidIteration', data: { callee: name, fn: 'async function' }, hint: HINTS.iteration });
      continue;
    }
    // Not an executor: one that fails leaves its promise pending, so the test hangs to its timeout instead of
    // failing with the error (MQTT.js and testcontainers tests).
    if (!isExecutor && leftToTestRunner(ctx, arg)) continue;
    // A callback whose promise cannot reject loses nothing (and an executor that cannot throw settles).
    if ((isExecutor ? rejections() : rejections.judge()).callbackSafe(ref)) continue;
    // `setImmediate(apiCall, req, opts, callback)`: the timer calls it with those arguments, a callback among them.
    const forwarded = isReference ? forwardedArguments(ctx, call, name, args, raw) : [];
    if (forwarded.length > 0 && rejections().dualApiGivenCallback(ref, forwarded)) continue;
    if (isExecutor) {
      ctx.report({ node: arg, messageId: isAsync ? 'asyncExecutor' : 'promiseExecutor', hint: HINTS.executor, related: causeRelated(rejections().explain(ref, true)) });
      continue;
    }
    const kind = name === 'forEach' ? 'iteration' : name !== undefined && LISTENER_APIS.has(name) ? 'listener' : 'callback';
    const messageId = kind === 'iteration' ? 'voidIteration' : kind === 'listener' ? 'voidListener' : 'voidCallback';
    // Name what was passed: `() => this.fetch()` is no async function, and its fix is a .catch() on what it returns.
    const data = isAsync ? { fn: 'async function', catch: 'try/catch around its awaits' } : { fn: 'function returns a promise and', catch: '.catch() on the promise it returns' };
    ctx.report({ node: arg, messageId, data: { callee: name ?? 'the callee', ...data }, hint: isAsync || kind === 'iteration' ? HINTS[kind] : HINTS.returned, related: causeRelated(rejections.judge().explain(ref, true)) });
  }
}

/** The instance member `this.name` names, in the class whose `this` it is (an arrow keeps it; a function does not). */
function ownMember(ts: TypeScript, access: TS.PropertyAccessExpression): TS.Declaration | undefined {
  if (access.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  let n: TS.Node = access.parent;
  while (!ts.isClassLike(n)) {
    if (ts.isSourceFile(n) || ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n)) return undefined;
    n = n.parent;
  }
  const name = access.name.text;
  return n.members.find(
    (m) => (ts.isMethodDeclaration(m) || ts.isPropertyDeclaration(m)) && m.name !== undefined && (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name)) && m.name.text === name && !hasModifier(ts, m, ts.SyntaxKind.StaticKeyword),
  );
}

/** `this.m.bind(this)` of an async method of the enclosing class. */
function boundOwnAsyncMethod(ctx: Ctx, e: TS.Expression): boolean {
  const target = boundFunction(ctx.ts, e);
  return target !== undefined && ctx.ts.isPropertyAccessExpression(target) && target.expression.kind === ctx.ts.SyntaxKind.ThisKeyword && asyncFunctionNamed(ctx, target, false) !== undefined;
}

/** `f` in `f.bind(thisArg, …)` when `f` is a name or a property access. */
function boundFunction(ts: TypeScript, e: TS.Expression): TS.Expression | undefined {
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== 'bind') return undefined;
  const target = skipParens(ts, e.expression.expression);
  return ts.isIdentifier(target) || ts.isPropertyAccessExpression(target) ? target : undefined;
}

/**
 * The async function a name stands for: the async arrow or function expression a `const` or a field is initialised
 * with, or an async function declaration or method (not a generator: async generators return iterators).
 */
function asyncFunctionNamed(ctx: Ctx, ref: TS.Identifier | TS.PropertyAccessExpression, bound: boolean): TS.FunctionLikeDeclaration | undefined {
  const { ts, checker } = ctx;
  // Resolving a property access asks for its receiver's type: too dear for every argument of every call. `this.m` is
  // looked up among the enclosing class's members by name; another receiver's member only when it is bound (rare).
  const decl = ts.isPropertyAccessExpression(ref) && !bound ? ownMember(ts, ref) : checker.getSymbolAtLocation(ts.isIdentifier(ref) ? ref : ref.name)?.valueDeclaration;
  if (!decl) return undefined;
  const asyncBody = (fn: TS.FunctionLikeDeclaration) => (!fn.asteriskToken && hasModifier(ts, fn, ts.SyntaxKind.AsyncKeyword) ? fn : undefined);
  if (ts.isFunctionDeclaration(decl) || ts.isMethodDeclaration(decl)) return decl.body ? asyncBody(decl) : undefined;
  let init: TS.Expression | undefined;
  if (ts.isVariableDeclaration(decl) && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) init = decl.initializer;
  else if (ts.isPropertyDeclaration(decl)) init = decl.initializer;
  const value = init && skipParens(ts, init);
  return value && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? asyncBody(value) : undefined;
}

/**
 * `api.chatRoom.middleware.forEach(async (name) => …)` in JavaScript, where the receiver is `any`: the callback as
 * the first argument of a `forEach` is an iteration callback (arrays, Maps, Sets, NodeLists, Headers all ignore what
 * it returns). A library's `forEach(collection, iteratee)` (the async package's, which awaits) takes it second.
 */
function untypedForEach(ctx: Ctx, call: TS.CallExpression | TS.NewExpression, arg: TS.Expression): boolean {
  const { ts, checker } = ctx;
  if (!ts.isCallExpression(call) || call.arguments[0] !== arg || !ts.isPropertyAccessExpression(call.expression) || call.expression.name.text !== 'forEach') return false;
  const receiver = checker.getTypeAtLocation(call.expression.expression);
  return (receiver.flags & ts.TypeFlags.Any) !== 0;
}

/**
 * Some call signature of the callee has, at this argument, a function type that may return a promise
 * (not every signature returns void): the callee has an overload that takes an async callback.
 */
function someOverloadAcceptsPromise(ctx: Ctx, call: TS.CallExpression | TS.NewExpression, index: number): boolean {
  const { ts, checker } = ctx;
  const calleeType = checker.getTypeAtLocation(call.expression);
  const sigs = ts.isNewExpression(call) ? calleeType.getConstructSignatures() : calleeType.getCallSignatures();
  if (sigs.length < 2) return false;
  return sigs.some((sig) => {
    const params = sig.getParameters();
    const last = params[params.length - 1];
    const lastDecl = last?.valueDeclaration;
    const rest = lastDecl !== undefined && ts.isParameter(lastDecl) && lastDecl.dotDotDotToken !== undefined;
    const param = index < params.length - (rest ? 1 : 0) ? params[index] : rest ? last : undefined;
    if (!param) return false;
    let type = checker.getTypeOfSymbolAtLocation(param, call);
    // getIndexInfoOfType, not getIndexTypeOfType: the TypeScript 7 back end answers the former only.
    if (rest && param === last) type = checker.getIndexInfoOfType(type, ts.IndexKind.Number)?.type ?? type;
    const parts = unionParts(checker.getNonNullableType(type)).filter((t) => t.getCallSignatures().length > 0);
    return parts.length > 0 && !expectsVoidCallback(ctx, type);
  });
}

/** The function's own body awaits (await or for await…of), outside nested functions. */
function awaitsIn(ctx: Ctx, fn: TS.FunctionLikeDeclaration): boolean {
  const { ts } = ctx;
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found || (ts.isFunctionLike(n) && n !== fn)) return;
    if (ts.isAwaitExpression(n) || (ts.isForOfStatement(n) && n.awaitModifier)) found = true;
    else ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** The call is awaited, or sits directly in an async function's body (not in a nested callback). */
function expectsToWait(ctx: Ctx, call: TS.CallExpression | TS.NewExpression): boolean {
  const { ts } = ctx;
  if (ts.isAwaitExpression(parentSkippingParens(ts, call))) return true;
  const fn = enclosingFunction(ts, call);
  return fn !== undefined && isAsyncFunction(ts, fn);
}

/**
 * Signals that ask the process to end. Their listeners are shutdown handlers: if one rejects, the
 * process ends with the rejection (Node raises an unhandled rejection as an uncaught exception), as
 * a synchronous handler that throws does, and as the signal asked. Not 'uncaughtException' /
 * 'unhandledRejection' (a rejection there re-enters the handler), and not SIGHUP, which daemons
 * take as "reload" (a rejection would end a process asked to go on).
 */
const TERMINATION_SIGNALS = new Set(['SIGINT', 'SIGTERM', 'SIGQUIT', 'SIGBREAK']);

/** Listeners that are shutdown handlers only when they end by exiting the process. */
const EXITING_EVENTS = new Set(['SIGHUP', 'beforeExit']);

/**
 * A shutdown handler: a termination signal's listener (`process.on('SIGTERM', async () => { await
 * server.close(); })`), or a SIGHUP or `'beforeExit'` listener whose body (every body the argument can
 * be, when passed by name) ends with `process.exit(…)`. Without the exit, a SIGHUP handler may be a
 * reload, and a 'beforeExit' listener that awaits schedules work that brings 'beforeExit' back.
 */
function isShutdownHandler(ctx: Ctx, call: TS.CallExpression, arg: TS.Expression, rejections: Summaries): boolean {
  const { ts } = ctx;
  const callee = skipParens(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee) || !['on', 'once', 'addListener', 'prependListener', 'prependOnceListener'].includes(callee.name.text)) return false;
  const receiver = skipParens(ts, callee.expression);
  if (!ts.isIdentifier(receiver) || !isNodeProcess(ctx, receiver)) return false;
  const event = call.arguments[0] && skipParens(ts, call.arguments[0]);
  if (!event || !(ts.isStringLiteral(event) || ts.isNoSubstitutionTemplateLiteral(event))) return false;
  if (TERMINATION_SIGNALS.has(event.text)) return true;
  return EXITING_EVENTS.has(event.text) && rejections().endsByExiting(arg);
}

/** Node's `process`: the global, or an import of it under any name (`import proc from 'node:process'`). */
function isNodeProcess(ctx: Ctx, id: TS.Identifier): boolean {
  const symbol = ctx.checker.getSymbolAtLocation(id);
  const resolved = symbol && resolveAlias(ctx.ts, ctx.checker, symbol);
  const decls = resolved?.getDeclarations() ?? [];
  return resolved?.getName() === 'process' && decls.length > 0 && decls.every((d) => d.getSourceFile().isDeclarationFile);
}

/** Whether a non-async function may return a promise, judged from the syntax of what it returns. */
function mayReturnValue(ctx: Ctx, fn: TS.ArrowFunction | TS.FunctionExpression): boolean {
  const { ts } = ctx;
  if (!ts.isBlock(fn.body)) return couldBePromise(ctx, fn.body);
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (ts.isReturnStatement(n) && n.expression && couldBePromise(ctx, n.expression)) found = true;
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn.body, visit);
  return found;
}

/** Literals, arithmetic, templates and object literals are never promises; calls and references may be. */
function couldBePromise(ctx: Ctx, e: TS.Expression): boolean {
  const { ts } = ctx;
  const x = skipParens(ts, e);
  if (ts.isCallExpression(x) || ts.isNewExpression(x) || ts.isIdentifier(x) || ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) return true;
  if (ts.isConditionalExpression(x)) return couldBePromise(ctx, x.whenTrue) || couldBePromise(ctx, x.whenFalse);
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.CommaToken)
      return couldBePromise(ctx, x.right) || couldBePromise(ctx, x.left);
    return false;
  }
  if (ts.isAsExpression(x) || ts.isNonNullExpression(x) || ts.isSatisfiesExpression(x)) return couldBePromise(ctx, x.expression);
  return false;
}

/**
 * `{ onClose: async () => … }` where the object's type declares `onClose(): void`; also a plain arrow that
 * returns a promise (`{ fn: (job) => completeJobs(job) }` typed `(job) => void`): the caller drops it alike.
 */
function checkProperty(ctx: Ctx, fn: TS.FunctionLikeDeclaration, rejections: Summaries): void {
  const { ts, checker } = ctx;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return;
  const prop = parentSkippingParens(ts, fn);
  // Returned where the function's declared return type is a void-returning function type (inngest's
  // `createHandler(): http.RequestListener { return async (req, res) => … }`): whoever calls it drops the promise.
  const returned = (ts.isReturnStatement(prop) && prop.expression !== undefined && skipParens(ts, prop.expression) === fn) || (ts.isArrowFunction(prop) && prop.body !== undefined && skipParens(ts, prop.body as TS.Expression) === fn);
  if (!returned && (!ts.isPropertyAssignment(prop) || prop.initializer !== fn || !ts.isObjectLiteralExpression(prop.parent))) return;
  if (fn.asteriskToken) return;
  const isAsync = hasModifier(ts, fn, ts.SyntaxKind.AsyncKeyword);
  // Returned functions are everywhere in functional code (effect's dual APIs): only an async one, from a function
  // whose return type is written out, is worth asking the checker about.
  if (returned && (!isAsync || !enclosingFunction(ts, fn)?.type)) return;
  if (!isAsync && !mayReturnValue(ctx, fn)) return;
  const expected = checker.getContextualType(fn);
  if (!expected || !expectsVoidCallback(ctx, expected)) return;
  // A plain arrow: only now ask what it returns (inferring it is the costly part).
  if (!isAsync && !returnsPromiseFn(ctx, fn)) return;
  if (leftToTestRunner(ctx, fn)) return;
  if (rejections.judge().callbackSafe(fn)) return;
  const related = causeRelated(rejections.judge().explain(fn, true));
  if (returned) ctx.report({ node: fn, messageId: 'voidReturn', hint: HINTS.callback, related });
  else ctx.report({ node: fn, messageId: 'voidProperty', data: { name: (prop as TS.PropertyAssignment).name.getText(ctx.sourceFile) }, hint: HINTS.callback, related });
}

/**
 * `closed = server.opened(socket)` where `closed` is declared `(code: number) => void`, `const f: () => void = load`:
 * a promise-returning function stored where its type returns void; whoever calls it through that name drops the
 * promise. Function literals given to object properties are checkProperty's; here any value, judged by its type.
 */
function checkAssignment(ctx: Ctx, target: TS.Node, value: TS.Expression, rejections: Summaries): void {
  const { ts, checker } = ctx;
  const v = skipParens(ts, value);
  const isFunctionExpr = ts.isArrowFunction(v) || ts.isFunctionExpression(v);
  if (!isFunctionExpr && !ts.isCallExpression(v) && !ts.isIdentifier(v) && !ts.isPropertyAccessExpression(v)) return;
  if (isFunctionExpr && (v.asteriskToken || (!hasModifier(ts, v, ts.SyntaxKind.AsyncKeyword) && !mayReturnValue(ctx, v)))) return;
  // A field (`socket.onclose = async …`) is looked up through its object's type: only for an async function written
  // there, or a method of the class bound to it (ethers' `this.#poller = this.#poll.bind(this)`), the common shapes; a
  // variable's declaration is found by name, so any value is checked.
  if (ts.isPropertyAccessExpression(target) && !(isFunctionExpr && hasModifier(ts, v, ts.SyntaxKind.AsyncKeyword)) && !boundOwnAsyncMethod(ctx, v)) return;
  // An assigned variable is declared in this file (imports cannot be assigned): skip names no declaration here
  // annotates with a type that may be a function's, before asking the checker to resolve the name.
  if (ts.isIdentifier(target) && !ts.isVariableDeclaration(target.parent) && !hasFunctionTypedDeclaration(ts, ctx.sourceFile, target.text)) return;
  // Declared void-returning function type, read from the declaration's annotation before any type is computed.
  const sym = ts.isVariableDeclaration(target.parent) ? undefined : ts.isIdentifier(target) || ts.isPropertyAccessExpression(target) ? checker.getSymbolAtLocation(ts.isPropertyAccessExpression(target) ? target.name : target) : undefined;
  const declared = ts.isVariableDeclaration(target.parent) ? target.parent.type : sym?.valueDeclaration && 'type' in sym.valueDeclaration ? (sym.valueDeclaration as { type?: TS.TypeNode }).type : undefined;
  if (!declared || !mayBeVoidFunctionType(ts, checker, declared)) return;
  if (!expectsVoidCallback(ctx, checker.getTypeFromTypeNode(declared))) return;
  if (!returnsPromiseFn(ctx, v)) return;
  if (leftToTestRunner(ctx, value)) return;
  if (rejections.judge().callbackSafe(v)) return;
  ctx.report({ node: value, messageId: 'voidProperty', data: { name: target.getText(ctx.sourceFile) }, hint: HINTS.callback, related: causeRelated(rejections.judge().explain(v, true)) });
}

/** Some variable or parameter of the file named so is annotated with a function type, a union or a type reference. */
function hasFunctionTypedDeclaration(ts: TypeScript, file: TS.SourceFile, name: string): boolean {
  const maybe = (t: TS.TypeNode): boolean =>
    ts.isFunctionTypeNode(t) || ts.isTypeReferenceNode(t) || (ts.isParenthesizedTypeNode(t) && maybe(t.type)) || (ts.isUnionTypeNode(t) && t.types.some(maybe));
  return (indexFile(ts, file).identifiersByText.get(name) ?? []).some((id) => {
    const d = id.parent;
    return (ts.isVariableDeclaration(d) || ts.isParameter(d)) && d.name === id && d.type !== undefined && maybe(d.type);
  });
}

/**
 * A type annotation that may denote a void-returning function, read from the syntax (no type is instantiated): a
 * function type returning `void`, a union or parenthesis around one, or a reference to a type alias or interface
 * declared so (`type Handler = (e: Event) => void`, `interface Listener { (e: Event): void }`).
 */
function mayBeVoidFunctionType(ts: TypeScript, checker: TS.TypeChecker, t: TS.TypeNode, depth = 0): boolean {
  if (ts.isFunctionTypeNode(t)) return t.type.kind === ts.SyntaxKind.VoidKeyword;
  if (ts.isParenthesizedTypeNode(t)) return mayBeVoidFunctionType(ts, checker, t.type, depth);
  if (ts.isUnionTypeNode(t)) return t.types.some((x) => mayBeVoidFunctionType(ts, checker, x, depth));
  if (!ts.isTypeReferenceNode(t) || depth > 3) return false;
  let sym = checker.getSymbolAtLocation(t.typeName);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  return (sym?.getDeclarations() ?? []).some((d) =>
    ts.isTypeAliasDeclaration(d)
      ? mayBeVoidFunctionType(ts, checker, d.type, depth + 1)
      : ts.isInterfaceDeclaration(d) && d.members.some((m) => ts.isCallSignatureDeclaration(m) && m.type?.kind === ts.SyntaxKind.VoidKeyword),
  );
}

function checkClass(ctx: Ctx, cls: TS.ClassLikeDeclaration, rejections: Summaries): void {
  const { ts, checker } = ctx;
  if (!cls.heritageClauses || cls.heritageClauses.length === 0) return;
  // The heritage types are resolved only for a class that has an async method to compare.
  let bases: TS.Type[] | undefined;
  for (const member of cls.members) {
    if (!ts.isMethodDeclaration(member) || !member.body || !ts.isIdentifier(member.name)) continue;
    if (!hasModifier(ts, member, ts.SyntaxKind.AsyncKeyword) || member.asteriskToken) continue;
    const name = member.name.text;
    if (!bases) {
      bases = [];
      for (const clause of cls.heritageClauses) for (const t of clause.types) bases.push(checker.getTypeAtLocation(t));
    }
    for (const base of bases) {
      const prop = base.getProperty(name);
      if (!prop) continue;
      const baseType = checker.getTypeOfSymbolAtLocation(prop, member);
      if (!expectsVoidCallback(ctx, baseType)) continue;
      if (leftToTestRunner(ctx, member)) break;
      if (rejections.judge().asyncFunctionNeverRejects(member)) break;
      const baseName = `${checker.typeToString(base)}.${name}`;
      ctx.report({ node: member.name, messageId: 'voidMethod', data: { name, base: baseName }, hint: HINTS.callback, related: causeRelated(rejections.judge().explain(member, true)) });
      break;
    }
  }
}
