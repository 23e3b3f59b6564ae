/**
 * "State owned by one fiber" for coroutine generators (`Effect.gen(function* …)`,
 * see coroutines.ts). The generator's own locals never reach this question: each
 * run has its own frame. A variable the generator captures from the function
 * that declares it (D) is shared only when something can touch it while the
 * generator is suspended at a `yield*`.
 *
 * Effect-style combinators run the effects their callbacks return one at a
 * time unless told otherwise, so positions are classified by the path from a
 * use up to D's body:
 * - concurrent: the path goes through an async function, a call asked for
 *   concurrency (`{ concurrency: n }`, `{ concurrent: true }`), or a call that
 *   starts fibers or tasks apart from this one (fork…, race…, runFork,
 *   runPromise, merge…) or registers a callback run later from outside the
 *   fiber (then, on, subscribe, setTimeout…);
 * - api: the path goes through an object literal (a method of a service, a
 *   `lookup:` of a cache): whoever holds the object can run it at any time;
 * - escape: the effect or function is assigned somewhere other than a local
 *   const, or is a named function other than a helper only the generator calls;
 * - sequential: everything else, including callbacks handed to combinators and
 *   what D returns (one pipeline built per call of D).
 *
 * The variable is owned when the generator is its only toucher and the
 * generator's runs are neither concurrent nor an api (per-run state: a
 * stream's pull, a fold's accumulator), or when every toucher sits in a
 * sequential position (one pipeline: a retry loop and its reset, a
 * `runForEach` callback and the code around it).
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { enclosingFunction, hasModifier, isFunctionLike } from '../util/syntax.js';
import { identifiersIn, nameOf, referencedSymbol } from './scopes.js';

type Position = 'sequential' | 'escape' | 'api' | 'concurrent';

/** Calls whose callbacks or effects run apart from the calling fiber. */
const CONCURRENT_CALLEE =
  /^(?:fork\w*|race\w*|runFork|runPromise\w*|runCallback|merge\w*|interleave\w*|then|catch|finally|on|once|addListener|addEventListener|prependListener|subscribe|setTimeout|setInterval|setImmediate|queueMicrotask|nextTick|requestAnimationFrame)$/;

export function isOwnedByOneFiber(
  ts: TypeScript,
  checker: TS.TypeChecker,
  symbol: TS.Symbol,
  decl: TS.Node,
  declaringFn: TS.FunctionLikeDeclaration | undefined,
  fn: TS.FunctionLikeDeclaration,
  runner: TS.CallExpression,
): boolean {
  // Module-level state is shared by every fiber of the program.
  const body = declaringFn?.body;
  if (!declaringFn || !body) return false;
  const run = runExtent(ts, runner);
  const runs = runPositions(ts, checker, run, declaringFn);
  if (!runs || runs.includes('concurrent')) return false;

  // Touches outside the generator's run: the variable's own uses, or calls of a local helper that touches it.
  const others: TS.Node[] = [];
  let ok = true;
  for (const n of identifiersIn(ts, body, symbol.name)) {
    if (n === nameOf(ts, decl) || within(n, run)) continue;
    if (referencedSymbol(ts, checker, n) === symbol) {
      if (ts.isExportSpecifier(n.parent)) ok = false;
      else if (!helperCalledOnlyFrom(ts, checker, n, declaringFn, run)) others.push(n);
    }
  }
  if (!ok) return false;
  if (others.length === 0) return !runs.includes('api');
  // Several touchers: all of them in one pipeline, one at a time.
  return runs.every((p) => p === 'sequential') && others.every((n) => positionOf(ts, n, declaringFn) === 'sequential');
}

/** The runner call with the stages piped onto it (`Effect.gen(…).pipe(Effect.catch(…))`): they run in the same run. */
function runExtent(ts: TypeScript, runner: TS.CallExpression): TS.Node {
  let extent: TS.Expression = runner;
  for (;;) {
    let p = extent.parent;
    while (p && ts.isParenthesizedExpression(p)) p = p.parent;
    if (!p || !ts.isPropertyAccessExpression(p) || p.name.text !== 'pipe' || !ts.isCallExpression(p.parent) || p.parent.expression !== p) {
      return extent;
    }
    extent = p.parent;
  }
}

/**
 * Where the generator's effect runs: the run extent itself, or, when it is bound to
 * a local const (`const pull = Effect.gen(…)`), every reference to that name.
 * Undefined when the name is exported or cannot be followed.
 */
function runPositions(ts: TypeScript, checker: TS.TypeChecker, run: TS.Node, declaringFn: TS.FunctionLikeDeclaration): Position[] | undefined {
  let p = run.parent;
  while (p && ts.isParenthesizedExpression(p)) p = p.parent;
  if (!p || !ts.isVariableDeclaration(p) || !ts.isIdentifier(p.name)) return [positionOf(ts, run, declaringFn)];
  const list = p.parent;
  if (!ts.isVariableDeclarationList(list) || !(list.flags & ts.NodeFlags.Const)) return ['escape'];
  const name = p.name;
  const target = checker.getSymbolAtLocation(name);
  if (!target || !declaringFn.body) return undefined;
  // Bound where D declares it (possibly in a nested block): the name's references are the runs.
  if (enclosingFunction(ts, p) !== declaringFn) return [positionOf(ts, p, declaringFn)];
  const out: Position[] = [];
  for (const n of identifiersIn(ts, declaringFn.body, name.text)) {
    if (n !== name && referencedSymbol(ts, checker, n) === target) out.push(ts.isExportSpecifier(n.parent) ? 'api' : positionOf(ts, n, declaringFn));
  }
  return out;
}

/** Classifies the path from `node` up to the body of `declaringFn` (see the file comment). */
function positionOf(ts: TypeScript, node: TS.Node, declaringFn: TS.FunctionLikeDeclaration): Position {
  let result: Position = 'sequential';
  let child: TS.Node = node;
  for (let p = node.parent; p && p !== declaringFn; child = p, p = p.parent) {
    if (isFunctionLike(ts, p)) {
      if (hasModifier(ts, p, ts.SyntaxKind.AsyncKeyword)) return 'concurrent';
      // A callback handed to a call runs when that call runs it (checked at the call, further up);
      // any other function (a method, a named helper) can be called from anywhere.
      if (!isArgumentNode(ts, p)) result = worse(result, ts.isMethodDeclaration(p) || ts.isObjectLiteralExpression(p.parent) ? 'api' : 'escape');
      continue;
    }
    if ((ts.isCallExpression(p) || ts.isNewExpression(p)) && p.arguments?.some((a) => a === child)) {
      if (startsApart(ts, p)) return 'concurrent';
      continue;
    }
    if (ts.isObjectLiteralExpression(p)) result = worse(result, 'api');
    else if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === child) result = worse(result, 'escape');
  }
  return result;
}

const RANK: Record<Position, number> = { sequential: 0, escape: 1, api: 2, concurrent: 3 };

function worse(a: Position, b: Position): Position {
  return RANK[b] > RANK[a] ? b : a;
}

function isArgumentNode(ts: TypeScript, fn: TS.Node): boolean {
  let child: TS.Node = fn;
  let p = fn.parent;
  while (p && ts.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  return !!p && (ts.isCallExpression(p) || ts.isNewExpression(p)) && !!p.arguments?.some((a) => a === child);
}

/** A call that runs its arguments apart from the calling fiber: by name, or asked for concurrency. */
function startsApart(ts: TypeScript, call: TS.CallExpression | TS.NewExpression): boolean {
  let callee: TS.Expression = call.expression;
  while (ts.isParenthesizedExpression(callee)) callee = callee.expression;
  // `Effect.fn('name')(…)`, `sem.withPermits(1)(…)`: the name is the inner call's.
  while (ts.isCallExpression(callee)) callee = callee.expression;
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  if (name !== undefined && CONCURRENT_CALLEE.test(name)) return true;
  return (call.arguments ?? []).some((a) => ts.isObjectLiteralExpression(a) && a.properties.some((p) => asksForConcurrency(ts, p)));
}

/** `concurrency: n` other than 1, `concurrent: true` (and anything not literally false). */
function asksForConcurrency(ts: TypeScript, p: TS.ObjectLiteralElementLike): boolean {
  if (!p.name || !(ts.isIdentifier(p.name) || ts.isStringLiteral(p.name))) return false;
  const key = p.name.text;
  if (key !== 'concurrency' && key !== 'concurrent') return false;
  if (!ts.isPropertyAssignment(p)) return true;
  const v = p.initializer;
  if (key === 'concurrency') return !(ts.isNumericLiteral(v) && v.text === '1');
  return v.kind !== ts.SyntaxKind.FalseKeyword;
}

/**
 * A use inside a local helper (`const startDeflates = () => { … entries … }`) that is
 * only ever called from inside the generator's run counts as the generator's own.
 */
function helperCalledOnlyFrom(
  ts: TypeScript,
  checker: TS.TypeChecker,
  use: TS.Node,
  declaringFn: TS.FunctionLikeDeclaration,
  run: TS.Node,
): boolean {
  const helper = enclosingFunction(ts, use);
  if (!helper || helper === declaringFn || enclosingFunction(ts, helper) !== declaringFn) return false;
  let byRun = helperMemo.get(helper);
  if (!byRun) helperMemo.set(helper, (byRun = new WeakMap()));
  let known = byRun.get(run);
  if (known !== undefined) return known;
  known = false;
  const name = ts.isFunctionDeclaration(helper)
    ? helper.name
    : (ts.isArrowFunction(helper) || ts.isFunctionExpression(helper)) && ts.isVariableDeclaration(helper.parent) && ts.isIdentifier(helper.parent.name)
      ? helper.parent.name
      : undefined;
  const target = name && checker.getSymbolAtLocation(name);
  if (name && target && declaringFn.body) {
    let calls = 0;
    let elsewhere = false;
    for (const n of identifiersIn(ts, declaringFn.body, name.text)) {
      if (n === name || referencedSymbol(ts, checker, n) !== target) continue;
      if (ts.isCallExpression(n.parent) && n.parent.expression === n && within(n, run)) calls++;
      else elsewhere = true;
    }
    known = calls > 0 && !elsewhere;
  }
  byRun.set(run, known);
  return known;
}

// Per helper function and generator run (a checker answers the same in every program built from the same files).
const helperMemo = new WeakMap<TS.Node, WeakMap<TS.Node, boolean>>();

function within(node: TS.Node, outer: TS.Node): boolean {
  return node.pos >= outer.pos && node.end <= outer.end;
}
