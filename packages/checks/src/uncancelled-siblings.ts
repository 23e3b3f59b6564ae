/**
 * uncancelled-siblings (strict): `Promise.all`/`Promise.any` over tasks that
 * could be cancelled (their callees accept an AbortSignal) but share none that
 * the group aborts (at most the caller's, in an options bag), so after the first
 * rejection (all) or fulfilment (any) the others keep running.
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
    callersSignalOnly:
      "These tasks get the caller's AbortSignal (in '{{carrier}}') but none that is aborted when one of them ends the group: after Promise.{{method}} settles on the first {{event}}, the others keep running until the caller aborts ('{{callee}}' could be cancelled). Create an AbortController for the group, pass AbortSignal.any([signal, controller.signal]) to every task and abort it when one fails.",
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
      const data = { method, event: method === 'all' ? 'rejection' : 'fulfilment', callee: calleeName(ts, cancellable) ?? 'a task' };
      // An options bag that carries a signal (libp2p's `options`) is the caller's: the tasks do share that one.
      const carrier = tasks.flatMap((t) => t.arguments).find((a) => carriesSignal(ctx, a));
      if (carrier) ctx.report({ node: call, messageId: 'callersSignalOnly', data: { ...data, carrier: carrier.getText(ctx.sourceFile) } });
      else ctx.report({ node: call, messageId: 'noSharedSignal', data });
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

/** An argument typed as an object with a `signal` (or another AbortSignal option): it hands a signal on. */
function carriesSignal(ctx: Ctx, arg: TS.Expression): boolean {
  const { ts, checker } = ctx;
  const slot = signalSlotOf(checker, checker.getTypeAtLocation(arg), arg, ts);
  return slot !== undefined && slot !== 'direct';
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
