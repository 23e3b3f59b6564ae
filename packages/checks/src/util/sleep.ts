/**
 * The hand-made sleep: `new Promise((resolve) => setTimeout(resolve, ms))`.
 * Nothing can cancel it, so a function that has an AbortSignal and sleeps this
 * way keeps waiting after the abort. Syntax only, so the analyser's program
 * check (ts-morph's TypeScript) and the per-file check share it.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';

function strip(ts: TypeScript, e: TS.Expression): TS.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x) || ts.isSatisfiesExpression(x)) x = x.expression;
  return x;
}

/** `setTimeout`, `globalThis.setTimeout`, `window.setTimeout` (the callback form, not node:timers/promises). */
function isTimerCallee(ts: TypeScript, callee: TS.Expression): boolean {
  const c = strip(ts, callee);
  if (ts.isIdentifier(c)) return c.text === 'setTimeout';
  return ts.isPropertyAccessExpression(c) && c.name.text === 'setTimeout' && ts.isIdentifier(c.expression) && ['globalThis', 'window', 'global', 'self'].includes(c.expression.text);
}

/** `resolve`, `() => resolve()`, `() => resolve(value)`, `function () { resolve(); }`: a callback that only settles with `resolve`. */
function onlyResolves(ts: TypeScript, cb: TS.Expression, resolve: string): boolean {
  const e = strip(ts, cb);
  if (ts.isIdentifier(e)) return e.text === resolve;
  if (!ts.isArrowFunction(e) && !ts.isFunctionExpression(e)) return false;
  const body = e.body;
  const call = ts.isBlock(body)
    ? body.statements.length === 1 && ts.isExpressionStatement(body.statements[0]!) ? body.statements[0].expression : undefined
    : body;
  if (!call) return false;
  const c = strip(ts, call);
  return ts.isCallExpression(c) && ts.isIdentifier(strip(ts, c.expression)) && (strip(ts, c.expression) as TS.Identifier).text === resolve;
}

/** A delay written as 0 (or left out) only yields to the event loop: nothing to cancel. */
function isZeroDelay(ts: TypeScript, delay: TS.Expression | undefined): boolean {
  if (!delay) return true;
  const d = strip(ts, delay);
  return ts.isNumericLiteral(d) && Number(d.text) === 0;
}

/** Below this, a sleep only delays an abort by a moment (a poll loop's pause); it is not reported. */
export const SHORT_SLEEP_MS = 1000;

/** The delay in milliseconds when the code writes it as a number (`250`, `5_000`, `2 * 1000`), else undefined. */
export function literalDelay(ts: TypeScript, delay: TS.Expression | undefined): number | undefined {
  if (!delay) return 0;
  const d = strip(ts, delay);
  if (ts.isNumericLiteral(d)) return Number(d.text.replace(/_/g, ''));
  if (ts.isBinaryExpression(d) && d.operatorToken.kind === ts.SyntaxKind.AsteriskToken) {
    const a = literalDelay(ts, d.left);
    const b = literalDelay(ts, d.right);
    return a !== undefined && b !== undefined ? a * b : undefined;
  }
  return undefined;
}

/** `Promise.race([work, new Promise((r) => setTimeout(r, ms))])`: a deadline, not a pause (race-timeout-leak's shape). */
export function isRaceMember(ts: TypeScript, node: TS.Node): boolean {
  let p = node.parent;
  while (p && (ts.isParenthesizedExpression(p) || ts.isArrayLiteralExpression(p))) p = p.parent;
  if (!p || !ts.isCallExpression(p)) return false;
  const callee = strip(ts, p.expression);
  return ts.isPropertyAccessExpression(callee) && (callee.name.text === 'race' || callee.name.text === 'any') && ts.isIdentifier(callee.expression) && callee.expression.text === 'Promise';
}

/**
 * `new Promise((r) => setTimeout(r, ms))`, `new Promise((r) => { setTimeout(() => r(), ms); })`:
 * the executor does nothing but arm one timer that resolves. Returns the timer call, or undefined.
 */
export function handMadeSleep(ts: TypeScript, node: TS.NewExpression): TS.CallExpression | undefined {
  const ctor = strip(ts, node.expression);
  if (!ts.isIdentifier(ctor) || ctor.text !== 'Promise') return undefined;
  const executor = node.arguments?.[0] && strip(ts, node.arguments[0]);
  if (!executor || (!ts.isArrowFunction(executor) && !ts.isFunctionExpression(executor))) return undefined;
  const first = executor.parameters[0];
  if (!first || !ts.isIdentifier(first.name)) return undefined;
  const resolve = first.name.text;
  let timer: TS.Expression | undefined;
  if (ts.isBlock(executor.body)) {
    if (executor.body.statements.length !== 1) return undefined;
    const s = executor.body.statements[0]!;
    if (ts.isExpressionStatement(s)) timer = s.expression;
    else if (ts.isReturnStatement(s)) timer = s.expression;
  } else timer = executor.body;
  if (!timer) return undefined;
  const call = strip(ts, timer);
  if (!ts.isCallExpression(call) || !isTimerCallee(ts, call.expression)) return undefined;
  const [cb, delay] = call.arguments;
  if (!cb || !onlyResolves(ts, cb, resolve) || isZeroDelay(ts, delay)) return undefined;
  return call;
}

/**
 * A function whose whole work is a hand-made sleep (`const sleep = (ms) => new Promise((r) => setTimeout(r, ms))`,
 * `function delay(ms) { return new Promise(…) }`, `async function wait(ms) { await new Promise(…) }`) and that
 * takes no signal of its own (no parameter named like one): calling it where a signal is in scope waits past an abort.
 */
export function isSleepHelper(ts: TypeScript, fn: TS.FunctionLikeDeclaration): boolean {
  if (!fn.body || fn.parameters.length > 2) return false;
  if (fn.parameters.some((p) => !ts.isIdentifier(p.name) || /signal|options|opts/i.test(p.name.text))) return false;
  let value: TS.Expression | undefined;
  if (ts.isBlock(fn.body)) {
    if (fn.body.statements.length !== 1) return false;
    const s = fn.body.statements[0]!;
    if (ts.isReturnStatement(s)) value = s.expression;
    else if (ts.isExpressionStatement(s)) value = s.expression;
  } else value = fn.body;
  if (!value) return false;
  let e = strip(ts, value);
  if (ts.isAwaitExpression(e)) e = strip(ts, e.expression);
  return ts.isNewExpression(e) && handMadeSleep(ts, e) !== undefined;
}
