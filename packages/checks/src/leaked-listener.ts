/**
 * leaked-listener: a listener added (addEventListener/on/addListener) to an
 * emitter, EventTarget or AbortSignal that outlives the object or function
 * that added it (a class with close/dispose/…, a function returning a
 * cleanup), with no matching removal in the teardown; and the reused-signal
 * leak: `signal.addEventListener('abort', …)` without `{ once: true }` and
 * without a removal.
 */
import type * as TS from 'typescript';
import { defineCheck } from './check.js';
import type { TypeScript } from './check.js';
import { unwrap } from './shared-state/locations.js';
import { callsIn, LifecycleIndex, type LifecycleOwner, lifecycleOptionsSchema, normalizeText } from './shared-state/lifecycle.js';
import { isAbortSignalType } from './util/types.js';
import { isFunctionLike } from './util/syntax.js';
import { indexFile } from './util/file-index.js';

export interface LeakedListenerOptions {
  lifecycleMethods: string[];
}

const ADD_METHODS = new Set(['addEventListener', 'on', 'addListener', 'prependListener']);
const REMOVE_METHODS = new Set(['removeEventListener', 'off', 'removeListener']);
const GLOBAL_TARGETS = new Set(['process', 'window', 'document', 'globalThis', 'self']);

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
  if (!outlivesOwner(ts, checker, target, owner)) return;
  const type = checker.getNonNullableType(checker.getTypeAtLocation(target));
  if (![...REMOVE_METHODS].some((m) => type.getProperty(m))) return; // not an emitter/EventTarget
  const data = { event: event ?? 'event', target: targetText, teardown: owner.teardownName, owner: owner.ownerName, remove };
  const aliases = targetAliases(ts, target, targetText);
  // The teardown ends the target itself (`this.socket.destroy()`) or drops all its listeners.
  if (endsTarget(ts, owner.teardown, aliases)) return;
  if (isInline(ts, listener)) {
    report({ node: call, messageId: 'inlineListener', data });
    return;
  }
  const listenerText = normalizeText(listener);
  if (aliases.some((t) => hasRemoval(ts, owner.teardown, t, event, listenerText))) return;
  report({ node: call, messageId: 'notRemoved', data: { ...data, listener: listenerText } });
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
    return ts.isPropertyAccessExpression(callee) && ENDING_METHODS.has(callee.name.text) && targets.includes(normalizeText(callee.expression));
  });
}

/** A constructor parameter property is reachable as `this.name` in the teardown. */
function targetAliases(ts: TypeScript, target: TS.Expression, text: string): string[] {
  if (!ts.isIdentifier(target)) return [text];
  for (let p: TS.Node | undefined = target.parent; p; p = p.parent) {
    if (ts.isConstructorDeclaration(p)) {
      const param = p.parameters.find((x) => ts.isIdentifier(x.name) && x.name.text === target.text);
      if (param && ts.isParameterPropertyDeclaration(param, p)) return [text, `this.${target.text}`];
      break;
    }
  }
  return [text];
}

/**
 * Whether the target lives longer than the owner: a global (process, window),
 * a module-level binding, a parameter, or a field the owner did not create.
 * Emitters the owner created itself (`this.socket = new Socket()`) die with it.
 */
function outlivesOwner(ts: TypeScript, checker: TS.TypeChecker, target: TS.Expression, owner: LifecycleOwner): boolean {
  let root = target;
  let firstField: string | undefined;
  while (ts.isPropertyAccessExpression(root) || ts.isElementAccessExpression(root)) {
    if (ts.isPropertyAccessExpression(root) && unwrap(ts, root.expression).kind === ts.SyntaxKind.ThisKeyword) firstField = root.name.text;
    root = unwrap(ts, root.expression);
  }
  if (root.kind === ts.SyntaxKind.ThisKeyword) {
    if (!firstField) return false; // the object's own events
    return owner.kind === 'class' && !createdByClass(ts, owner.node as TS.ClassLikeDeclaration, firstField);
  }
  if (!ts.isIdentifier(root)) return false;
  if (GLOBAL_TARGETS.has(root.text)) return true;
  const symbol = checker.getSymbolAtLocation(root);
  const decl = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
  if (!decl) return false;
  if (decl.getSourceFile().isDeclarationFile) return true; // a global of the host
  if (ts.isParameter(decl)) return true;
  if (ts.isImportSpecifier(decl) || ts.isImportClause(decl) || ts.isNamespaceImport(decl)) return true;
  if (ts.isVariableDeclaration(decl) || ts.isBindingElement(decl)) {
    for (let p: TS.Node | undefined = decl.parent; p; p = p.parent) if (isFunctionLike(ts, p)) return false; // a local: created here
    return true; // module-level
  }
  return false;
}

/** The class assigns the field from `new …` (or initialises it so): the emitter is its own. */
function createdByClass(ts: TypeScript, cls: TS.ClassLikeDeclaration, field: string): boolean {
  let created = false;
  const walk = (n: TS.Node): void => {
    if (created) return;
    if (ts.isPropertyDeclaration(n) && n.name.getText() === field && n.initializer && ts.isNewExpression(unwrap(ts, n.initializer))) created = true;
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isNewExpression(unwrap(ts, n.right))) {
      const left = unwrap(ts, n.left);
      if (ts.isPropertyAccessExpression(left) && left.name.text === field && unwrap(ts, left.expression).kind === ts.SyntaxKind.ThisKeyword) created = true;
    }
    ts.forEachChild(n, walk);
  };
  cls.members.forEach(walk);
  return created;
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
