/**
 * misused-async-callback: an async (promise-returning) function passed where
 * the callee expects a void-returning callback and so ignores the promise:
 * Array#forEach, EventEmitter#on/once, addEventListener, timers, a
 * `new Promise(async …)` executor, or an async method implementing a
 * void-returning one.
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext } from './check.js';
import { indexFile } from './util/file-index.js';
import { calleeName, hasModifier, skipParens } from './util/syntax.js';
import { isPromiseLikeType, unionParts } from './util/types.js';

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

export const misusedAsyncCallback = defineCheck<Record<string, never>>({
  id: 'misused-async-callback',
  messages: {
    voidCallback:
      "This async function is passed to '{{callee}}', which expects a callback returning void and ignores the promise: a rejection is unhandled and '{{callee}}' does not wait for it. Use a for…of loop with await, or catch inside the callback.",
    asyncExecutor:
      'A Promise executor must not be async: a throw after the first await is not turned into a rejection and the promise never settles. Make the executor synchronous and await inside a separate async function.',
    voidProperty:
      "This async function is assigned to '{{name}}', whose type returns void: whoever calls '{{name}}' ignores the promise, so its rejection is unhandled.",
    voidMethod:
      "Async method '{{name}}' implements '{{base}}', which returns void: callers through '{{base}}' ignore the promise, so its rejection is unhandled.",
  },
  schema: { type: 'object', properties: {}, additionalProperties: false },
  defaultOptions: {},
  run(ctx) {
    const { ts } = ctx;
    const index = indexFile(ts, ctx.sourceFile);
    for (const call of index.calls) checkArguments(ctx, call);
    for (const call of index.news) checkArguments(ctx, call);
    for (const cls of index.classes) checkClass(ctx, cls);
    for (const fn of index.functions) checkProperty(ctx, fn);
  },
});

/** All call signatures of the (non-null) type return void, and there is at least one. */
function expectsVoidCallback(ctx: CheckContext<Record<string, never>>, type: TS.Type): boolean {
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

function returnsPromiseFn(ctx: CheckContext<Record<string, never>>, fn: TS.Expression): boolean {
  const { ts, checker, program } = ctx;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && hasModifier(ts, fn, ts.SyntaxKind.AsyncKeyword)) {
    return !fn.asteriskToken; // async generators return iterators, not promises
  }
  const type = checker.getTypeAtLocation(fn);
  const sigs = type.getCallSignatures();
  return sigs.length > 0 && sigs.every((s) => isPromiseLikeType(ts, program, s.getReturnType(), fn));
}

function checkArguments(ctx: CheckContext<Record<string, never>>, call: TS.CallExpression | TS.NewExpression): void {
  const { ts, checker } = ctx;
  const args = call.arguments;
  if (!args || args.length === 0) return;
  const name = calleeName(ts, call);
  for (const raw of args) {
    const arg = skipParens(ts, raw);
    const isFunctionExpr = ts.isArrowFunction(arg) || ts.isFunctionExpression(arg);
    const isReference = ts.isIdentifier(arg) || ts.isPropertyAccessExpression(arg);
    const knownApi = name !== undefined && VOID_CALLBACK_APIS.has(name);
    const isAsync = isFunctionExpr && hasModifier(ts, arg, ts.SyntaxKind.AsyncKeyword) && !arg.asteriskToken;
    // Cheap syntactic filters first. Any API is checked for an async function; a non-async function
    // (or one passed by name) only for the well-known void-callback APIs, and only if it may return a promise.
    if (!isAsync && !knownApi) continue;
    if (!isFunctionExpr && !isReference) continue;
    if (isFunctionExpr && !isAsync && !mayReturnValue(ctx, arg)) continue;
    // Both must hold; the function's own type is the cheaper question (the contextual type
    // resolves the whole call), so it is asked first.
    if (!returnsPromiseFn(ctx, arg)) continue;
    const expected = checker.getContextualType(arg);
    if (!expected || !expectsVoidCallback(ctx, expected)) continue;
    const isExecutor = ts.isNewExpression(call) && ts.isIdentifier(call.expression) && call.expression.text === 'Promise' && args[0] === raw;
    ctx.report(
      isExecutor
        ? { node: arg, messageId: 'asyncExecutor' }
        : { node: arg, messageId: 'voidCallback', data: { callee: name ?? 'the callee' } },
    );
  }
}

/** Whether a non-async function may return a promise, judged from the syntax of what it returns. */
function mayReturnValue(ctx: CheckContext<Record<string, never>>, fn: TS.ArrowFunction | TS.FunctionExpression): boolean {
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
function couldBePromise(ctx: CheckContext<Record<string, never>>, e: TS.Expression): boolean {
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

/** `{ onClose: async () => … }` where the object's type declares `onClose(): void`. */
function checkProperty(ctx: CheckContext<Record<string, never>>, fn: TS.FunctionLikeDeclaration): void {
  const { ts, checker } = ctx;
  if (!ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) return;
  const prop = fn.parent;
  if (!ts.isPropertyAssignment(prop) || prop.initializer !== fn || !ts.isObjectLiteralExpression(prop.parent)) return;
  if (!hasModifier(ts, fn, ts.SyntaxKind.AsyncKeyword) || fn.asteriskToken) return;
  const expected = checker.getContextualType(fn);
  if (!expected || !expectsVoidCallback(ctx, expected)) return;
  ctx.report({ node: fn, messageId: 'voidProperty', data: { name: prop.name.getText(ctx.sourceFile) } });
}

function checkClass(ctx: CheckContext<Record<string, never>>, cls: TS.ClassLikeDeclaration): void {
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
      const baseName = `${checker.typeToString(base)}.${name}`;
      ctx.report({ node: member.name, messageId: 'voidMethod', data: { name, base: baseName } });
      break;
    }
  }
}
