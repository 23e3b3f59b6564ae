/**
 * Generator-based coroutines (`Effect.gen(function* () { … })`,
 * `Effect.fn('name')(function* (…) { … })`, `co(function* () { … })`): a
 * generator function handed to a call as an argument is run by that call as a
 * fiber or task. Each `yield`/`yield*` may suspend it while other fibers run,
 * as `await` does in an async function; each run has its own frame, so the
 * generator's locals belong to that run alone. A generator that is called
 * where it is written (an iterator) or declared as a method is not treated as
 * a coroutine, and neither is an async generator (its `await`s count already;
 * its `yield`s hand values to a consumer).
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { hasModifier } from '../util/syntax.js';

/** The call that runs `fn` as a coroutine (`Effect.gen(…)` for its generator argument), or undefined. */
export function coroutineRunner(ts: TypeScript, fn: TS.Node): TS.CallExpression | undefined {
  if (!ts.isFunctionExpression(fn) || !fn.asteriskToken || hasModifier(ts, fn, ts.SyntaxKind.AsyncKeyword)) return undefined;
  let child: TS.Node = fn;
  let p = fn.parent;
  while (p && ts.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  return p && ts.isCallExpression(p) && p.arguments.some((a) => a === child) ? p : undefined;
}

/** `yield*` or `yield` for a suspension inside a coroutine, `await` otherwise: the word messages use. */
export function suspensionWord(ts: TypeScript, node: TS.Node): string {
  if (ts.isYieldExpression(node)) return node.asteriskToken ? 'yield*' : 'yield';
  return 'await';
}
