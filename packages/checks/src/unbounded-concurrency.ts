/**
 * unbounded-concurrency: `Promise.all`/`Promise.allSettled` over
 * `xs.map(async …)` (or a map callback returning a promise) where `xs` has no
 * bound: not an array literal or tuple, not a literal-bounded slice, not a
 * batch, and the callback takes no limiter (p-limit, p-queue, p-map,
 * async-mutex semaphores, bottleneck).
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext } from './check.js';
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

function isBounded(ctx: Ctx, receiver: TS.Expression, bounded: RegExp, depth = 0): boolean {
  const { ts, checker } = ctx;
  // A const bound to a bounded expression (const firstPage = xs.slice(0, 50)).
  if (ts.isIdentifier(receiver) && depth === 0) {
    const decl = checker.getSymbolAtLocation(receiver)?.valueDeclaration;
    if (decl && ts.isVariableDeclaration(decl) && decl.initializer && ts.isVariableDeclarationList(decl.parent) && decl.parent.flags & ts.NodeFlags.Const) {
      if (isBounded(ctx, skipParens(ts, decl.initializer), bounded, depth + 1)) return true;
    }
  }
  if (ts.isArrayLiteralExpression(receiver)) return !receiver.elements.some((e) => ts.isSpreadElement(e));
  if (ts.isIdentifier(receiver) && bounded.test(receiver.text)) return true;
  if (ts.isPropertyAccessExpression(receiver) && bounded.test(receiver.name.text)) return true;
  if (ts.isCallExpression(receiver)) {
    const name = memberName(ts, receiver.expression);
    // xs.slice(0, 10): a literal bound.
    if (name === 'slice' && receiver.arguments.length === 2) return true;
    // Object.keys({ a, b }) / Array.from({ length: 4 }).
    const arg0 = receiver.arguments[0] && skipParens(ts, receiver.arguments[0]);
    if ((name === 'keys' || name === 'values' || name === 'entries' || name === 'from') && arg0 && ts.isObjectLiteralExpression(arg0)) {
      if (name !== 'from') return true;
      return arg0.properties.some((p) => ts.isPropertyAssignment(p) && p.name.getText(ctx.sourceFile) === 'length' && ts.isNumericLiteral(skipParens(ts, p.initializer)));
    }
  }
  const type = checker.getTypeAtLocation(receiver);
  return checker.isTupleType(checker.getApparentType(type));
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
