/**
 * unbounded-concurrency: `Promise.all`/`Promise.allSettled` over
 * `xs.map(async …)` (or a map callback returning a promise) where `xs` has no
 * bound: not an array literal or tuple, not a literal-bounded slice, not a
 * batch, and the callback takes no limiter (p-limit, p-queue, p-map,
 * async-mutex semaphores, bottleneck).
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext, type TypeScript } from './check.js';
import { indexFile } from './util/file-index.js';
import { hasModifier, isFunctionLike, memberName, memberObject, promiseStaticMethod, skipParens } from './util/syntax.js';
import { calleeSymbol, declarationPackage, isPromiseLikeType } from './util/types.js';

type Ctx = CheckContext<UnboundedConcurrencyOptions>;

export interface UnboundedConcurrencyOptions {
  /** Packages whose calls inside the callback count as a concurrency bound. */
  limiterPackages: string[];
  /** Receivers whose name matches this pattern are taken as already bounded batches. */
  boundedNamePattern: string;
}

const DEFAULT_LIMITERS = ['p-limit', 'p-queue', 'p-map', 'p-throttle', 'async-mutex', 'bottleneck', 'async-sema'];

export const unboundedConcurrency = defineCheck<UnboundedConcurrencyOptions>({
  id: 'unbounded-concurrency',
  messages: {
    unbounded:
      "Promise.{{method}} over '{{source}}.map(…)' starts one task per element at once, however many there are: a large input exhausts sockets, pools or rate limits. Bound it with p-limit, p-map({ concurrency }) or a semaphore, or process it in chunks.",
  },
  schema: {
    type: 'object',
    properties: {
      limiterPackages: { type: 'array', items: { type: 'string' } },
      boundedNamePattern: { type: 'string' },
    },
    additionalProperties: false,
  },
  defaultOptions: { limiterPackages: DEFAULT_LIMITERS, boundedNamePattern: '^(batch|chunk|page|slice)' },
  run(ctx) {
    const { ts } = ctx;
    const bounded = new RegExp(ctx.options.boundedNamePattern, 'i');
    for (const call of indexFile(ts, ctx.sourceFile).calls) {
      const method = promiseStaticMethod(ts, call);
      if (method !== 'all' && method !== 'allSettled') continue;
      const arg = call.arguments[0] && skipParens(ts, call.arguments[0]);
      if (!arg || !ts.isCallExpression(arg) || memberName(ts, arg.expression) !== 'map') continue;
      const receiver = memberObject(ts, arg.expression);
      const cb = arg.arguments[0] && skipParens(ts, arg.arguments[0]);
      if (!receiver || !cb) continue;
      const inline = isFunctionLike(ts, cb) && cb.body !== undefined;
      // xs.map(sendEmail): a function passed by reference.
      const byReference = !inline && (ts.isIdentifier(cb) || ts.isPropertyAccessExpression(cb));
      if (!inline && !byReference) continue;
      if (isBounded(ctx, skipParens(ts, receiver), bounded)) continue;
      if (inline ? !returnsPromise(ctx, cb as TS.FunctionLikeDeclaration) : !referenceReturnsPromise(ctx, cb)) continue;
      if (inline && usesLimiter(ctx, cb as TS.FunctionLikeDeclaration)) continue;
      ctx.report({ node: arg, messageId: 'unbounded', data: { method, source: receiver.getText(ctx.sourceFile) } });
    }
  },
});

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
    if (onGlobal === 'Object' && (name === 'keys' || name === 'values' || name === 'entries') && arg0) return again(arg0);
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

function returnsPromise(ctx: Ctx, cb: TS.FunctionLikeDeclaration): boolean {
  const { ts, checker, program } = ctx;
  if (hasModifier(ts, cb, ts.SyntaxKind.AsyncKeyword)) return true;
  const sig = checker.getSignatureFromDeclaration(cb);
  return !!sig && isPromiseLikeType(ts, program, sig.getReturnType(), cb);
}

function referenceReturnsPromise(ctx: Ctx, fn: TS.Expression): boolean {
  const { ts, checker, program } = ctx;
  const sigs = checker.getTypeAtLocation(fn).getCallSignatures();
  return sigs.length > 0 && sigs.every((s) => isPromiseLikeType(ts, program, s.getReturnType(), fn));
}

/** A call inside the callback to a limiter (p-limit's limit(), a semaphore's runExclusive/acquire, queue.add …). */
function usesLimiter(ctx: Ctx, cb: TS.FunctionLikeDeclaration): boolean {
  const { ts, checker } = ctx;
  const packages = ctx.options.limiterPackages;
  let found = false;
  const fromLimiter = (sym: TS.Symbol | undefined): boolean =>
    !!sym && (sym.getDeclarations() ?? []).some((d) => {
      const pkg = declarationPackage(ts, d);
      return pkg !== undefined && packages.includes(pkg);
    });
  const visit = (n: TS.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n)) {
      const callee = skipParens(ts, n.expression);
      if (fromLimiter(calleeSymbol(ts, checker, callee))) found = true;
      else {
        // `const limit = pLimit(4)`: the local's type comes from p-limit.
        const type = checker.getTypeAtLocation(ts.isPropertyAccessExpression(callee) ? callee.expression : callee);
        if (fromLimiter(type.aliasSymbol) || fromLimiter(type.getSymbol())) found = true;
      }
    }
    ts.forEachChild(n, visit);
  };
  if (cb.body) visit(cb.body);
  return found;
}
