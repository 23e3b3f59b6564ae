/**
 * missing-abort-propagation: a function that receives an AbortSignal (a
 * parameter, `options.signal`, a destructured `{ signal }`, or a Fetch
 * `Request`'s `request.signal`: route loaders and handlers) calls something
 * that accepts one (fetch, timers/promises, events.once/on, stream.pipeline,
 * child_process, fs.promises, readline, addEventListener options, any function
 * with a signal parameter or a `{ signal? }` options parameter) without passing
 * it on, or sleeps on a plain setTimeout that nothing can cancel.
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext, type Suggestion, type TextEdit } from './check.js';
import { indexFile } from './util/file-index.js';
import { bindingHolder, calleeName, enclosingFunction, isAssignmentOperator, isAsyncFunction, isFunctionLike, isNullishLiteral, memberObject, parentSkippingParens, referencesIn, skipParens } from './util/syntax.js';
import { calleeSymbol, isAbortSignalType, isDeclaredInPackage, isPlatformDeclaration, isPromiseType, signalSlotOf, unionParts, type SignalOption, type SignalSlot } from './util/types.js';
import { isTestSourceFile } from './util/test-files.js';
import { unwrap } from './shared-state/locations.js';
import { handMadeSleep, isRaceMember, isSleepHelper, literalDelay, SHORT_SLEEP_MS } from './util/sleep.js';
import { fieldSignalOf } from './util/field-signal.js';
import { privateCallArguments } from './util/private-calls.js';

export interface MissingAbortPropagationOptions {
  /**
   * Also report calls of any function whose signature takes a signal (the project's own, a library's), not only of the
   * platform's cancellable operations (fetch, timers/promises, events, streams, child_process, net, fs, readline,
   * addEventListener) (default false; true in the strict set). Measured on real code, a signal left out of a call to
   * such a function was mostly a decision (bookkeeping that must finish, a local read, a call made because of the abort).
   */
  checkAllCallees?: boolean;
}

type Ctx = CheckContext<MissingAbortPropagationOptions>;

interface SignalSource {
  /** Expression text that yields the signal (`signal`, `options.signal`, `opts?.signal`). */
  text: string;
  /** Identifier whose mention in the arguments means the signal is passed on (`signal`, `options`). */
  root: string;
  /**
   * The root holds the signal as a fixed property (a `Request`, a loader's `args.request`): mentioning the
   * root (`request.url`) passes nothing; only the root itself as an argument (`fetch(request)`) or a signal does.
   */
  nested?: boolean;
  /** The options property the signal came in (`abortSignal` for an AWS-style options bag), when not `signal`. */
  option?: SignalOption;
}

export const missingAbortPropagation = defineCheck<MissingAbortPropagationOptions>({
  id: 'missing-abort-propagation',
  messages: {
    notPassed:
      "'{{callee}}' accepts an AbortSignal but is not given {{signal}}: cancelling this function leaves that work running.",
    passSignal: 'Pass {{signal}} on.',
    uncancellableSleep:
      "This sleep (a Promise around setTimeout) ignores {{signal}}: aborting still waits the full delay, then the work after it runs. Use setTimeout from 'node:timers/promises' with { {{option}} }, or clear the timer and reject when {{signal}} aborts.",
    sleepHelper:
      "'{{callee}}' sleeps on a plain setTimeout that no signal can cancel: aborting {{signal}} still waits the full delay, then the work after it runs. Give '{{callee}}' the signal (setTimeout from 'node:timers/promises' takes { signal }), or race it against {{signal}}.",
  },
  schema: { type: 'object', properties: { checkAllCallees: { type: 'boolean' } }, additionalProperties: false },
  defaultOptions: { checkAllCallees: false },
  strictOptions: { checkAllCallees: true },
  hasSuggestions: true,
  run(ctx) {
    const { ts } = ctx;
    // In a test the functions handed a signal are probes of the code under test: sleeping through the abort
    // is how a test observes that cancellation happened (`await delay(3); expect(signal.aborted)`), and the
    // test is the caller that cancels. Cancellation flowing through the code is the program's concern.
    if (isTestSourceFile(ctx.program, ctx.sourceFile)) return;
    const index = indexFile(ts, ctx.sourceFile);
    // Sources are computed lazily, for the functions that enclose a call: a function without
    // calls needs none, and asking for its parameters' types is the costly part of this check.
    const sources = new Map<TS.Node, SignalSource | null | undefined>();
    const sourceOf = (fn: TS.FunctionLikeDeclaration): SignalSource | null | undefined => {
      if (sources.has(fn)) return sources.get(fn);
      const src = signalSourceOf(ctx, fn);
      // A function that reacts to abort itself has chosen how to cancel: trust it (and its nested calls).
      const value = src ? (handlesAbortItself(fn) ? null : src) : undefined;
      sources.set(fn, value);
      return value;
    };
    // A method of an object that keeps a signal for its work (a field): only its sleeps are held to it.
    // Other calls are not: which of an object's calls its own signal should reach is its design.
    const fieldSources = new Map<TS.Node, SignalSource | null>();
    let sleepHelpers: Set<string> | undefined;
    const callsSleepHelper = (call: TS.CallExpression): boolean => {
      sleepHelpers ??= new Set(index.functions.filter((f) => isSleepHelper(ts, f)).map((f) => declaredName(ts, f)).filter((n): n is string => n !== undefined));
      const name = calleeName(ts, call);
      return name !== undefined && sleepHelpers.has(name);
    };
    const fieldSourceOf = (call: TS.Node): SignalSource | undefined => {
      const fn = enclosingFunction(ctx.ts, call);
      if (!fn) return undefined;
      if (!fieldSources.has(fn)) {
        const f = fieldSignalOf(ts, ctx.checker, call);
        fieldSources.set(fn, f && !handlesAbortItself(fn) ? { text: f.text, root: f.field.replace(/^#/, '') } : null);
      }
      return fieldSources.get(fn) ?? undefined;
    };
    for (const call of [...index.calls, ...index.news]) {
      let src = nearestSource(ctx, call, sourceOf);
      if (!src) {
        if (ts.isNewExpression(call) ? !handMadeSleep(ts, call) : !callsSleepHelper(call)) continue;
        src = fieldSourceOf(call);
        if (!src) continue;
        if (ts.isCallExpression(call)) {
          checkSleepHelperCall(ctx, call, src);
          continue;
        }
      }
      if (ts.isNewExpression(call)) {
        const timer = handMadeSleep(ts, call);
        if (timer) {
          // The body of a sleep helper is reported where the helper is called.
          const fn = enclosingFunction(ctx.ts, call);
          const short = isShortDelay(ctx, timer.arguments[1]);
          if ((!fn || !isSleepHelper(ts, fn)) && !short && !isRaceMember(ts, call) && !checksSignalAfter(ctx, call, src)) {
            ctx.report({ node: call, messageId: 'uncancellableSleep', data: { signal: src.text, option: src.text === 'signal' ? 'signal' : `signal: ${src.text}` } });
          }
          continue;
        }
      } else if (checkSleepHelperCall(ctx, call, src)) continue;
      checkCall(ctx, call, src);
    }
  },
});

/** Parameter names that may hold a Fetch Request without a type annotation (route handlers, Hono's `c`, loader `args`). */
const REQUEST_HOLDERS = new Set(['request', 'req', 'c', 'ctx', 'context', 'event', 'args']);
/** Properties followed from a handler's parameter to its Request: `args.request`, Hono's `c.req.raw`. */
const REQUEST_PATH = ['request', 'req', 'raw'];

/**
 * The signal the function was handed. With several parameters that may carry one (`options: RequestInit`,
 * `requestData: { signal? }`), the one whose signal the function itself reads elsewhere (discord.js'
 * `queue.wait({ signal: requestData.signal })`): the others are typed to allow a signal their callers never put in.
 */
function signalSourceOf(ctx: Ctx, fn: TS.FunctionLikeDeclaration): SignalSource | undefined {
  const found: SignalSource[] = [];
  for (const p of fn.parameters) {
    const src = parameterSource(ctx, fn, p);
    if (src && !neverGivenSignal(ctx, p, src)) found.push(src);
  }
  if (found.length < 2 || !fn.body) return found[0];
  const body = fn.body.getText();
  const read = found.find((src) => {
    if (src.nested) return false;
    if (src.text === src.root) return new RegExp(`\\b${src.root}\\b`).test(body);
    return readsOption(body, src.root, src.option);
  });
  return read ?? found[0];
}

/**
 * A parameter of a file-private helper that no call gives a signal: every call passes nothing there, `undefined`, or an
 * object literal without the signal's option and without spreads (auth-js' `_handleRequest(…, parameters?)`, whose one
 * caller passes `{}`): there is no signal to forward.
 */
function neverGivenSignal(ctx: Ctx, p: TS.ParameterDeclaration, src: SignalSource): boolean {
  const { ts } = ctx;
  if (src.nested || !ts.isIdentifier(p.name) || src.root !== p.name.text) return false;
  const args = privateCallArguments(ts, ctx.checker, p);
  if (!args) return false;
  const option = src.option ?? 'signal';
  return args.every((arg) => {
    const e = arg && unwrap(ts, arg);
    if (!e || (ts.isIdentifier(e) && e.text === 'undefined')) return true;
    if (src.text === src.root || !ts.isObjectLiteralExpression(e)) return false;
    return e.properties.every((prop) => !ts.isSpreadAssignment(prop) && prop.name !== undefined && !ts.isComputedPropertyName(prop.name) && (!(ts.isIdentifier(prop.name) || ts.isStringLiteral(prop.name)) || prop.name.text !== option));
  });
}

function parameterSource(ctx: Ctx, fn: TS.FunctionLikeDeclaration, p: TS.ParameterDeclaration): SignalSource | undefined {
  const { ts, checker } = ctx;
  if (ts.isObjectBindingPattern(p.name)) {
    for (const el of p.name.elements) {
      const prop = el.propertyName && ts.isIdentifier(el.propertyName) ? el.propertyName.text : ts.isIdentifier(el.name) ? el.name.text : undefined;
      if (!ts.isIdentifier(el.name)) continue;
      if (prop === 'signal' && isAbortSignalType(checker, checker.getTypeAtLocation(el.name))) {
        return { text: el.name.text, root: el.name.text };
      }
      // A loader's `{ request }`: the Request carries the signal of the HTTP request.
      if (prop === 'request' || prop === 'req') {
        const path = requestPath(ctx, checker.getTypeAtLocation(el.name), el.name, 1);
        if (path) return nestedSource(el.name.text, path, false);
      }
    }
    return undefined;
  }
  if (!ts.isIdentifier(p.name)) return undefined;
  const name = p.name.text;
  // Only annotated parameters, or ones named like a signal or a request: unannotated callback parameters rarely carry one.
  if (!p.type && !/signal/i.test(name) && !REQUEST_HOLDERS.has(name)) return undefined;
  const type = checker.getTypeAtLocation(p.name);
  const optional = !p.initializer && (!!p.questionToken || checker.getNonNullableType(type) !== type);
  const slot = signalSlotOf(checker, type, p, ts);
  if (slot === 'direct') return { text: name, root: name };
  // `optionsInput: PromiseOrValue<Options>` (the OpenAI SDK): the signal is that of the awaited options.
  const holder = isAsyncFunction(ts, fn) && isPromiseType(ts, ctx.program, type) ? `(await ${name})` : name;
  if (slot) return { text: optional ? `${holder}?.${slot}` : `${holder}.${slot}`, root: name, option: slot };
  const path = requestPath(ctx, type, p, 0);
  if (path) return nestedSource(name, path, optional);
  // `options: { signal: AbortSignal }`: an options bag whose signal is required.
  if (p.type && requiredSignalOptions(ctx, type, p)) return { text: optional ? `${name}?.signal` : `${name}.signal`, root: name };
  // Untyped (JavaScript, or a type from a dependency that is not installed): an options bag named so whose
  // `.signal` the same class (or function) reads elsewhere carries one.
  if (OPTIONS_NAMES.test(name) && isOpaque(ctx, type) && readsSignalOf(ts, fn, name)) return { text: `${name}?.signal`, root: name };
  return undefined;
}

const OPTIONS_NAMES = /^(options|opts|init|config|callOptions|requestOptions)$/;

/** A type that says nothing: any, unknown, or a type parameter / indexed access (`this['CallOptions']`) with no known members. */
function isOpaque(ctx: Ctx, type: TS.Type): boolean {
  const { ts, checker } = ctx;
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  if (!(type.flags & (ts.TypeFlags.IndexedAccess | ts.TypeFlags.TypeParameter))) return false;
  const constraint = checker.getBaseConstraintOfType(type);
  return !constraint || !!(constraint.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) || checker.getApparentType(constraint).getProperties().length === 0;
}

/** `name.signal` / `name?.signal` read somewhere in the class around `fn` (or in `fn` itself outside a class). */
function readsSignalOf(ts: CheckContext['ts'], fn: TS.FunctionLikeDeclaration, name: string): boolean {
  let scope: TS.Node = fn;
  for (let p = fn.parent; p; p = p.parent) {
    if (ts.isClassLike(p)) {
      scope = p;
      break;
    }
  }
  return readsOption(scope.getText(), name);
}

/** `name.signal` / `name?.signal` (or the option the signal came in) appears in the text. */
function readsOption(text: string, name: string, option = 'signal'): boolean {
  return new RegExp(`\\b${name}\\??\\.${option}\\b`).test(text);
}

function nestedSource(root: string, path: string[], optional: boolean): SignalSource {
  const dot = optional ? '?.' : '.';
  return { text: [root, ...path, 'signal'].join(dot), root, nested: true };
}

/** A Fetch Request: `signal` (an AbortSignal), `url`, `headers` and `method`. */
function isRequestLike(ctx: Ctx, type: TS.Type, at: TS.Node): boolean {
  const { checker } = ctx;
  const t = checker.getNonNullableType(type);
  const signal = t.getProperty('signal');
  if (!signal || !t.getProperty('url') || !t.getProperty('headers') || !t.getProperty('method')) return false;
  return isAbortSignalType(checker, checker.getTypeOfSymbolAtLocation(signal, at));
}

/** The properties from a value to the Request it holds (`[]`: it is one), through `request`, `req`, `raw`. */
function requestPath(ctx: Ctx, type: TS.Type, at: TS.Node, depth: number): string[] | undefined {
  const { checker } = ctx;
  if (type.flags & (ctx.ts.TypeFlags.Any | ctx.ts.TypeFlags.Unknown)) return undefined;
  if (isRequestLike(ctx, type, at)) return [];
  if (depth >= 2) return undefined;
  const t = checker.getNonNullableType(type);
  for (const name of REQUEST_PATH) {
    const prop = t.getProperty(name);
    if (!prop) continue;
    const sub = requestPath(ctx, checker.getTypeOfSymbolAtLocation(prop, at), at, depth + 1);
    if (sub) return [name, ...sub];
  }
  return undefined;
}

/** `{ signal: AbortSignal }` as an options bag (not an AbortController, whose signal is its own to abort). */
function requiredSignalOptions(ctx: Ctx, type: TS.Type, at: TS.Node): boolean {
  const { checker } = ctx;
  const t = checker.getNonNullableType(type);
  const prop = t.getProperty('signal');
  if (!prop || t.getProperty('abort')) return false;
  return isAbortSignalType(checker, checker.getTypeOfSymbolAtLocation(prop, at));
}

function nearestSource(ctx: Ctx, call: TS.Node, sourceOf: (fn: TS.FunctionLikeDeclaration) => SignalSource | null | undefined): SignalSource | undefined {
  for (let p = call.parent; p; p = p.parent) {
    if (isFunctionLike(ctx.ts, p)) {
      // Only function-likes with a body are in the file index (and so could have had a source).
      if (!p.body) continue;
      const src = sourceOf(p);
      if (src === null) return undefined;
      if (src) return src;
    }
  }
  return undefined;
}

/** The name a function is called by: its own, or the variable, property or method holding it. */
function declaredName(ts: CheckContext['ts'], fn: TS.FunctionLikeDeclaration): string | undefined {
  const holder = ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) ? fn : fn.parent;
  const name = holder && (ts.isFunctionDeclaration(holder) || ts.isMethodDeclaration(holder) || ts.isVariableDeclaration(holder) || ts.isPropertyDeclaration(holder) || ts.isPropertyAssignment(holder)) ? holder.name : undefined;
  return name && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;
}

/**
 * `await sleep(500)` where `sleep` is a hand-made sleep declared in this file (across files: the analyser).
 * Returns true when the call was such a helper call (reported or deliberately left alone).
 */
function checkSleepHelperCall(ctx: Ctx, call: TS.CallExpression, src: SignalSource): boolean {
  const { ts, checker, sourceFile } = ctx;
  if (call.arguments.length > 2) return false;
  const callee = skipParens(ts, call.expression);
  const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  if (!name) return false;
  const decl = checker.getSymbolAtLocation(name)?.valueDeclaration;
  if (!decl || decl.getSourceFile() !== sourceFile) return false;
  let fn: TS.Node | undefined = decl;
  if ((ts.isVariableDeclaration(decl) || ts.isPropertyDeclaration(decl) || ts.isPropertyAssignment(decl)) && decl.initializer) fn = skipParens(ts, decl.initializer);
  if (!fn || !isFunctionLike(ts, fn) || !isSleepHelper(ts, fn)) return false;
  if (mentionsSignal(ctx, call.arguments, src) || isShortDelay(ctx, call.arguments[0]) || checksSignalAfter(ctx, call, src)) return true;
  ctx.report({ node: call, messageId: 'sleepHelper', data: { callee: name.text, signal: src.text } });
  return true;
}

/**
 * `await sleep(ms); signal.throwIfAborted();` (or `if (signal.aborted) return/throw/break`): the
 * statement right after the sleep honours an abort. Cancelling waits out the delay but runs nothing
 * after it: the cancellation is late, not missing (a poll loop's interval is its latency).
 */
function checksSignalAfter(ctx: Ctx, sleep: TS.Expression, src: SignalSource): boolean {
  const { ts } = ctx;
  let stmt: TS.Node = sleep;
  while (ts.isParenthesizedExpression(stmt.parent) || ts.isAwaitExpression(stmt.parent)) stmt = stmt.parent;
  if (!ts.isExpressionStatement(stmt.parent)) return false;
  stmt = stmt.parent;
  const block = stmt.parent;
  if (!ts.isBlock(block) && !ts.isSourceFile(block)) return false;
  const isSignal = (e: TS.Expression) => e.getText().replace(/\?/g, '') === src.text.replace(/\?/g, '');
  const next = block.statements[block.statements.indexOf(stmt as TS.Statement) + 1];
  if (!next) {
    // The loop's last statement: `while (!signal.aborted) { …; await sleep(ms); }` checks it next.
    const loop = block.parent;
    const cond = ts.isWhileStatement(loop) && loop.statement === block ? loop.expression : ts.isForStatement(loop) && loop.statement === block ? loop.condition : undefined;
    const head = cond && skipParens(ts, cond);
    if (!head || !ts.isPrefixUnaryExpression(head) || head.operator !== ts.SyntaxKind.ExclamationToken) return false;
    const operand = skipParens(ts, head.operand);
    return ts.isPropertyAccessExpression(operand) && operand.name.text === 'aborted' && isSignal(operand.expression);
  }
  if (ts.isExpressionStatement(next)) {
    const e = skipParens(ts, next.expression);
    return ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'throwIfAborted' && isSignal(e.expression.expression);
  }
  if (!ts.isIfStatement(next)) return false;
  const cond = skipParens(ts, next.expression);
  if (!(ts.isPropertyAccessExpression(cond) && cond.name.text === 'aborted' && isSignal(cond.expression))) return false;
  const then = ts.isBlock(next.thenStatement) ? next.thenStatement.statements[next.thenStatement.statements.length - 1] : next.thenStatement;
  return !!then && (ts.isThrowStatement(then) || ts.isReturnStatement(then) || ts.isBreakStatement(then));
}

/** A delay the code writes as a number (or a const bound to one) below SHORT_SLEEP_MS. */
function isShortDelay(ctx: Ctx, delay: TS.Expression | undefined): boolean {
  const { ts, checker } = ctx;
  let ms = literalDelay(ts, delay);
  if (ms === undefined && delay) {
    const e = skipParens(ts, delay);
    const decl = ts.isIdentifier(e) ? checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) ms = literalDelay(ts, decl.initializer);
  }
  return ms !== undefined && ms < SHORT_SLEEP_MS;
}

function mentionsSignal(ctx: Ctx, args: readonly TS.Expression[], src: SignalSource): boolean {
  const { ts } = ctx;
  let found = false;
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && ((!src.nested && n.text === src.root) || /signal/i.test(n.text))) found = true;
    else ts.forEachChild(n, visit);
  };
  for (const a of args) {
    // `fetch(request)`, `new Request(url, request)`: the Request itself carries its signal.
    const e = skipParens(ts, a);
    if (src.nested && ts.isIdentifier(e) && e.text === src.root) return true;
    visit(a);
  }
  return found;
}

function checkCall(ctx: Ctx, call: TS.CallExpression | TS.NewExpression, src: SignalSource): void {
  const { ts, checker } = ctx;
  const args = call.arguments ?? ts.factory.createNodeArray<TS.Expression>();
  if (mentionsSignal(ctx, args, src)) return;
  // Calls on the signal itself (signal.addEventListener('abort', …), signal.throwIfAborted()) or on a controller.
  const receiver = ts.isCallExpression(call) ? memberObject(ts, call.expression) : undefined;
  if (receiver) {
    const r = skipParens(ts, receiver);
    if (/signal|controller/i.test(r.getText(ctx.sourceFile))) return;
  }
  if (handedToPipeline(ctx, call)) return;
  if (pipesStreamMadeWithSignal(ctx, call, src)) return;
  const sig = checker.getResolvedSignature(call);
  if (!sig) return;
  // node:crypto's createHash/createHmac/createCipheriv… take stream options (with a signal) for their Transform side,
  // but are used synchronously (update().digest()): nothing runs that a signal could cancel.
  if (isDeclaredInPackage(ts, calleeSymbol(ts, checker, skipParens(ts, call.expression)), ['crypto'])) return;
  const found = signalParameter(ctx, sig, call);
  if (!found) {
    // The overload picked for these arguments takes no signal, but another one does (execFile(file, args, cb)).
    const calleeType = checker.getTypeAtLocation(call.expression);
    const sigs = ts.isNewExpression(call) ? calleeType.getConstructSignatures() : calleeType.getCallSignatures();
    if (sigs.length < 2 || !sigs.some((s) => signalParameter(ctx, s, call))) return;
  }
  // By default only the platform's cancellable operations: which calls a function's own signal should reach, among
  // functions that merely accept one, is the author's design (checkAllCallees, the strict set, asks for all).
  if (ctx.options.checkAllCallees !== true && !platformCallee(ctx, call, sig)) return;
  // An argument that carries its own signal (a Request) is cancelled through it.
  if (args.some((a) => carriesSignal(ctx, a) || madeFromSignal(ctx, a))) return;
  // A local that carries the signal counts where the callee takes it: langchain's IBM client passes
  // `this.invocationCallbacks(options)` beside the request parameters, and the callbacks carry no signal.
  const slotArg = found ? args[found.index] : undefined;
  if ((found ? (slotArg ? [slotArg] : []) : args).some((a) => localMentionsSignal(ctx, a, src))) return;
  // The options a callback was handed, passed on whole where the callee takes its signal (`(client, opts) =>
  // client.sendCommand(args, opts)`): whoever calls the callback decides what they carry.
  if (found && found.slot !== 'direct' && isOptionsParameter(ctx, args[found.index], found.slot)) return;
  const callee = calleeName(ts, call) ?? 'this call';
  // A promise nobody keeps (`void queue.wait()`, a bare call): with the signal, an abort would reject it unhandled,
  // so no one-click fix is offered; the report stands (the work still outlives the cancellation).
  const suggestion = found && !discarded(ctx, call) ? fixFor(ctx, call, args, found.index, found.slot, src) : undefined;
  ctx.report({
    node: call,
    messageId: 'notPassed',
    data: { callee, signal: src.text },
    ...(suggestion ? { suggestions: [suggestion] } : {}),
  });
}

/** The callee is declared by the platform (fetch, node:timers/promises, node:events, a net.Socket…). */
function platformCallee(ctx: Ctx, call: TS.CallExpression | TS.NewExpression, sig: TS.Signature): boolean {
  const { ts, checker, program } = ctx;
  const decls = [sig.getDeclaration(), ...(calleeSymbol(ts, checker, skipParens(ts, call.expression))?.getDeclarations() ?? [])];
  return decls.some((d) => d !== undefined && isPlatformDeclaration(program, d));
}

/** The call's result is thrown away: `void call()` or a bare `call();` statement. */
function discarded(ctx: Ctx, call: TS.CallExpression | TS.NewExpression): boolean {
  const { ts } = ctx;
  const up = parentSkippingParens(ts, call);
  return ts.isVoidExpression(up) || ts.isExpressionStatement(up);
}

/**
 * `const file = createReadStream(path)` whose every use in the function is an argument of node's `pipeline()` next to a
 * stream the caller handed in (socket.io's `pipeline(file, res, onError)`): pipeline destroys every stream when one of
 * them closes, so the file stream ends with the response; it needs no signal of its own.
 */
function handedToPipeline(ctx: Ctx, call: TS.CallExpression | TS.NewExpression): boolean {
  const { ts, checker } = ctx;
  const decl = parentSkippingParens(ts, call);
  if (!ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !ts.isVariableDeclarationList(decl.parent) || !(decl.parent.flags & ts.NodeFlags.Const)) return false;
  const fn = enclosingFunction(ctx.ts, decl);
  if (!fn?.body) return false;
  const uses = referencesIn(ts, checker, fn.body, decl.name);
  return (
    uses.length > 0 &&
    uses.every((id) => {
      const pipe = parentSkippingParens(ts, id);
      if (!ts.isCallExpression(pipe) || !pipe.arguments.includes(id as TS.Expression)) return false;
      if (!isDeclaredInPackage(ts, calleeSymbol(ts, checker, skipParens(ts, pipe.expression)), ['stream', 'stream/promises'])) return false;
      if (calleeName(ts, pipe) !== 'pipeline') return false;
      return pipe.arguments.some((a) => {
        const p = ts.isIdentifier(a) ? checker.getSymbolAtLocation(a)?.valueDeclaration : undefined;
        return a !== id && p !== undefined && ts.isParameter(p) && p.parent === fn;
      });
    })
  );
}

/**
 * node's `pipeline(body, req)` (or a `promisify(pipeline)` of it) where one stream is a local made by a call given the
 * options that carry the signal (minio's `const req = transport.request(opt, …)`): the signal aborts that stream, and
 * pipeline then destroys every other one, so the whole pipe ends with the signal.
 */
function pipesStreamMadeWithSignal(ctx: Ctx, call: TS.CallExpression | TS.NewExpression, src: SignalSource): boolean {
  const { ts, checker } = ctx;
  if (!ts.isCallExpression(call) || !isStreamPipeline(ctx, call.expression)) return false;
  return call.arguments.some((a) => {
    const x = skipParens(ts, a);
    const decl = ts.isIdentifier(x) ? checker.getSymbolAtLocation(x)?.valueDeclaration : undefined;
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !ts.isVariableDeclarationList(decl.parent) || !(decl.parent.flags & ts.NodeFlags.Const)) return false;
    const init = skipParens(ts, decl.initializer);
    return ts.isCallExpression(init) && (madeFromWholeOptions(ctx, init, src.root) || mentionsSignal(ctx, init.arguments, src));
  });
}

/** `pipeline` of node:stream or node:stream/promises, or a const made by `promisify(pipeline)`. */
function isStreamPipeline(ctx: Ctx, callee: TS.Expression): boolean {
  const { ts, checker } = ctx;
  const e = skipParens(ts, callee);
  const named = (n: TS.Expression) => {
    const sym = calleeSymbol(ts, checker, skipParens(ts, n));
    return sym?.getName() === 'pipeline' && isDeclaredInPackage(ts, sym, ['stream', 'stream/promises']);
  };
  if (named(e)) return true;
  const decl = ts.isIdentifier(e) ? checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return false;
  const init = skipParens(ts, decl.initializer);
  return ts.isCallExpression(init) && init.arguments.length === 1 && calleeSymbol(ts, checker, skipParens(ts, init.expression))?.getName() === 'promisify' && named(init.arguments[0]!);
}

/**
 * A member of a local made from the signal (`const onceAborted = onAbort(aborter.signal)` … `toPromise(onceAborted.event)`,
 * cockatiel's timeout policy): waiting on it ends when the signal aborts, whichever argument it is.
 */
function madeFromSignal(ctx: Ctx, arg: TS.Expression): boolean {
  const { ts, checker } = ctx;
  let e = skipParens(ts, arg);
  if (!ts.isPropertyAccessExpression(e)) return false;
  while (ts.isPropertyAccessExpression(e)) e = skipParens(ts, e.expression);
  const decl = ts.isIdentifier(e) ? checker.getSymbolAtLocation(e)?.valueDeclaration : undefined;
  return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && /signal/i.test(decl.initializer.getText());
}

/**
 * `const init = { ...base, signal }; fetch(url, init)`, or `init.signal = signal`
 * somewhere in the function: a local options object that carries the signal.
 * A spread of the options the signal came from carries it too:
 * `const merged = { ...baseInit, ...init }` carries `init.signal`.
 */
function localMentionsSignal(ctx: Ctx, arg: TS.Expression, src: SignalSource, spread = false): boolean {
  const { ts, checker } = ctx;
  // `{ promoteLongs: false, ...commandOptions }`: an object literal spreading a local that carries the signal (mongodb).
  // Only one shown to carry it: a value a call made from the options (`{ ...params }` of `this.invocationParams(options)`,
  // langchain's IBM client) is model parameters spread into the request, not the signal.
  const literal = unwrap(ts, arg);
  if (ts.isObjectLiteralExpression(literal)) return literal.properties.some((p) => ts.isSpreadAssignment(p) && localMentionsSignal(ctx, p.expression, src, true));
  const e = skipParens(ts, arg);
  if (ts.isPropertyAccessExpression(e)) return madeFromSignal(ctx, e);
  if (!ts.isIdentifier(e)) return false;
  const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (decl && !src.nested && restCopyOfSource(ctx, decl, src)) return true;
  // `const { req, url } = await this.buildRequest(options, …)`: a part of what a call made from the whole options handed
  // back (the OpenAI SDK's request init, built with options.signal), as for the whole value below.
  if (decl && ts.isBindingElement(decl) && !decl.dotDotDotToken && !spread && !src.nested) {
    const holder = bindingHolder(ts, decl);
    if (ts.isVariableDeclaration(holder) && holder.initializer && madeFromWholeOptions(ctx, holder.initializer, src.root)) return true;
  }
  if (!decl || !ts.isVariableDeclaration(decl)) return false;
  if (decl.initializer && /signal/i.test(decl.initializer.getText())) return true;
  if (decl.initializer && !src.nested && spreadsSource(ts, decl.initializer, src)) return true;
  if (decl.initializer && !src.nested && aliasesSource(ctx, decl.initializer, src)) return true;
  // A value a call made from the whole options (`let prepared = await this.#prepare(opts)`, a merge helper's
  // `extend(true, {}, defaults, options)`): what the call was given, it can hand back (gaxios).
  if (!spread && decl.initializer && !src.nested && madeFromWholeOptions(ctx, decl.initializer, src.root)) return true;
  if (!src.nested && letHoldsSource(ctx, decl, src)) return true;
  const scope = decl.parent?.parent?.parent;
  return !!scope && new RegExp(`\\b${e.text}\\s*\\.\\s*${src.option ?? 'signal'}\\s*=[^=]`).test(scope.getText());
}

/**
 * `const { ...opts } = options` (mongodb's findOne): the rest of a destructuring of the signal's options object copies
 * every property the pattern does not name, the signal with them unless the pattern names it.
 */
function restCopyOfSource(ctx: Ctx, decl: TS.Declaration, src: SignalSource): boolean {
  const { ts } = ctx;
  if (!ts.isBindingElement(decl) || !decl.dotDotDotToken || !ts.isObjectBindingPattern(decl.parent)) return false;
  const holder = decl.parent.parent;
  if (!ts.isVariableDeclaration(holder) || !holder.initializer || !aliasesSource(ctx, holder.initializer, src)) return false;
  const option = src.option ?? 'signal';
  return !decl.parent.elements.some((el) => {
    const key = el.propertyName ?? el.name;
    return el !== decl && (ts.isIdentifier(key) || ts.isStringLiteral(key)) && key.text === option;
  });
}

/**
 * `let listenOptions: ListenOptions | number = this.port; … if (typeof opts === 'object') listenOptions = opts;`
 * (bolt-js' receiver): a `let` given the signal's options object itself on some path, and on every other a primitive
 * (a port number), holds their signal wherever there is one.
 */
function letHoldsSource(ctx: Ctx, decl: TS.VariableDeclaration, src: SignalSource): boolean {
  const { ts, checker } = ctx;
  if (!ts.isIdentifier(decl.name) || !ts.isVariableDeclarationList(decl.parent) || decl.parent.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using)) return false;
  const fn = enclosingFunction(ts, decl);
  if (!fn?.body) return false;
  const values: TS.Expression[] = decl.initializer ? [decl.initializer] : [];
  for (const id of referencesIn(ts, checker, fn.body, decl.name)) {
    const up = parentSkippingParens(ts, id);
    if (ts.isBinaryExpression(up) && up.left === id && isAssignmentOperator(ts, up.operatorToken.kind)) {
      if (up.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
      values.push(up.right);
    }
  }
  const isSource = (v: TS.Expression) => {
    const x = unwrap(ts, v);
    return ts.isIdentifier(x) && x.text === src.root;
  };
  // Not an options object at all (a port number): an object built here is fresh options, which lose the signal.
  const primitive = (v: TS.Expression) =>
    unionParts(checker.getTypeAtLocation(v)).every((t) => (t.flags & (ts.TypeFlags.NumberLike | ts.TypeFlags.StringLike | ts.TypeFlags.BooleanLike | ts.TypeFlags.Null | ts.TypeFlags.Undefined)) !== 0);
  return values.some(isSource) && values.every((v) => isSource(v) || primitive(v));
}

function madeFromWholeOptions(ctx: Ctx, init: TS.Expression, root: string): boolean {
  const { ts, checker } = ctx;
  let e = skipParens(ts, init);
  if (ts.isAwaitExpression(e)) e = skipParens(ts, e.expression);
  return ts.isCallExpression(e) && e.arguments.some((a) => {
    const x = skipParens(ts, a);
    if (!ts.isIdentifier(x)) return false;
    if (x.text === root) return true;
    // A local that is the options themselves (`const options = await optionsInput`).
    const decl = checker.getSymbolAtLocation(x)?.valueDeclaration;
    return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && aliasesSource(ctx, decl.initializer, { text: root, root });
  });
}

/** A parameter of an enclosing function whose own type has the same signal option. */
function isOptionsParameter(ctx: Ctx, arg: TS.Expression | undefined, slot: 'signal' | 'abortSignal'): boolean {
  const { ts, checker } = ctx;
  const e = arg && skipParens(ts, arg);
  if (!e || !ts.isIdentifier(e)) return false;
  const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
  if (!decl || !ts.isParameter(decl)) return false;
  return signalSlotOf(checker, checker.getTypeAtLocation(e), e, ts) === slot;
}

/** `{ ...options, task }`, `{ ...(init ?? {}) }`: an object literal that copies the signal's options object. */
function spreadsSource(ts: CheckContext['ts'], init: TS.Expression, src: SignalSource): boolean {
  const e = unwrap(ts, init);
  if (!ts.isObjectLiteralExpression(e)) return false;
  return e.properties.some((p) => {
    if (!ts.isSpreadAssignment(p)) return false;
    let x = skipParens(ts, p.expression);
    // `...(options ?? {})`, `...(options || {})`
    while (ts.isBinaryExpression(x) && (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || x.operatorToken.kind === ts.SyntaxKind.BarBarToken)) x = skipParens(ts, x.left);
    while (ts.isNonNullExpression(x) || ts.isAsExpression(x)) x = skipParens(ts, x.expression);
    return ts.isIdentifier(x) && x.text === src.root;
  });
}

/**
 * `const opts = typeof options === 'number' ? { timeout: options } : options ?? {}`: a local that is the signal's
 * options object itself on every branch where that object can hold a signal. A branch that mentions the options only
 * where they are narrowed to a type without `signal` (a number) has no signal to lose.
 */
function aliasesSource(ctx: Ctx, init: TS.Expression, src: SignalSource): boolean {
  const { ts, checker } = ctx;
  const e = unwrap(ts, init);
  if (ts.isIdentifier(e)) return e.text === src.root;
  // `const options = await optionsInput` (a `PromiseOrValue<Options>` parameter, the OpenAI SDK's makeRequest): awaiting
  // the options gives that same object, or the one its promise holds, with its signal.
  if (ts.isAwaitExpression(e)) return aliasesSource(ctx, e.expression, src);
  if (ts.isBinaryExpression(e) && (e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || e.operatorToken.kind === ts.SyntaxKind.BarBarToken)) return aliasesSource(ctx, e.left, src);
  // `options ? { ...options } : {}`: where the test fails the options are absent, and so is their signal.
  if (ts.isConditionalExpression(e)) return branchKeeps(e.whenTrue) && (testsPresence(e.condition) || branchKeeps(e.whenFalse));
  return false;

  function testsPresence(cond: TS.Expression): boolean {
    const c = skipParens(ts, cond);
    const isRoot = (x: TS.Expression) => {
      const y = skipParens(ts, x);
      return ts.isIdentifier(y) && y.text === src.root;
    };
    if (isRoot(c)) return true;
    if (!ts.isBinaryExpression(c) || ![ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(c.operatorToken.kind)) return false;
    return (isRoot(c.left) && isNullishLiteral(ts, c.right)) || (isRoot(c.right) && isNullishLiteral(ts, c.left));
  }

  function branchKeeps(branch: TS.Expression): boolean {
    if (aliasesSource(ctx, branch, src) || spreadsSource(ts, branch, src)) return true;
    const refs: TS.Identifier[] = [];
    const visit = (n: TS.Node): void => {
      if (ts.isIdentifier(n) && n.text === src.root && !(ts.isPropertyAssignment(n.parent) && n.parent.name === n)) refs.push(n);
      ts.forEachChild(n, visit);
    };
    visit(branch);
    const mayHoldSignal = (t: TS.Type): boolean => (t.isUnion() ? t.types.some(mayHoldSignal) : !!checker.getApparentType(t).getProperty(src.option ?? 'signal') || !!(t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)));
    return refs.length > 0 && refs.every((r) => !mayHoldSignal(checker.getNonNullableType(checker.getTypeAtLocation(r))));
  }
}

/** The function cancels its work itself from an abort listener (`signal.addEventListener('abort', …)`, `signal.onabort = …`). */
function handlesAbortItself(fn: TS.FunctionLikeDeclaration): boolean {
  return !!fn.body && /\.addEventListener\(\s*['"]abort['"]|\.onabort\s*=[^=]/.test(fn.body.getText());
}

/** An argument whose type has a required `signal` (a Request built with `{ signal }`). */
function carriesSignal(ctx: Ctx, arg: TS.Expression): boolean {
  const { checker } = ctx;
  const type = checker.getTypeAtLocation(arg);
  const prop = checker.getNonNullableType(type).getProperty('signal');
  if (!prop) return false;
  const optional = (prop.getDeclarations() ?? []).some((d) => 'questionToken' in d && d.questionToken !== undefined);
  return !optional && isAbortSignalType(checker, checker.getTypeOfSymbolAtLocation(prop, arg));
}

/** The first parameter of a signature that takes a signal, directly or in an options object. */
function signalParameter(ctx: Ctx, sig: TS.Signature, at: TS.Node): { index: number; slot: Exclude<SignalSlot, undefined> } | undefined {
  const { ts, checker } = ctx;
  const params = sig.getParameters();
  for (let i = 0; i < params.length; i++) {
    const decl = params[i]!.valueDeclaration;
    if (decl && ts.isParameter(decl) && decl.dotDotDotToken) return undefined;
    // `Object.assign(target: T, …)`: a bare type parameter takes whatever it is given; it asks for no signal of its
    // own unless its constraint does (`<O extends { signal?: AbortSignal }>(options: O)`).
    if (decl && ts.isParameter(decl) && decl.type && !takesSignalByConstraint(ctx, decl.type, at)) continue;
    const type = checker.getTypeOfSymbolAtLocation(params[i]!, at);
    if (isStreamOptions(ctx, type)) continue;
    let slot: SignalSlot = signalSlotOf(checker, type, at, ts);
    // Only the union members an object literal argument fits: asked only where the whole type takes a signal.
    if (slot) {
      const variants = argumentVariants(ctx, type, at, i);
      if (variants) slot = variants.map((t) => signalSlotOf(checker, t, at, ts)).find((x) => x !== undefined);
    }
    if (slot) return { index: i, slot };
  }
  return undefined;
}

/** False for a parameter declared as a bare type parameter whose constraint carries no signal; true otherwise. */
function takesSignalByConstraint(ctx: Ctx, typeNode: TS.TypeNode, at: TS.Node): boolean {
  const { ts, checker } = ctx;
  if (!ts.isTypeReferenceNode(typeNode) || typeNode.typeArguments) return true;
  const declared = checker.getTypeFromTypeNode(typeNode);
  if (!(declared.flags & ts.TypeFlags.TypeParameter)) return true;
  const constraint = checker.getBaseConstraintOfType(declared);
  return !!constraint && !(constraint.flags & ts.TypeFlags.Unknown) && signalSlotOf(checker, constraint, at, ts) !== undefined;
}

/** The options of Node's stream constructors (`new PassThrough(options)`, a helper taking `TransformOptions`). */
const STREAM_OPTIONS = new Set(['StreamOptions', 'ReadableOptions', 'WritableOptions', 'DuplexOptions', 'TransformOptions']);

/**
 * A Node stream's own options: their `signal` destroys that stream when it aborts, but a stream made here is
 * passive (it does nothing until data is written or read), so there is no work left running for want of it:
 * the request that fills or drains the stream is the call to give the signal (testcontainers' log proxy).
 */
function isStreamOptions(ctx: Ctx, type: TS.Type): boolean {
  const { ts, checker } = ctx;
  // Also an interface extending one (byline's `LineStreamOptions extends stream.TransformOptions`).
  const is = (t: TS.Type, depth: number): boolean => {
    const s = t.aliasSymbol ?? t.getSymbol();
    if (s !== undefined && STREAM_OPTIONS.has(s.getName()) && isDeclaredInPackage(ts, s, ['stream'])) return true;
    const target = t.flags & ts.TypeFlags.Object && (t as TS.ObjectType).objectFlags & ts.ObjectFlags.Reference ? (t as TS.TypeReference).target : t;
    return depth < 3 && target.isClassOrInterface() && (checker.getBaseTypes(target) ?? []).some((b) => is(b, depth + 1));
  };
  return unionParts(checker.getNonNullableType(type)).some((t) => is(t, 0));
}

/**
 * The members of a union parameter type that a fresh object literal argument can be: `new Connection({ rheaConnection,
 * container })` picks the variant built from a connection, not the one with socket options (and their signal).
 */
function argumentVariants(ctx: Ctx, type: TS.Type, at: TS.Node, index: number): TS.Type[] | undefined {
  const { ts, checker } = ctx;
  const arg = (ts.isCallExpression(at) || ts.isNewExpression(at)) && at.arguments?.[index];
  const nonNull = checker.getNonNullableType(type);
  // isTypeAssignableTo is in the public checker API of recent TypeScript versions; without it every member counts.
  if (!arg || !ts.isObjectLiteralExpression(skipParens(ts, arg)) || !nonNull.isUnion() || typeof checker.isTypeAssignableTo !== 'function') return undefined;
  const argType = checker.getTypeAtLocation(arg);
  const fits = nonNull.types.filter((t) => checker.isTypeAssignableTo(argType, t));
  return fits.length > 0 ? fits : undefined;
}

function fixFor(
  ctx: Ctx,
  call: TS.CallExpression | TS.NewExpression,
  args: readonly TS.Expression[],
  index: number,
  slot: Exclude<SignalSlot, undefined>,
  src: SignalSource,
): Suggestion | undefined {
  const { ts, sourceFile } = ctx;
  // The option is named by the callee's type: `{ signal }`, or the AWS SDK's `{ abortSignal: options.signal }`.
  const prop = src.text === slot ? slot : `${slot}: ${src.text}`;
  const value = slot === 'direct' ? src.text : `{ ${prop} }`;
  let edit: TextEdit;
  if (index < args.length) {
    const arg = skipParens(ts, args[index]!);
    if (slot === 'direct') {
      if (arg.kind !== ts.SyntaxKind.UndefinedKeyword && !(ts.isIdentifier(arg) && arg.text === 'undefined')) return undefined;
      edit = { start: arg.getStart(sourceFile), end: arg.getEnd(), text: value };
    } else if (ts.isObjectLiteralExpression(arg)) {
      const text =
        arg.properties.length === 0
          ? `{ ${prop} }`
          : `{ ${arg.properties.map((p) => p.getText(sourceFile)).join(', ')}, ${prop} }`;
      edit = { start: arg.getStart(sourceFile), end: arg.getEnd(), text };
    } else return undefined;
  } else {
    if (!call.arguments) return undefined;
    const fill = Array.from({ length: index - args.length }, () => 'undefined');
    const added = [...fill, value].join(', ');
    edit = args.length === 0 ? { start: call.arguments.end, end: call.arguments.end, text: added } : { start: args[args.length - 1]!.getEnd(), end: args[args.length - 1]!.getEnd(), text: `, ${added}` };
  }
  return { messageId: 'passSignal', data: { signal: src.text }, edits: [edit] };
}
