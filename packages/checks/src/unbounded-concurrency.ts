/**
 * unbounded-concurrency: `Promise.all`/`Promise.allSettled` over
 * `xs.map(async …)` (or a map callback returning a promise) where `xs` has no
 * bound: not an array literal or tuple, not a literal-bounded slice, not a
 * batch, and the callback takes no limiter (p-limit, p-queue, p-map,
 * async-mutex semaphores, bottleneck).
 *
 * The real bug shape is narrower: `xs` comes from a directory listing, a glob
 * or a database query, whose size is whatever the disk or the database holds
 * (`Promise.all(files.map(rewrite))` in a CLI, EMFILE on a large tree). Those
 * are reported with their source as the related location, also when the tasks
 * are pushed into an array in a loop over the listing; with
 * `inputs: 'disk-or-database'` (the `recommended` setting) only those are.
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext, type TypeScript } from './check.js';
import { indexFile } from './util/file-index.js';
import { calleeName, hasModifier, isFunctionLike, memberName, memberObject, promiseStaticMethod, skipParens } from './util/syntax.js';
import { calleeSymbol, declarationPackage, isPromiseLikeType, normalizePackage } from './util/types.js';
import { externalOrigin, importedModule, type ExternalOrigin } from './util/external-origin.js';
import { leftToTheRuntime } from './util/test-files.js';

type Ctx = CheckContext<UnboundedConcurrencyOptions>;

export interface UnboundedConcurrencyOptions {
  /** Packages whose calls inside the callback count as a concurrency bound. */
  limiterPackages: string[];
  /** Receivers whose name matches this pattern are taken as already bounded batches. */
  boundedNamePattern: string;
  /**
   * `any`: every input whose size the code does not fix. `disk-or-database`: only inputs read from a directory
   * listing, a glob or a database query (the `recommended` config's setting).
   */
  inputs: 'any' | 'disk-or-database';
}

/** Names of limiters and queues, for packages without types at hand or not in `limiterPackages` (plimit-lit, a local pool). */
const LIMITER_NAME = /limit|queue|throttl|semaphore|sema\b|mutex|concurren/i;
const DEFAULT_LIMITERS = ['p-limit', 'p-queue', 'p-map', 'p-throttle', 'async-mutex', 'bottleneck', 'async-sema'];

export const unboundedConcurrency = defineCheck<UnboundedConcurrencyOptions>({
  id: 'unbounded-concurrency',
  messages: {
    unbounded:
      "Promise.{{method}} over '{{source}}.map(…)' starts one task per element at once, however many there are: a large input exhausts sockets, pools or rate limits. Bound it with p-limit, p-map({ concurrency }) or a semaphore, or process it in chunks.",
    unboundedSource:
      "Promise.{{method}} over '{{source}}.map(…)' starts one task per {{item}} of {{origin}} at once: there are as many as the {{store}} holds, and thousands at once exhaust file descriptors (EMFILE), sockets or connection pools. Bound it with p-limit, p-map({ concurrency }) or a semaphore, or process it in chunks.",
    unboundedPush:
      "This loop over {{origin}} starts one task per {{item}} and Promise.{{method}} waits for them all at once: there are as many as the {{store}} holds, and thousands at once exhaust file descriptors (EMFILE), sockets or connection pools. Bound it with p-limit, p-map({ concurrency }) or a semaphore, or process it in chunks.",
  },
  schema: {
    type: 'object',
    properties: {
      limiterPackages: { type: 'array', items: { type: 'string' } },
      boundedNamePattern: { type: 'string' },
      inputs: { enum: ['any', 'disk-or-database'] },
    },
    additionalProperties: false,
  },
  defaultOptions: { limiterPackages: DEFAULT_LIMITERS, boundedNamePattern: '^(batch|chunk|page|slice)', inputs: 'any' },
  run(ctx) {
    const { ts } = ctx;
    if (leftToTheRuntime(ctx.program, ctx.sourceFile)) return;
    const bounded = new RegExp(ctx.options.boundedNamePattern, 'i');
    const onlyExternal = ctx.options.inputs === 'disk-or-database';
    for (const call of indexFile(ts, ctx.sourceFile).calls) {
      const method = promiseStaticMethod(ts, call);
      if (method !== 'all' && method !== 'allSettled') continue;
      const arg = call.arguments[0] && skipParens(ts, call.arguments[0]);
      if (arg && ts.isIdentifier(arg)) {
        checkPushLoop(ctx, call, arg, method);
        continue;
      }
      if (!arg || !ts.isCallExpression(arg) || memberName(ts, arg.expression) !== 'map') continue;
      const receiver = memberObject(ts, arg.expression);
      const cb = arg.arguments[0] && skipParens(ts, arg.arguments[0]);
      if (!receiver || !cb) continue;
      const inline = isFunctionLike(ts, cb) && cb.body !== undefined;
      // xs.map(sendEmail): a function passed by reference.
      const byReference = !inline && (ts.isIdentifier(cb) || ts.isPropertyAccessExpression(cb));
      if (!inline && !byReference) continue;
      const origin = externalOrigin(ctx, skipParens(ts, receiver));
      if (onlyExternal && !origin) continue;
      if (!origin && isBounded(ctx, skipParens(ts, receiver), bounded)) continue;
      if (!origin && inline && tearsDownElement(ts, cb as TS.FunctionLikeDeclaration)) continue;
      // Over a listing or a query result, a callback whose type is unknown (an import that does not resolve) is
      // taken at its word: Promise.all says the elements are promises.
      if (inline ? !returnsPromise(ctx, cb as TS.FunctionLikeDeclaration, !!origin) : !referenceReturnsPromise(ctx, cb, !!origin)) continue;
      if (inline && usesLimiter(ctx, cb as TS.FunctionLikeDeclaration)) continue;
      if (!inline && usesLimiter(ctx, cb)) continue;
      const source = receiver.getText(ctx.sourceFile);
      if (origin) ctx.report({ node: arg, messageId: 'unboundedSource', data: { method, source, ...originData(origin) }, related: [relatedOf(origin)] });
      else ctx.report({ node: arg, messageId: 'unbounded', data: { method, source } });
    }
  },
});

/** Methods that end a resource the caller already holds. */
const TEARDOWN_METHODS = new Set(['close', 'quit', 'kill', 'stop', 'destroy', 'terminate', 'end', 'disconnect', 'dispose', 'unsubscribe', 'shutdown', 'release', 'abort', 'cancel']);

/**
 * `Promise.all(this.nodes().map((n) => n.quit()))`, `children.map((c) => this.kill(c))`: a callback that ends the
 * element (a teardown method called on it, or given it) closes what already exists, however many there are:
 * nothing is opened per element, so shutting them all down at once exhausts nothing.
 */
function tearsDownElement(ts: TypeScript, cb: TS.FunctionLikeDeclaration): boolean {
  const param = cb.parameters[0]?.name;
  if (!param || !ts.isIdentifier(param) || !cb.body) return false;
  const isElement = (e: TS.Expression | undefined): boolean => {
    let x = e && skipParens(ts, e);
    while (x && ts.isPropertyAccessExpression(x)) x = skipParens(ts, x.expression);
    return x !== undefined && ts.isIdentifier(x) && x.text === param.text;
  };
  const isParam = (e: TS.Expression): boolean => {
    const x = skipParens(ts, e);
    return ts.isIdentifier(x) && x.text === param.text;
  };
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found || (n !== cb.body && isFunctionLike(ts, n))) return;
    if (ts.isCallExpression(n)) {
      const name = calleeName(ts, n);
      if (name !== undefined && TEARDOWN_METHODS.has(name) && (isElement(memberObject(ts, n.expression)) || n.arguments.some((a) => isParam(a)))) found = true;
    }
    ts.forEachChild(n, walk);
  };
  walk(cb.body);
  return found;
}

function originData(origin: ExternalOrigin): { item: string; origin: string; store: string } {
  return origin.kind === 'files'
    ? { item: 'file', origin: `${origin.callee}()`, store: 'directory tree' }
    : { item: 'row', origin: `the result of ${origin.callee}()`, store: 'database' };
}

function relatedOf(origin: ExternalOrigin): { label: string; node: TS.Node } {
  return { label: origin.kind === 'files' ? 'the file list comes from here' : 'the rows come from here', node: origin.node };
}

/**
 * `for (const entry of await readdir(dir)) tasks.push(stat(entry))` … `Promise.all(tasks)`: one task per entry of a
 * listing, pushed in a loop. Reported at the push, the place that starts each task.
 */
function checkPushLoop(ctx: Ctx, all: TS.CallExpression, array: TS.Identifier, method: string): void {
  const { ts, checker } = ctx;
  const decl = checker.getSymbolAtLocation(array)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return;
  const init = skipOuter(ts, decl.initializer);
  if (!ts.isArrayLiteralExpression(init) || init.elements.length > 0) return;
  const fn = enclosingFunctionLike(ts, decl);
  if (!fn || !fn.body) return;
  const pushes: TS.CallExpression[] = [];
  const walk = (n: TS.Node): void => {
    if (ts.isCallExpression(n) && memberName(ts, n.expression) === 'push') {
      const obj = memberObject(ts, n.expression);
      if (obj && ts.isIdentifier(skipParens(ts, obj)) && (skipParens(ts, obj) as TS.Identifier).text === array.text && n.pos < all.pos) pushes.push(n);
    }
    ts.forEachChild(n, walk);
  };
  walk(fn.body);
  for (const push of pushes) {
    const task = push.arguments[0] && skipParens(ts, push.arguments[0]);
    if (!task || push.arguments.length !== 1) continue;
    // A task: a call (or a chain of .then/.catch on one) that returns a promise, or whose type is unknown.
    if (!ts.isCallExpression(task)) continue;
    const type = checker.getTypeAtLocation(task);
    if (!(type.flags & ts.TypeFlags.Any) && !isPromiseLikeType(ts, ctx.program, type, task)) continue;
    if (usesLimiter(ctx, task)) continue;
    // A recursive walk's own calls (one per subdirectory) wait for their own, bounded fan-outs.
    if (callsItself(ts, task, fn)) continue;
    const loop = enclosingLoop(ts, push, fn);
    if (!loop) continue;
    const origin = externalOrigin(ctx, loop);
    if (!origin) continue;
    ctx.report({ node: push, messageId: 'unboundedPush', data: { method, ...originData(origin) }, related: [relatedOf(origin), { label: `Promise.${method} waits for them here`, node: all }] });
    return;
  }
}

/** `walk(sub)` or `walk(sub).then(…)` inside `walk`: the task is the function itself. */
function callsItself(ts: TypeScript, task: TS.CallExpression, fn: TS.FunctionLikeDeclaration): boolean {
  let name: string | undefined;
  if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) name = fn.name.text;
  else if (fn.parent && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) name = fn.parent.name.text;
  if (!name) return false;
  let call: TS.Expression = task;
  while (ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression) && ['then', 'catch', 'finally'].includes(call.expression.name.text)) call = skipOuter(ts, call.expression.expression);
  if (!ts.isCallExpression(call)) return false;
  const callee = skipOuter(ts, call.expression);
  return (ts.isIdentifier(callee) && callee.text === name) || (ts.isPropertyAccessExpression(callee) && callee.name.text === name && callee.expression.kind === ts.SyntaxKind.ThisKeyword);
}

function enclosingFunctionLike(ts: TypeScript, node: TS.Node): TS.FunctionLikeDeclaration | undefined {
  for (let p = node.parent; p; p = p.parent) if (isFunctionLike(ts, p)) return p;
  return undefined;
}

/** The iterated expression of the nearest `for … of` around `node` (within `fn`). */
function enclosingLoop(ts: TypeScript, node: TS.Node, fn: TS.Node): TS.Expression | undefined {
  for (let p = node.parent; p && p !== fn; p = p.parent) {
    if (isFunctionLike(ts, p)) return undefined;
    if (ts.isForOfStatement(p)) return skipParens(ts, p.expression);
  }
  return undefined;
}

/**
 * Whether the receiver's size is fixed by the code: an array literal, a tuple,
 * a `Set`/`Map` built from one, `Object.keys` of an object literal or an enum,
 * `Array.from({ length: 4 })` / `new Array(4)`, a literal-bounded slice, a name
 * such as `batch`; through consts, spreads (`[...MODULES]`), `Array.from(…)`
 * and the array methods that cannot grow it (`filter`, `map`, `slice`, …).
 */
function isBounded(ctx: Ctx, receiver: TS.Expression, bounded: RegExp, depth = 0): boolean {
  const { ts, checker } = ctx;
  if (depth > 4) return false;
  const e = skipOuter(ts, receiver);
  const again = (x: TS.Expression) => isBounded(ctx, x, bounded, depth + 1);
  if (ts.isIdentifier(e)) {
    if (bounded.test(e.text)) return true;
    // A const bound to a bounded expression (const firstPage = xs.slice(0, 50); const MODULES = new Set([…])).
    const decl = checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) {
      if (again(decl.initializer)) return true;
    }
    // An enum: Object.keys(Color).
    if (decl && ts.isEnumDeclaration(decl)) return true;
  }
  // [a, b], [...MODULES], [...A, ...B] with bounded parts.
  if (ts.isArrayLiteralExpression(e)) return e.elements.every((el) => !ts.isSpreadElement(el) || again(el.expression));
  if (ts.isObjectLiteralExpression(e)) return e.properties.every((p) => !ts.isSpreadAssignment(p) || again(p.expression));
  if (ts.isPropertyAccessExpression(e) && bounded.test(e.name.text)) return true;
  // new Set([…]), new Map([…]), new Array(4)
  if (ts.isNewExpression(e) && ts.isIdentifier(e.expression)) {
    const arg0 = e.arguments?.[0];
    if ((e.expression.text === 'Set' || e.expression.text === 'Map') && arg0) return again(arg0);
    if (e.expression.text === 'Array' && e.arguments?.length === 1 && arg0) return isConstNumber(ctx, arg0);
  }
  if (ts.isCallExpression(e)) {
    const name = memberName(ts, e.expression);
    const object = memberObject(ts, e.expression);
    const arg0 = e.arguments[0] && skipOuter(ts, e.arguments[0]);
    // xs.slice(0, 10): a literal bound.
    if (name === 'slice' && e.arguments.length === 2) return true;
    // Array(4)
    if (ts.isIdentifier(e.expression) && e.expression.text === 'Array' && e.arguments.length === 1 && arg0) return isConstNumber(ctx, arg0);
    const onGlobal = object && ts.isIdentifier(skipOuter(ts, object)) ? (skipOuter(ts, object) as TS.Identifier).text : undefined;
    if (onGlobal === 'Object' && (name === 'keys' || name === 'values' || name === 'entries') && arg0) return again(arg0) || hasFixedKeys(ctx, arg0);
    if (onGlobal === 'Array' && name === 'from' && arg0) {
      // Array.from({ length: 4 }), Array.from(MODULES)
      if (ts.isObjectLiteralExpression(arg0)) {
        return arg0.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText(ctx.sourceFile) === 'length' && isConstNumber(ctx, p.initializer));
      }
      return again(arg0);
    }
    if (onGlobal === 'Array' && name === 'of') return e.arguments.every((a) => !ts.isSpreadElement(a));
    // Methods that cannot make a bounded collection unbounded: xs.filter(…), MODULES.values(), xs.concat([y]).
    if (object && name && SIZE_PRESERVING.has(name)) {
      if (!again(object)) return false;
      return name !== 'concat' || e.arguments.every((a) => again(ts.isSpreadElement(a) ? a.expression : a));
    }
  }
  const type = checker.getTypeAtLocation(receiver);
  return checker.isTupleType(checker.getApparentType(type));
}

/**
 * An object whose type names its properties and has no index signature (`{ chat_id: number; caption?: string }`, a
 * class instance): Object.keys(x) has at most those keys. Not a record, map-like or array type, `{}`, `object` or any.
 */
function hasFixedKeys(ctx: Ctx, e: TS.Expression): boolean {
  const { ts, checker } = ctx;
  const type = checker.getTypeAtLocation(e);
  const parts = type.isUnion() ? type.types : [type];
  const fixed = parts.every((t) => {
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.NonPrimitive | ts.TypeFlags.TypeParameter)) return false;
    if (!(t.flags & ts.TypeFlags.Object) || checker.isArrayLikeType(t)) return false;
    // getIndexInfoOfType per kind: the TypeScript 7 back end answers that one only.
    return checker.getIndexInfoOfType(t, ts.IndexKind.String) === undefined && checker.getIndexInfoOfType(t, ts.IndexKind.Number) === undefined;
  });
  // A union may have a member without properties (the options of a call that takes none), but `{}` alone says nothing.
  return fixed && parts.some((t) => t.getProperties().length > 0);
}

const SIZE_PRESERVING = new Set(['filter', 'map', 'slice', 'fill', 'with', 'reverse', 'toReversed', 'sort', 'toSorted', 'keys', 'values', 'entries', 'concat']);

function skipOuter(ts: TypeScript, e: TS.Expression): TS.Expression {
  let x = skipParens(ts, e);
  while (ts.isAsExpression(x) || ts.isSatisfiesExpression(x) || ts.isNonNullExpression(x) || ts.isTypeAssertionExpression(x)) x = skipParens(ts, x.expression);
  return x;
}

/** A numeric literal, or a const bound to one. */
function isConstNumber(ctx: Ctx, e: TS.Expression): boolean {
  const { ts, checker } = ctx;
  const x = skipOuter(ts, e);
  if (ts.isNumericLiteral(x)) return true;
  if (!ts.isIdentifier(x)) return false;
  const decl = checker.getSymbolAtLocation(x)?.valueDeclaration;
  return !!decl && ts.isVariableDeclaration(decl) && !!decl.initializer && ts.isVariableDeclarationList(decl.parent) && !!(decl.parent.flags & ts.NodeFlags.Const) && ts.isNumericLiteral(skipOuter(ts, decl.initializer));
}

function returnsPromise(ctx: Ctx, cb: TS.FunctionLikeDeclaration, anyCounts = false): boolean {
  const { ts, checker, program } = ctx;
  if (hasModifier(ts, cb, ts.SyntaxKind.AsyncKeyword)) return true;
  const sig = checker.getSignatureFromDeclaration(cb);
  if (!sig) return false;
  const ret = sig.getReturnType();
  return isPromiseLikeType(ts, program, ret, cb) || (anyCounts && !!(ret.flags & ts.TypeFlags.Any));
}

function referenceReturnsPromise(ctx: Ctx, fn: TS.Expression, anyCounts = false): boolean {
  const { ts, checker, program } = ctx;
  const type = checker.getTypeAtLocation(fn);
  if (anyCounts && type.flags & ts.TypeFlags.Any) return true;
  const sigs = type.getCallSignatures();
  return sigs.length > 0 && sigs.every((s) => isPromiseLikeType(ts, program, s.getReturnType(), fn) || (anyCounts && !!(s.getReturnType().flags & ts.TypeFlags.Any)));
}

/** A call inside the callback to a limiter (p-limit's limit(), a semaphore's runExclusive/acquire, queue.add …). */
function usesLimiter(ctx: Ctx, cb: TS.Node): boolean {
  const { ts, checker } = ctx;
  const packages = ctx.options.limiterPackages;
  let found = false;
  const fromLimiter = (sym: TS.Symbol | undefined): boolean =>
    !!sym && (sym.getDeclarations() ?? []).some((d) => {
      const pkg = declarationPackage(ts, d);
      return pkg !== undefined && packages.includes(pkg);
    });
  // Without the package's types (not installed): `const limit = pLimit(4)` with pLimit imported from p-limit.
  const madeByLimiter = (e: TS.Expression): boolean => {
    const x = skipOuter(ts, e);
    let root: TS.Expression = x;
    while (ts.isPropertyAccessExpression(root)) root = skipOuter(ts, root.expression);
    if (!ts.isIdentifier(root)) return false;
    // `limit(() => task())`, `openFilesLimit(…)`, `queue.add(…)`: named as a limiter (p-limit's clones included).
    if (LIMITER_NAME.test(root.text)) return true;
    const mod = importedModule(ts, checker, root);
    if (mod !== undefined) return packages.includes(normalizePackage(mod));
    const decl = checker.getSymbolAtLocation(root)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer) return false;
    const init = skipOuter(ts, decl.initializer);
    const made = ts.isCallExpression(init) || ts.isNewExpression(init) ? skipOuter(ts, init.expression) : undefined;
    if (!made) return false;
    let r: TS.Expression = made;
    while (ts.isPropertyAccessExpression(r)) r = skipOuter(ts, r.expression);
    if (ts.isIdentifier(r) && LIMITER_NAME.test(r.text)) return true;
    const m = ts.isIdentifier(r) ? importedModule(ts, checker, r) : undefined;
    return m !== undefined && packages.includes(normalizePackage(m));
  };
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const callee = skipParens(ts, n.expression);
      if (fromLimiter(calleeSymbol(ts, checker, callee))) found = true;
      else {
        // `const limit = pLimit(4)`: the local's type comes from p-limit.
        const type = checker.getTypeAtLocation(ts.isPropertyAccessExpression(callee) ? callee.expression : callee);
        if (fromLimiter(type.aliasSymbol) || fromLimiter(type.getSymbol()) || madeByLimiter(callee)) found = true;
      }
    }
    ts.forEachChild(n, visit);
  };
  if (isFunctionLike(ts, cb)) {
    if (cb.body) visit(cb.body);
  } else if (ts.isIdentifier(cb) || ts.isPropertyAccessExpression(cb)) {
    // xs.map(limitedTask): the reference itself may be a limiter's wrapper.
    found = madeByLimiter(cb as TS.Expression);
  } else visit(cb);
  return found;
}
