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
import { unwrap } from './shared-state/locations.js';
import { callsIn, LifecycleIndex, type LifecycleOwner, lifecycleOptionsSchema, normalizeText } from './shared-state/lifecycle.js';
import { calleeSymbol, isAbortSignalType, isDeclaredInPackage } from './util/types.js';
import { isFunctionLike } from './util/syntax.js';
import { indexFile } from './util/file-index.js';

export interface LeakedListenerOptions {
  lifecycleMethods: string[];
}

const ADD_METHODS = new Set(['addEventListener', 'on', 'addListener', 'prependListener']);
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
      "The '{{event}}' listener {{listener}} added to {{target}} is never removed by {{teardown}}: {{target}} outlives {{owner}}, keeps it alive and calls into it after teardown. Call {{target}}.{{remove}}('{{event}}', {{listener}}) in {{teardown}}, or pass { signal } and abort it there.",
    inlineListener:
      "This '{{event}}' listener on {{target}} is an inline function, so {{teardown}} cannot remove it: {{target}} outlives {{owner}}, keeps it alive and calls into it after teardown. Keep the listener in a field or variable and call {{target}}.{{remove}}('{{event}}', listener) in {{teardown}}, or pass { signal } and abort it there.",
    abortListener:
      "This 'abort' listener is added to {{target}} without { once: true } and is never removed: when the signal is shared or reused and not aborted, every call adds one more listener and keeps its closure alive (MaxListenersExceededWarning). Remove it with {{target}}.removeEventListener('abort', listener) when the work ends (in finally), or pass { once: true }.",
  },
  schema: {
    type: 'object',
    properties: lifecycleOptionsSchema,
    additionalProperties: false,
  },
  defaultOptions: { lifecycleMethods: [] },
  run(ctx) {
    const { ts, checker, sourceFile } = ctx;
    const index = new LifecycleIndex(ts, ctx.options.lifecycleMethods);
    // The shared file index lists the calls in source order: no walk of our own.
    for (const node of indexFile(ts, sourceFile).calls) {
      if (node.arguments.length < 2) continue;
      const callee = unwrap(ts, node.expression);
      if (ts.isPropertyAccessExpression(callee) && ADD_METHODS.has(callee.name.text)) {
        checkRegistration(ts, checker, index, node, callee, ctx.report);
      }
    }
  },
});

type Report = (r: { node: TS.Node; messageId: string; data: Record<string, string> }) => void;

function checkRegistration(
  ts: TypeScript,
  checker: TS.TypeChecker,
  index: LifecycleIndex,
  call: TS.CallExpression,
  callee: TS.PropertyAccessExpression,
  report: Report,
): void {
  const method = callee.name.text;
  const target = unwrap(ts, callee.expression);
  const event = eventName(ts, call.arguments[0]!);
  const listener = unwrap(ts, call.arguments[1]!);
  const options = call.arguments[2] && unwrap(ts, call.arguments[2]);
  if (hasOption(ts, options, 'signal')) return; // removed when that signal aborts
  // The result is kept (an unsubscribe function or disposable): the caller removes through it.
  if (!ts.isExpressionStatement(skipUp(ts, call))) return;
  const targetText = normalizeText(target);
  const remove = method === 'addEventListener' ? 'removeEventListener' : 'off';

  if (method === 'addEventListener' && event === 'abort') {
    if (hasOption(ts, options, 'once')) return;
    if (!isAbortSignalType(checker, checker.getTypeAtLocation(target))) return;
    if (isFreshSignal(ts, checker, target)) return;
    // The removal may sit in a finally, a callback, or another method of the same class.
    const scope = enclosingClass(ts, call) ?? outermostFunction(ts, call) ?? call.getSourceFile();
    const aliases = targetAliases(ts, target, targetText);
    if (!isInline(ts, listener) && aliases.some((t) => hasRemoval(ts, [scope], t, 'abort', normalizeText(listener)))) return;
    report({ node: call, messageId: 'abortListener', data: { target: targetText } });
    return;
  }

  const owner = index.ownerOf(call);
  if (!owner || hasOption(ts, options, 'once')) return;
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
  const data = { event: event ?? 'event', target: targetText, teardown: owner.teardownName, owner: owner.ownerName, remove };
  const aliases = followAliases(ts, owner.node, targetAliases(ts, target, targetText));
  // The teardown ends the target itself (`this.socket.destroy()`, through an alias) or drops all its listeners.
  if (endsTarget(ts, owner.teardown, aliases)) return;
  if (isInline(ts, listener)) {
    report({ node: call, messageId: 'inlineListener', data });
    return;
  }
  const listenerText = normalizeText(listener);
  if (aliases.some((t) => hasRemoval(ts, owner.teardown, t, event, listenerText))) return;
  report({ node: call, messageId: 'notRemoved', data: { ...data, listener: listenerText } });
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
  return callsIn(ts, roots).some((c) => {
    const callee = unwrap(ts, c.expression);
    if (!ts.isPropertyAccessExpression(callee) || !REMOVE_METHODS.has(callee.name.text)) return false;
    if (normalizeText(callee.expression) !== target) return false;
    const [e, l] = c.arguments;
    if (!l || normalizeText(unwrap(ts, l)) !== listener) return false;
    return event === undefined || !e || eventName(ts, e) === undefined || eventName(ts, e) === event;
  });
}

const ENDING_METHODS = new Set(['removeAllListeners', 'destroy', 'close', 'end', 'terminate', 'disconnect', 'dispose', 'abort', 'kill']);

function endsTarget(ts: TypeScript, roots: readonly TS.Node[], targets: readonly string[]): boolean {
  return callsIn(ts, roots).some((c) => {
    const callee = unwrap(ts, c.expression);
    if (!ts.isPropertyAccessExpression(callee) || !ENDING_METHODS.has(callee.name.text)) return false;
    const ended = normalizeText(callee.expression);
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
function outlivesOwner(ts: TypeScript, checker: TS.TypeChecker, target: TS.Expression, owner: LifecycleOwner): 'global' | 'module' | 'parameter' | 'field' | false {
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
  if (ts.isParameter(decl)) return 'parameter';
  if (ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl)) return 'module';
  if (ts.isVariableDeclaration(decl) || ts.isBindingElement(decl)) {
    for (let p: TS.Node | undefined = decl.parent; p; p = p.parent) if (isFunctionLike(ts, p)) return false; // a local: created here
    return 'module';
  }
  return false;
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

/** `spawn(…)`, `net.connect(…)`, `http.createServer(…)`…, declared in Node (or ws, cross-spawn, execa). */
function isEmitterFactory(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression): boolean {
  const callee = unwrap(ts, call.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  if (!name || !EMITTER_FACTORIES.has(name)) return false;
  return isDeclaredInPackage(ts, calleeSymbol(ts, checker, callee), FACTORY_MODULES);
}

/** A signal made right here (`new AbortController().signal`, `AbortSignal.timeout()`): it dies with the operation. */
function isFreshSignal(ts: TypeScript, checker: TS.TypeChecker, target: TS.Expression): boolean {
  let root = target;
  while (ts.isPropertyAccessExpression(root)) root = unwrap(ts, root.expression);
  if (ts.isNewExpression(root) || ts.isCallExpression(root)) return true;
  if (!ts.isIdentifier(root)) return false;
  const decl = checker.getSymbolAtLocation(root)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return false;
  const init = unwrap(ts, decl.initializer);
  if (ts.isNewExpression(init)) return true;
  if (ts.isCallExpression(init) && ts.isPropertyAccessExpression(init.expression)) {
    const obj = unwrap(ts, init.expression.expression);
    return ts.isIdentifier(obj) && obj.text === 'AbortSignal';
  }
  if (ts.isPropertyAccessExpression(init) && ts.isNewExpression(unwrap(ts, init.expression))) return true;
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
