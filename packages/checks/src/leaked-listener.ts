/**
 * leaked-listener: a listener added (addEventListener/on/addListener) to an
 * emitter, EventTarget or AbortSignal that outlives the object or function
 * that added it (a class with close/dispose/…, a function returning a
 * cleanup), with no matching removal in the teardown; and the reused-signal
 * leak: `signal.addEventListener('abort', …)` without `{ once: true }` and
 * without a removal.
 *
 * Ownership: an emitter the class made itself (`new Socket()`, or a Node
 * factory such as `spawn()`, `net.connect()`, `http.createServer()`) dies with
 * it. Aliases are followed (`this._res = this.res` … `this._res.end()`), and a
 * listener for a resource's last event ('close', 'exit', 'end', 'finish',
 * 'error' on a stream, socket, response or child process) is how the owner
 * learns the resource is gone, not a leak.
 */
import type * as TS from 'typescript';
import { defineCheck } from './check.js';
import type { TypeScript } from './check.js';
import { accessRoot, unwrap } from './shared-state/locations.js';
import { callsIn, LifecycleIndex, type LifecycleOwner, lifecycleOptionsSchema, normalizeText } from './shared-state/lifecycle.js';
import { calleeSymbol, isAbortSignalType, isDeclaredInPackage } from './util/types.js';
import { calleeName, enclosingFunction, isFunctionLike, isInside, isNullishLiteral, referencesIn } from './util/syntax.js';
import { completionOf, coveredOnPath, inFinally, inNestedFunction, isReturnedFunction, type CompletionSite } from './util/listener-paths.js';
import { indexFile } from './util/file-index.js';
import { leftToTheRuntime } from './util/test-files.js';

export interface LeakedListenerOptions {
  lifecycleMethods: string[];
}

const ADD_METHODS = new Set(['addEventListener', 'on', 'addListener', 'prependListener', 'once', 'prependOnceListener']);
/** Calls that take a listener without removing it: passing it to them does not hand its removal to someone else. */
const NOT_A_HANDOFF = new Set([...ADD_METHODS, 'setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'nextTick']);
const REMOVE_METHODS = new Set(['removeEventListener', 'off', 'removeListener']);
const GLOBAL_TARGETS = new Set(['process', 'window', 'document', 'globalThis', 'self']);
/** Factories that return a fresh emitter the caller owns, as `new Socket()` does (checked against their module). */
const EMITTER_FACTORIES = new Set([
  'spawn',
  'fork',
  'exec',
  'execFile',
  'createServer',
  'createSecureServer',
  'connect',
  'createConnection',
  'request',
  'get',
  'createSocket',
  'createReadStream',
  'createWriteStream',
  'createInterface',
  'watch',
]);
const FACTORY_MODULES = ['child_process', 'net', 'tls', 'http', 'https', 'http2', 'dgram', 'fs', 'readline', 'ws', 'cross-spawn', 'execa'];
/** The last events of a resource: after them it emits nothing more, so a listener for them cannot call in after teardown. */
const CLOSING_EVENTS = new Set(['close', 'exit', 'end', 'finish', 'error']);
/** A resource that ends on its own (a stream, socket, response, child process, worker), unlike a long-lived bus or client. */
const RESOURCE_METHODS = ['destroy', 'kill', 'terminate'];

export const leakedListener = defineCheck<LeakedListenerOptions>({
  id: 'leaked-listener',
  messages: {
    notRemoved:
      "The {{event}} listener {{listener}} added to {{target}} is never removed by {{teardown}}: {{target}} outlives {{owner}}, keeps it alive and calls into it after teardown. Call {{target}}.{{remove}}({{event}}, {{listener}}) in {{teardown}}, or pass { signal } and abort it there.",
    inlineListener:
      "This {{event}} listener on {{target}} is an inline function, so {{teardown}} cannot remove it: {{target}} outlives {{owner}}, keeps it alive and calls into it after teardown. Keep the listener in a field or variable and call {{target}}.{{remove}}({{event}}, listener) in {{teardown}}, or pass { signal } and abort it there.",
    abortListener:
      "This 'abort' listener is added to {{target}} without { once: true } and is never removed: when the signal is shared or reused and not aborted, every call adds one more listener and keeps its closure alive (MaxListenersExceededWarning). Remove it with {{target}}.removeEventListener('abort', listener) when the work ends (in finally), or pass { once: true }.",
    onceAbortListener:
      "This 'abort' listener on {{target}} has { once: true }, which removes it only if {{target}} aborts: when the work {{how}} without an abort (see the related location) and the signal is long-lived or reused, every call leaves one more listener and its closure behind (MaxListenersExceededWarning). Remove it with {{target}}.removeEventListener('abort', listener) when the work ends (in finally, or before resolving).",
    abortListenerPath:
      "This 'abort' listener on {{target}} is removed on some paths but not when the work {{how}} normally (see the related location): when the signal is long-lived or reused, every call that ends this way leaves one more listener and its closure behind (MaxListenersExceededWarning). Remove it on every path (in finally, or before resolving).",
    restartListener:
      "This {{event}} listener is added to {{target}} each time {{fn}}() runs, and {{fn}}() runs again (see the related location) without removing the previous one: the listeners pile up on {{target}} (MaxListenersExceededWarning). Remove it before starting over, or add it once outside {{fn}}().",
    onabortAssigned:
      "Assigning {{target}}.onabort replaces the handler set on this signal before (another caller's, or the previous call's), and this closure then lives as long as the signal. Use {{target}}.addEventListener('abort', listener) and remove it when the work ends.",
    droppedRemover:
      "{{callee}}() returns what removes the 'abort' listener from {{target}}, and this call drops it: the listener stays until {{target}} aborts, one more per call when the signal is long-lived or reused. Keep the result and call (or dispose of) it when the work ends.",
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
    const file = indexFile(ts, sourceFile);
    for (const node of file.calls) {
      if (node.arguments.length < 2) continue;
      const callee = unwrap(ts, node.expression);
      if (ts.isPropertyAccessExpression(callee) && ADD_METHODS.has(callee.name.text)) {
        checkRegistration(ts, checker, index, node, callee, ctx.report, ctx.program);
      } else if (ts.isExpressionStatement(skipUp(ts, node))) {
        checkDroppedRemover(ts, checker, node, callee, ctx.report);
      }
    }
    for (const id of file.identifiersByText.get('onabort') ?? []) checkOnabort(ts, checker, id, ctx.report);
  },
});

type Report = (r: { node: TS.Node; messageId: string; data: Record<string, string>; related?: { label: string; node: TS.Node }[] }) => void;

function checkRegistration(
  ts: TypeScript,
  checker: TS.TypeChecker,
  index: LifecycleIndex,
  call: TS.CallExpression,
  callee: TS.PropertyAccessExpression,
  report: Report,
  program: TS.Program,
): void {
  const method = callee.name.text;
  const target = unwrap(ts, callee.expression);
  const event = eventName(ts, call.arguments[0]!);
  // How the message names the event: quoted when written as a literal, the expression itself otherwise (`process.on(signal, …)`).
  const eventText = event !== undefined ? `'${event}'` : call.arguments[0]!.getText(call.getSourceFile());
  const listener = unwrap(ts, call.arguments[1]!);
  const options = call.arguments[2] && unwrap(ts, call.arguments[2]);
  if (hasOption(ts, options, 'signal')) return; // removed when that signal aborts
  // The result is kept (an unsubscribe function or disposable): the caller removes through it.
  if (!ts.isExpressionStatement(skipUp(ts, call))) return;
  const targetText = normalizeText(target);
  const remove = method === 'addEventListener' ? 'removeEventListener' : 'off';

  if (method === 'addEventListener' && event === 'abort' && isSignalTarget(ts, checker, target)) {
    if (isFreshSignal(ts, checker, target)) return;
    checkAbortListener(ts, call, target, targetText, listener, hasOption(ts, options, 'once'), report);
    return;
  }

  const restarted = restartSite(ts, call, target, targetText, event, listener);
  if (restarted) {
    report({ node: call, messageId: 'restartListener', data: { event: eventText, target: targetText, fn: restarted.name }, related: [{ label: `${restarted.name}() runs again here with the listener still attached`, node: restarted.site }] });
    return;
  }

  const owner = index.ownerOf(call);
  if (!owner || method === 'once' || method === 'prependOnceListener' || hasOption(ts, options, 'once')) return;
  const lifetime = outlivesOwner(ts, checker, target, owner);
  if (!lifetime) return;
  const type = checker.getNonNullableType(checker.getTypeAtLocation(target));
  if (![...REMOVE_METHODS].some((m) => type.getProperty(m))) return; // not an emitter/EventTarget
  // `child.on('close', …)`, `this.res.on('close', …)`: how the owner learns that a resource it was given ended.
  // Not a global's or a module-level resource's, which outlive every instance, nor one reached through
  // another object (`req.socket`: a keep-alive socket outlives each request).
  if ((lifetime === 'parameter' || lifetime === 'field') && isDirectHandle(ts, target) && event !== undefined && CLOSING_EVENTS.has(event) && RESOURCE_METHODS.some((m) => type.getProperty(m))) {
    return;
  }
  // The analyser sees who constructs the owner: when every construction hands it an emitter the constructing
  // object made itself, in its own constructor, both live exactly as long as that object (one pair per object).
  if ((lifetime === 'field' || lifetime === 'parameter') && owner.kind === 'class' && constructedWithItsEmitter(ts, checker, program, owner.node as TS.ClassLikeDeclaration, call, target)) return;
  const data = { event: eventText, target: targetText, teardown: owner.teardownName, owner: owner.ownerName, remove };
  const aliases = followAliases(ts, owner.node, targetAliases(ts, target, targetText));
  // The teardown ends the target itself (`this.socket.destroy()`, through an alias) or drops all its listeners.
  if (endsTarget(ts, owner.teardown, aliases)) return;
  if (isInline(ts, listener)) {
    report({ node: call, messageId: 'inlineListener', data });
    return;
  }
  const listenerText = normalizeText(listener);
  if (aliases.some((t) => hasRemoval(ts, owner.teardown, t, event, listenerText))) return;
  // A listener local to the operation that added it and removed by that operation (a drain's `cleanup()` that its
  // settle paths call) lives as long as the operation, not as long as the target; the teardown could not name it.
  const operation = outermostFunction(ts, call);
  const local = localFunction(ts, listener);
  if (operation && local && isInside(local, operation) && aliases.some((t) => hasRemoval(ts, [operation], t, event, listenerText))) return;
  report({ node: call, messageId: 'notRemoved', data: { ...data, listener: listenerText } });
}

/** An AbortSignal, or in JavaScript (no type) a value named like one (`signal`, `options.signal`). */
function isSignalTarget(ts: TypeScript, checker: TS.TypeChecker, target: TS.Expression): boolean {
  const type = checker.getTypeAtLocation(target);
  if (isAbortSignalType(checker, type)) return true;
  if (!(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return false;
  const name = ts.isIdentifier(target) ? target.text : ts.isPropertyAccessExpression(target) ? target.name.text : '';
  return /signal$/i.test(name);
}

/**
 * The per-call 'abort' listener on a signal from outside: never removed (abortListener), removed only through
 * { once: true } although the work completes without an abort (onceAbortListener), or removed on some paths but not
 * where the work completes normally (abortListenerPath). The add site is reported, the completion that leaves the
 * listener attached is the related location.
 */
function checkAbortListener(ts: TypeScript, call: TS.CallExpression, target: TS.Expression, targetText: string, listener: TS.Expression, once: boolean, report: Report): void {
  const scope = enclosingClass(ts, call) ?? outermostFunction(ts, call) ?? call.getSourceFile();
  const aliases = targetAliases(ts, target, targetText);
  const inline = isInline(ts, listener);
  const listenerText = inline ? undefined : normalizeText(listener);
  // The abort path: the listener itself (inline, or a local function) runs only when the signal aborts.
  const listenerNode = inline ? listener : localFunction(ts, listener);
  // Handed to another function (a cleanup registry, a tracker): that one decides when it is removed.
  if (listenerText && handedOff(ts, scope, call, listenerText)) return;
  const removals = listenerText ? aliases.flatMap((t) => removalsIn(ts, [scope], t, 'abort', listenerText)) : [];
  const completion = completionOf(ts, call, listenerNode);
  const related = (site: CompletionSite) => [{ label: `the work ${site.how} here with the listener still attached`, node: site.node }];
  const data = { target: targetText };
  if (removals.length === 0) {
    const first = completion?.sites[0];
    if (!once) {
      report({ node: call, messageId: 'abortListener', data, ...(first ? { related: related(first) } : {}) });
      return;
    }
    // { once: true } in work that completes (a promise executor, an async function): it stays when no abort comes.
    if (first) report({ node: call, messageId: 'onceAbortListener', data: { ...data, how: first.how }, related: related(first) });
    return;
  }
  const all = withCleanups(ts, scope, removals);
  const outsideListener = (r: TS.Node) => !listenerNode || !isInside(r, listenerNode);
  // A removal in a finally (or .finally()), or in a cleanup function handed back to the caller, runs on every path.
  if ([...all].some((r) => outsideListener(r) && (inFinally(ts, r, scope) || isReturnedFunction(ts, r)))) return;
  if (!completion) return;
  // An async function whose removal sits in a callback (a stream's end, a subscription's teardown) hands the
  // listener to work that goes on after it returns: its return is not where that work completes.
  if (completion.kind === 'async') {
    const fn = enclosingFunction(ts, call);
    if (fn && [...all].some((r) => outsideListener(r) && inNestedFunction(ts, r, fn))) return;
  }
  if (completion.promise && coveredOnPath(ts, completion.promise, all)) return;
  const open = completion.sites.find((site) => !coveredOnPath(ts, site.node, all));
  if (open) report({ node: call, messageId: 'abortListenerPath', data: { ...data, how: open.how }, related: related(open) });
}

/** The local function a listener names (`const onAbort = () => …`, `function onAbort() {}`), whose body is the abort path. */
function localFunction(ts: TypeScript, listener: TS.Expression): TS.Node | undefined {
  if (!ts.isIdentifier(listener)) return undefined;
  // The nearest function declaring it, looking outwards (apollo-server registers in a `signals.forEach(…)` callback a
  // handler its method declared), up to the class or the file.
  for (let scope: TS.Node | undefined = listener.parent; scope && !ts.isClassLike(scope); scope = scope.parent) {
    if (!isFunctionLike(ts, scope) && !ts.isSourceFile(scope)) continue;
    const found = declaredFunctionIn(ts, scope, listener.text);
    if (found || ts.isSourceFile(scope)) return found;
  }
  return undefined;
}

function declaredFunctionIn(ts: TypeScript, scope: TS.Node, name: string): TS.Node | undefined {
  let found: TS.Node | undefined;
  const walk = (n: TS.Node): void => {
    if (found) return;
    if (ts.isFunctionDeclaration(n) && n.name?.text === name) found = n;
    else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.name.text === name && n.initializer) {
      const init = unwrap(ts, n.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) found = init;
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left) && n.left.text === name) {
      const init = unwrap(ts, n.right);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) found = init;
    }
    ts.forEachChild(n, walk);
  };
  walk(scope);
  return found;
}

/** The listener is passed to some other call than adding or removing it (`registerCleanup(signal, onAbort)`). */
function handedOff(ts: TypeScript, scope: TS.Node, add: TS.CallExpression, listenerText: string): boolean {
  return callsIn(ts, [scope]).some((c) => {
    if (c === add) return false;
    const callee = unwrap(ts, c.expression);
    const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    if (name && (REMOVE_METHODS.has(name) || NOT_A_HANDOFF.has(name))) return false;
    return c.arguments.some((a) => normalizeText(unwrap(ts, a)) === listenerText);
  });
}

/**
 * The removals plus every call to a function of the scope that removes (`cleanup()`, `this.teardown()`,
 * `this._removeListeners?.()`), through any number of such functions.
 */
function withCleanups(ts: TypeScript, scope: TS.Node, removals: readonly TS.CallExpression[]): Set<TS.Node> {
  const fns: { key: string; body: TS.Node }[] = [];
  const walk = (n: TS.Node): void => {
    if (ts.isFunctionDeclaration(n) && n.name && n.body) fns.push({ key: n.name.text, body: n.body });
    else if ((ts.isMethodDeclaration(n) || ts.isGetAccessorDeclaration(n)) && n.body && (ts.isIdentifier(n.name) || ts.isPrivateIdentifier(n.name))) fns.push({ key: `this.${n.name.text}`, body: n.body });
    else if ((ts.isVariableDeclaration(n) || ts.isPropertyDeclaration(n)) && n.initializer && (ts.isIdentifier(n.name) || ts.isPrivateIdentifier(n.name))) {
      const init = unwrap(ts, n.initializer);
      if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) fns.push({ key: ts.isPropertyDeclaration(n) ? `this.${n.name.text}` : n.name.text, body: init.body });
    } else if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const init = unwrap(ts, n.right);
      const left = unwrap(ts, n.left);
      if ((ts.isArrowFunction(init) || ts.isFunctionExpression(init)) && (ts.isIdentifier(left) || ts.isPropertyAccessExpression(left))) fns.push({ key: normalizeText(left), body: init.body });
    }
    ts.forEachChild(n, walk);
  };
  walk(scope);
  const out = new Set<TS.Node>(removals);
  if (fns.length === 0) return out;
  const calls = callsIn(ts, [scope]);
  const done = new Set<number>();
  for (let changed = true; changed; ) {
    changed = false;
    fns.forEach((fn, i) => {
      if (done.has(i)) return;
      if (!calls.some((c) => out.has(c) && isInside(c, fn.body))) return;
      done.add(i);
      changed = true;
      for (const c of calls) if (normalizeText(unwrap(ts, c.expression)) === fn.key) out.add(c);
    });
  }
  return out;
}

/**
 * The restart shape: a function adds a listener to a target that outlives one run of it, and runs itself again
 * (a call, or itself passed as a callback) on a path where no removal of that listener runs. Returns that site.
 */
function restartSite(ts: TypeScript, call: TS.CallExpression, target: TS.Expression, targetText: string, event: string | undefined, listener: TS.Expression): { name: string; site: TS.Node } | undefined {
  let fn: TS.Node | undefined;
  for (let p = call.parent; p; p = p.parent) {
    if (isFunctionLike(ts, p)) {
      fn = p;
      break;
    }
  }
  if (!fn || !(fn as TS.FunctionLikeDeclaration).body) return undefined;
  let name: string | undefined;
  if (ts.isFunctionDeclaration(fn) && fn.name) name = fn.name.text;
  else if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && fn.parent && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name.text;
  if (!name) return undefined;
  // The target must be the same object on every run: `this` of an arrow, or a binding declared outside the function.
  const root = accessRoot(ts, target);
  if (root.kind === ts.SyntaxKind.ThisKeyword) {
    if (!ts.isArrowFunction(fn)) return undefined;
  } else if (!ts.isIdentifier(root) || declaredInside(ts, root, fn)) return undefined;
  // A target (re)assigned in the function is a new object on each run (`this.stream = createConnection()`).
  if (assignmentsIn(ts, fn).some((a) => a.left === targetText || targetText.startsWith(`${a.left}.`))) return undefined;
  const once = (call.expression as TS.PropertyAccessExpression).name.text.includes('nce') || hasOption(ts, call.arguments[2] && unwrap(ts, call.arguments[2]), 'once');
  // `stream.once('drain', write)` inside write(): the listener is the restart, and it was removed by firing.
  if (ts.isIdentifier(listener) && listener.text === name) return undefined;
  const inline = isInline(ts, listener);
  const listenerNode = inline ? listener : localFunction(ts, listener);
  const sites: TS.Node[] = [];
  const walk = (n: TS.Node): void => {
    if (ts.isIdentifier(n) && n.text === name && n.parent !== fn.parent) {
      const p = n.parent;
      const isCall = ts.isCallExpression(p) && unwrap(ts, p.expression) === n;
      // Passed to a removal (`stream.off('error', handler)` inside handler) it is taken off, not run again.
      const isCallback = ts.isCallExpression(p) && p.arguments.includes(n) && !REMOVE_METHODS.has(calleeName(ts, p) ?? '');
      // Inside a once listener the previous listener is gone (it fired); inside an `on` listener it is not.
      const inListener = listenerNode !== undefined && isInside(n, listenerNode);
      // Only a restart that can follow the add in the same run: after it, and not in the other branch of an `if`.
      const follows = n.pos > call.end && !exclusiveBranches(ts, call, n);
      if ((isCall || isCallback) && follows && !(inListener && once)) sites.push(isCall ? p : n);
    }
    ts.forEachChild(n, walk);
  };
  walk((fn as TS.FunctionLikeDeclaration).body!);
  if (sites.length === 0) return undefined;
  const removals = inline ? [] : removalsIn(ts, [fn], targetText, event, normalizeText(listener));
  const all = withCleanups(ts, fn, removals);
  if ([...all].some((r) => inFinally(ts, r, fn))) return undefined;
  const open = sites.find((s) => !coveredOnPath(ts, s, all));
  return open ? { name, site: open } : undefined;
}

/** Whether two nodes sit in different branches of the same `if`, conditional expression or `switch`. */
function exclusiveBranches(ts: TypeScript, a: TS.Node, b: TS.Node): boolean {
  const chain = new Set<TS.Node>();
  for (let p: TS.Node | undefined = a; p; p = p.parent) chain.add(p);
  let child: TS.Node = b;
  for (let p: TS.Node | undefined = b.parent; p; child = p, p = p.parent) {
    if (!chain.has(p)) continue;
    // p is the lowest common ancestor; child is b's branch under it.
    let aChild: TS.Node = a;
    while (aChild.parent && aChild.parent !== p) aChild = aChild.parent;
    if (ts.isIfStatement(p)) return aChild !== p.expression && child !== p.expression && aChild !== child;
    if (ts.isConditionalExpression(p)) return aChild !== p.condition && child !== p.condition && aChild !== child;
    if (ts.isCaseBlock(p)) return aChild !== child;
    return false;
  }
  return false;
}

function declaredInside(ts: TypeScript, id: TS.Identifier, fn: TS.Node): boolean {
  // Without the checker: a parameter or a local declaration of that name in the function.
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found) return;
    if ((ts.isParameter(n) || ts.isVariableDeclaration(n) || ts.isBindingElement(n)) && ts.isIdentifier(n.name) && n.name.text === id.text) found = true;
    else ts.forEachChild(n, walk);
  };
  ts.forEachChild(fn, walk);
  return found;
}

/** `x.onabort = …` on a signal that came from outside. */
function checkOnabort(ts: TypeScript, checker: TS.TypeChecker, id: TS.Identifier, report: Report): void {
  const access = id.parent;
  if (!access || !ts.isPropertyAccessExpression(access) || access.name !== id) return;
  const assign = access.parent;
  if (!assign || !ts.isBinaryExpression(assign) || assign.left !== access || assign.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const value = unwrap(ts, assign.right);
  if (isNullishLiteral(ts, value)) return; // clearing it
  const target = unwrap(ts, access.expression);
  if (!isAbortSignalType(checker, checker.getTypeAtLocation(target)) || isFreshSignal(ts, checker, target)) return;
  report({ node: assign, messageId: 'onabortAssigned', data: { target: normalizeText(target) } });
}

/**
 * `addAbortListener(signal, listener)` (node:events, or a project helper of that name or of this file that returns the
 * remover) as a statement: the remover is dropped.
 */
function checkDroppedRemover(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression, callee: TS.Expression, report: Report): void {
  const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.name) ? callee.name : undefined;
  if (!name || call.arguments.length < 2) return;
  const signal = unwrap(ts, call.arguments[0]!);
  if (name.text !== 'addAbortListener' && !returnsAbortRemover(ts, checker, name)) return;
  if (!isSignalTarget(ts, checker, signal) || isFreshSignal(ts, checker, signal)) return;
  report({ node: call, messageId: 'droppedRemover', data: { callee: name.text, target: normalizeText(signal) } });
}

/** A function of this file whose returned function removes an 'abort' listener. */
function returnsAbortRemover(ts: TypeScript, checker: TS.TypeChecker, name: TS.Identifier): boolean {
  const decl = checker.getSymbolAtLocation(name)?.valueDeclaration;
  if (!decl || decl.getSourceFile() !== name.getSourceFile()) return false;
  let fn: TS.Node = decl;
  if (ts.isVariableDeclaration(decl) && decl.initializer) fn = unwrap(ts, decl.initializer);
  if (!isFunctionLike(ts, fn) || !fn.body) return false;
  return callsIn(ts, [fn.body]).some((c) => {
    const callee = unwrap(ts, c.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'removeEventListener') return false;
    const e = c.arguments[0] && eventName(ts, c.arguments[0]);
    return e === 'abort' && isReturnedFunction(ts, c);
  });
}

/** `res` or `this.res`: the handle the owner was given, not an object reached through it. */
function isDirectHandle(ts: TypeScript, target: TS.Expression): boolean {
  return ts.isIdentifier(target) || (ts.isPropertyAccessExpression(target) && unwrap(ts, target.expression).kind === ts.SyntaxKind.ThisKeyword);
}

function skipUp(ts: TypeScript, node: TS.Node): TS.Node {
  let p = node.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isVoidExpression(p))) p = p.parent;
  return p;
}

function eventName(ts: TypeScript, arg: TS.Expression): string | undefined {
  const a = unwrap(ts, arg);
  return ts.isStringLiteralLike(a) ? a.text : undefined;
}

/** `{ once: true }` / `{ signal }` in the options argument (`true` as the third argument is `capture`, not once). */
function hasOption(ts: TypeScript, options: TS.Expression | undefined, name: 'once' | 'signal'): boolean {
  if (!options || !ts.isObjectLiteralExpression(options)) return false;
  return options.properties.some((p) => {
    if (!p.name || !ts.isIdentifier(p.name) || p.name.text !== name) return false;
    if (name === 'signal') return true;
    return ts.isPropertyAssignment(p) && p.initializer.kind === ts.SyntaxKind.TrueKeyword;
  });
}

function isInline(ts: TypeScript, listener: TS.Expression): boolean {
  if (ts.isArrowFunction(listener) || ts.isFunctionExpression(listener)) return true;
  // `this.onData.bind(this)` creates a new function each time: it cannot be removed by reference.
  return ts.isCallExpression(listener) && ts.isPropertyAccessExpression(listener.expression) && listener.expression.name.text === 'bind';
}

function hasRemoval(ts: TypeScript, roots: readonly TS.Node[], target: string, event: string | undefined, listener: string): boolean {
  return removalsIn(ts, roots, target, event, listener).length > 0;
}

function removalsIn(ts: TypeScript, roots: readonly TS.Node[], target: string, event: string | undefined, listener: string): TS.CallExpression[] {
  return callsIn(ts, roots).filter((c) => {
    const callee = unwrap(ts, c.expression);
    if (!ts.isPropertyAccessExpression(callee) || !REMOVE_METHODS.has(callee.name.text)) return false;
    if (normalizeText(unwrap(ts, callee.expression)) !== target) return false;
    const [e, l] = c.arguments;
    if (!l || normalizeText(unwrap(ts, l)) !== listener) return false;
    return event === undefined || !e || eventName(ts, e) === undefined || eventName(ts, e) === event;
  });
}

// `stop`: a poller or service the teardown stops (unleash-client-node's repository.stop() removes every listener).
const ENDING_METHODS = new Set(['removeAllListeners', 'destroy', 'close', 'end', 'terminate', 'disconnect', 'dispose', 'abort', 'kill', 'stop']);

function endsTarget(ts: TypeScript, roots: readonly TS.Node[], targets: readonly string[]): boolean {
  return callsIn(ts, roots).some((c) => {
    const callee = unwrap(ts, c.expression);
    if (!ts.isPropertyAccessExpression(callee) || !ENDING_METHODS.has(callee.name.text)) return false;
    const ended = normalizeText(unwrap(ts, callee.expression));
    // Ending `this.child` ends `this.child.stdout` too.
    return targets.some((t) => t === ended || t.startsWith(`${ended}.`));
  });
}

/** `left = right` pairs in a class or function (fields, locals and field initialisers), collected once per owner. */
type Assignment = { left: string; right: TS.Expression };
const assignmentCache = new WeakMap<TS.Node, Assignment[]>();

function assignmentsIn(ts: TypeScript, owner: TS.Node): Assignment[] {
  let list = assignmentCache.get(owner);
  if (list) return list;
  const out: Assignment[] = [];
  const walk = (n: TS.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(ts, n.left);
      if (ts.isIdentifier(left) || ts.isPropertyAccessExpression(left)) out.push({ left: normalizeText(left), right: unwrap(ts, n.right) });
    } else if (ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer) {
      out.push({ left: n.name.text, right: unwrap(ts, n.initializer) });
    } else if (ts.isPropertyDeclaration(n) && n.initializer && (ts.isIdentifier(n.name) || ts.isPrivateIdentifier(n.name))) {
      out.push({ left: `this.${n.name.text}`, right: unwrap(ts, n.initializer) });
    }
    ts.forEachChild(n, walk);
  };
  walk(owner);
  list = out;
  assignmentCache.set(owner, list);
  return list;
}

/** The target's names plus everything assigned from them in the owner (`this._sseResponse = this.res`, `const p = this._process`). */
function followAliases(ts: TypeScript, owner: TS.Node, names: string[]): string[] {
  const out = new Set(names);
  const assignments = assignmentsIn(ts, owner);
  const pairs = assignments.filter((a) => ts.isIdentifier(a.right) || ts.isPropertyAccessExpression(a.right)).map((a) => ({ left: a.left, right: normalizeText(a.right) }));
  // Bounded: `a.next = a` would otherwise make names forever.
  for (let changed = true; changed && out.size < 32; ) {
    changed = false;
    for (const { left, right } of pairs) {
      for (const name of [...out]) {
        // `const p = this.child` makes `p.stdout` another name of `this.child.stdout`.
        const alias = name === right ? left : name.startsWith(`${right}.`) ? left + name.slice(right.length) : undefined;
        if (alias !== undefined && !out.has(alias)) {
          out.add(alias);
          changed = true;
        }
      }
    }
  }
  return [...out];
}

/** A constructor parameter property is reachable as `this.name` in the teardown (`child.stdout` as `this.child.stdout`). */
function targetAliases(ts: TypeScript, target: TS.Expression, text: string): string[] {
  let root = target;
  while (ts.isPropertyAccessExpression(root)) root = unwrap(ts, root.expression);
  if (!ts.isIdentifier(root)) return [text];
  const name = root.text;
  for (let p: TS.Node | undefined = target.parent; p; p = p.parent) {
    if (ts.isConstructorDeclaration(p)) {
      const param = p.parameters.find((x) => ts.isIdentifier(x.name) && x.name.text === name);
      if (param && ts.isParameterPropertyDeclaration(param, p)) return [text, `this.${text}`];
      break;
    }
  }
  return [text];
}

/**
 * Whether the target lives longer than the owner, and why: a global (process,
 * window), a module-level binding, a parameter, or a field the owner did not
 * create. Emitters the owner created itself (`this.socket = new Socket()`,
 * `this.child = spawn(…)`) die with it.
 */
function outlivesOwner(ts: TypeScript, checker: TS.TypeChecker, target: TS.Expression, owner: LifecycleOwner, depth = 0): 'global' | 'module' | 'parameter' | 'field' | false {
  let root = target;
  let firstField: string | undefined;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) {
    if (ts.isPropertyAccessExpression(root) && unwrap(ts, root.expression).kind === ts.SyntaxKind.ThisKeyword) firstField = root.name.text;
    root = unwrap(ts, root.expression);
  }
  if (root.kind === ts.SyntaxKind.ThisKeyword) {
    if (!firstField) return false; // the object's own events
    return owner.kind === 'class' && !createdByClass(ts, checker, owner.node as TS.ClassLikeDeclaration, firstField) ? 'field' : false;
  }
  if (!ts.isIdentifier(root)) return false;
  if (GLOBAL_TARGETS.has(root.text)) return 'global';
  const symbol = checker.getSymbolAtLocation(root);
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!decl) return false;
  if (decl.getSourceFile().isDeclarationFile) return 'global'; // a global of the host
  if (ts.isParameter(decl)) return givenOnlyLocals(ts, checker, decl, owner, depth) ? false : 'parameter';
  if (ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl)) return 'module';
  if (ts.isVariableDeclaration(decl) || ts.isBindingElement(decl)) {
    for (let p: TS.Node | undefined = decl.parent; p; p = p.parent) if (isFunctionLike(ts, p)) return false; // a local: created here
    return 'module';
  }
  return false;
}

/**
 * A parameter of a helper local to a function (`const processStream = (stream) => { stream.on('data', …) }` in a
 * method) that the function only ever calls directly, each time with one of its own locals at that position: the
 * listener is on an emitter of that one call, as if added to the local itself (testcontainers' exec()).
 */
function givenOnlyLocals(ts: TypeScript, checker: TS.TypeChecker, param: TS.ParameterDeclaration, owner: LifecycleOwner, depth: number): boolean {
  const fn = param.parent;
  if (depth > 2 || param.dotDotDotToken || !isFunctionLike(ts, fn)) return false;
  const position = fn.parameters.indexOf(param);
  const holder = ts.isFunctionDeclaration(fn) ? fn : ts.isVariableDeclaration(fn.parent) && fn.parent.initializer === fn ? fn.parent : undefined;
  const name = holder?.name;
  if (!holder || !name || !ts.isIdentifier(name)) return false;
  if (ts.isVariableDeclaration(holder) && !(holder.parent.flags & ts.NodeFlags.Const)) return false;
  const scope = enclosingFunction(ts, holder);
  if (!scope) return false;
  const uses = referencesIn(ts, checker, scope, name);
  return (
    uses.length > 0 &&
    uses.every((n) => {
      const call = n.parent;
      const arg = ts.isCallExpression(call) && call.expression === n ? call.arguments[position] : undefined;
      return arg !== undefined && !ts.isSpreadElement(arg) && outlivesOwner(ts, checker, unwrap(ts, arg), owner, depth + 1) === false;
    })
  );
}

/** The class assigns the field a fresh emitter (`new …`, a Node factory, a local holding one): the emitter is its own. */
function createdByClass(ts: TypeScript, checker: TS.TypeChecker, cls: TS.ClassLikeDeclaration, field: string): boolean {
  const assignments = assignmentsIn(ts, cls);
  const fresh = (e: TS.Expression, depth: number): boolean => {
    if (ts.isNewExpression(e)) return true;
    if (ts.isCallExpression(e)) return isEmitterFactory(ts, checker, e);
    // `const child = spawn(…); this.child = child;`
    if (ts.isIdentifier(e) && depth < 2) return assignments.some((a) => a.left === e.text && fresh(a.right, depth + 1));
    return false;
  };
  const left = `this.${field}`;
  return assignments.some((a) => a.left === left && fresh(a.right, 0));
}

/**
 * Whole program only. The listener is added in the owner's constructor to an emitter the constructor was handed
 * (`constructor(private pool: Pool) { this.pool.on(…) }`), and every `new Owner(…)` of the program sits in the
 * constructor of a class that passes an emitter it created itself (`this.pool = new Pool(); this.sub = new
 * Owner(this.pool)`): the pair is made once per constructing object and neither outlives it.
 */
function constructedWithItsEmitter(ts: TypeScript, checker: TS.TypeChecker, program: TS.Program, cls: TS.ClassLikeDeclaration, call: TS.CallExpression, target: TS.Expression): boolean {
  const ctor = cls.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
  if (!ctor || enclosingFunction(ts, call) !== ctor) return false;
  const index = handedParameter(ts, ctor, target);
  if (index === undefined) return false;
  const symbol = cls.name && checker.getSymbolAtLocation(cls.name);
  if (!symbol) return false;
  const sites = constructionsOf(ts, checker, program, symbol);
  return sites.length > 0 && sites.every((site) => passesOwnEmitter(ts, checker, site, index));
}

/** Which constructor parameter the target is: `p`, `this.p` of a parameter property, or `this.f` set from `p` in the constructor. */
function handedParameter(ts: TypeScript, ctor: TS.ConstructorDeclaration, target: TS.Expression): number | undefined {
  let name: string | undefined;
  if (ts.isIdentifier(target)) name = target.text;
  else if (ts.isPropertyAccessExpression(target) && unwrap(ts, target.expression).kind === ts.SyntaxKind.ThisKeyword) {
    const field = target.name.text;
    const own = ctor.parameters.find((p) => ts.isParameterPropertyDeclaration(p, ctor) && ts.isIdentifier(p.name) && p.name.text === field);
    if (own) name = field;
    else {
      const set = assignmentsIn(ts, ctor.body!).filter((a) => a.left === `this.${field}`);
      if (set.length === 1 && ts.isIdentifier(set[0]!.right)) name = set[0]!.right.text;
    }
  }
  if (name === undefined) return undefined;
  const i = ctor.parameters.findIndex((p) => ts.isIdentifier(p.name) && p.name.text === name && !p.dotDotDotToken);
  return i < 0 ? undefined : i;
}

const constructionCache = new WeakMap<TS.Program, Map<TS.Symbol, TS.NewExpression[]>>();

/** Every `new C(…)` of the class in the program's own files (an alias of the class resolved). */
function constructionsOf(ts: TypeScript, checker: TS.TypeChecker, program: TS.Program, cls: TS.Symbol): TS.NewExpression[] {
  let byClass = constructionCache.get(program);
  if (!byClass) {
    byClass = new Map();
    constructionCache.set(program, byClass);
  }
  const known = byClass.get(cls);
  if (known) return known;
  const out: TS.NewExpression[] = [];
  for (const sf of program.getSourceFiles()) {
    if (sf.isDeclarationFile || program.isSourceFileFromExternalLibrary(sf)) continue;
    for (const n of indexFile(ts, sf).news) {
      const e = unwrap(ts, n.expression);
      if (!ts.isIdentifier(e)) continue;
      let s = checker.getSymbolAtLocation(e);
      if (s && s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
      if (s === cls) out.push(n);
    }
  }
  byClass.set(cls, out);
  return out;
}

/** `new Owner(this.pool, …)` run once by a constructor whose class made `this.pool` itself. */
function passesOwnEmitter(ts: TypeScript, checker: TS.TypeChecker, site: TS.NewExpression, index: number): boolean {
  const arg = site.arguments?.[index] && unwrap(ts, site.arguments[index]!);
  if (!arg || !ts.isPropertyAccessExpression(arg) || unwrap(ts, arg.expression).kind !== ts.SyntaxKind.ThisKeyword) return false;
  const fn = enclosingFunction(ts, site);
  if (!fn || !ts.isConstructorDeclaration(fn) || !ts.isClassLike(fn.parent)) return false;
  // Once per object: not in a loop of the constructor.
  for (let p: TS.Node = site.parent; p !== fn; p = p.parent) if (ts.isIterationStatement(p, false)) return false;
  return createdByClass(ts, checker, fn.parent, arg.name.text);
}

/** `spawn(…)`, `net.connect(…)`, `http.createServer(…)`…, declared in Node (or ws, cross-spawn, execa). */
function isEmitterFactory(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression): boolean {
  const callee = unwrap(ts, call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (!name || !EMITTER_FACTORIES.has(name)) return false;
  return isDeclaredInPackage(ts, calleeSymbol(ts, checker, callee), FACTORY_MODULES);
}

/**
 * A signal made right here (`new AbortController().signal`, `AbortSignal.timeout()`, or a local
 * `const ac = new AbortController(); const signal = ac.signal;`): it dies with the operation.
 */
function isFreshSignal(ts: TypeScript, checker: TS.TypeChecker, target: TS.Expression, depth = 0): boolean {
  let root = target;
  let first: TS.PropertyAccessExpression | undefined;
  while (ts.isPropertyAccessExpression(root)) {
    first = root;
    root = unwrap(ts, root.expression);
  }
  if (ts.isNewExpression(root) || ts.isCallExpression(root)) return true;
  if (!ts.isIdentifier(root)) return false;
  const decl = checker.getSymbolAtLocation(root)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return false;
  const init = unwrap(ts, decl.initializer);
  if (ts.isNewExpression(init)) return true;
  // `const response = { state, abortController }` … `response.abortController.signal`: the controller the literal
  // was given is a fresh one (vercel/ai's Chat.makeRequest).
  if (ts.isObjectLiteralExpression(init) && first && decl.parent.flags & ts.NodeFlags.Const && depth < 2) {
    const name = first.name.text;
    const prop = init.properties.find((p) => (ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p)) && ts.isIdentifier(p.name) && p.name.text === name);
    if (!prop) return false;
    if (ts.isPropertyAssignment(prop)) {
      const value = unwrap(ts, prop.initializer);
      return ts.isNewExpression(value) || (ts.isIdentifier(value) && isFreshSignal(ts, checker, value, depth + 1));
    }
    // `{ abortController }`: the local it names.
    const local = ts.isShorthandPropertyAssignment(prop) ? checker.getShorthandAssignmentValueSymbol(prop)?.valueDeclaration : undefined;
    return !!local && ts.isVariableDeclaration(local) && !!local.initializer && ts.isNewExpression(unwrap(ts, local.initializer));
  }
  if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression)) {
    const obj = unwrap(ts, init.expression.expression);
    return ts.isIdentifier(obj) && obj.text === 'AbortSignal';
  }
  // `ac.signal` where `ac` is itself a const holding a new controller.
  if (ts.isPropertyAccessExpression(init)) return ts.isNewExpression(unwrap(ts, init.expression)) || (depth < 2 && isFreshSignal(ts, checker, init.expression, depth + 1));
  return false;
}

function enclosingClass(ts: TypeScript, node: TS.Node): TS.Node | undefined {
  for (let p = node.parent; p; p = p.parent) if (ts.isClassLike(p)) return p;
  return undefined;
}

function outermostFunction(ts: TypeScript, node: TS.Node): TS.Node | undefined {
  let found: TS.Node | undefined;
  for (let p = node.parent; p; p = p.parent) {
    if (isFunctionLike(ts, p)) found = p;
    if (ts.isClassLike(p)) break;
  }
  return found;
}
