/**
 * uncancelled-siblings (strict): `Promise.all`/`Promise.any` over tasks that
 * could be cancelled (their callees accept an AbortSignal) but share none, so
 * after the first rejection (all) or fulfilment (any) the others keep running.
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext } from './check.js';
import { indexFile } from './util/file-index.js';
import { calleeName, isFunctionLike, memberName, promiseStaticMethod, skipParens } from './util/syntax.js';
import { signalSlotOf } from './util/types.js';

type Ctx = CheckContext<Record<string, never>>;

export const uncancelledSiblings = defineCheck<Record<string, never>>({
  id: 'uncancelled-siblings',
  messages: {
    noSharedSignal:
      "These tasks accept an AbortSignal but share none: after Promise.{{method}} settles on the first {{event}}, the others keep running ('{{callee}}' could be cancelled). Create an AbortController, pass its signal to every task and abort it when one fails.",
  },
  schema: { type: 'object', properties: {}, additionalProperties: false },
  defaultOptions: {},
  run(ctx) {
    const { ts } = ctx;
    for (const call of indexFile(ts, ctx.sourceFile).calls) {
      const method = promiseStaticMethod(ts, call);
      if (method !== 'all' && method !== 'any') continue;
      const arg = call.arguments[0] && skipParens(ts, call.arguments[0]);
      if (!arg) continue;
      const tasks = taskCalls(ctx, arg);
      if (!tasks) continue;
      if (tasks.some((t) => passesSignal(ctx, t))) continue;
      const cancellable = tasks.find((t) => acceptsSignal(ctx, t));
      if (!cancellable) continue;
      ctx.report({
        node: call,
        messageId: 'noSharedSignal',
        data: { method, event: method === 'all' ? 'rejection' : 'fulfilment', callee: calleeName(ts, cancellable) ?? 'a task' },
      });
    }
  },
});

/** The calls that start the sibling tasks: array elements (at least two), or the calls in a map callback. */
function taskCalls(ctx: Ctx, arg: TS.Expression): TS.CallExpression[] | undefined {
  const { ts } = ctx;
  if (ts.isArrayLiteralExpression(arg)) {
    const calls = arg.elements.map((e) => skipParens(ts, e)).filter((e): e is TS.CallExpression => ts.isCallExpression(e));
    return calls.length >= 2 ? calls : undefined;
  }
  if (ts.isCallExpression(arg) && memberName(ts, arg.expression) === 'map') {
    const cb = arg.arguments[0] && skipParens(ts, arg.arguments[0]);
    if (!cb || !isFunctionLike(ts, cb) || !cb.body) return undefined;
    const calls: TS.CallExpression[] = [];
    const visit = (n: TS.Node): void => {
      if (isFunctionLike(ts, n)) return;
      if (ts.isCallExpression(n)) calls.push(n);
      ts.forEachChild(n, visit);
    };
    if (ts.isBlock(cb.body)) ts.forEachChild(cb.body, visit);
    else visit(cb.body);
    return calls.length > 0 ? calls : undefined;
  }
  return undefined;
}

function passesSignal(ctx: Ctx, call: TS.CallExpression): boolean {
  return call.arguments.some((a) => /signal/i.test(a.getText(ctx.sourceFile)));
}

function acceptsSignal(ctx: Ctx, call: TS.CallExpression): boolean {
  const { ts, checker } = ctx;
  const sig = checker.getResolvedSignature(call);
  if (!sig) return false;
  return sig.getParameters().some((p) => {
    const decl = p.valueDeclaration;
    if (decl && ts.isParameter(decl) && decl.dotDotDotToken) return false;
    return signalSlotOf(checker, checker.getTypeOfSymbolAtLocation(p, call), call, ts) !== undefined;
  });
}
