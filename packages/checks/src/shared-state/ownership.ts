/**
 * "State owned by one task": a variable captured by (or module-level to) an
 * async function is not shared when that function is the only code touching
 * it and runs as a single task: an IIFE, or a function called once, or called
 * only as `await f()` from the scope that declares the variable (sequential
 * awaits in one task). require-atomic-updates reported such code; we do not.
 *
 * Coroutine generators (`Effect.gen(function* …)`) follow their own rule,
 * in fibers.ts.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { enclosingFunction, skipParens } from '../util/syntax.js';
import { coroutineRunner } from './coroutines.js';
import { isOwnedByOneFiber } from './fibers.js';
import { identifiersIn, isArgument, isWithin, nameOf, referencedSymbol } from './scopes.js';

export function isOwnedByOneTask(
  ts: TypeScript,
  checker: TS.TypeChecker,
  symbol: TS.Symbol,
  decl: TS.Node,
  declaringFn: TS.FunctionLikeDeclaration | undefined,
  fn: TS.FunctionLikeDeclaration,
): boolean {
  const scope: TS.Node | undefined = declaringFn ? declaringFn.body : decl.getSourceFile();
  if (!scope) return false;
  if (!declaringFn && isExportedDeclaration(ts, decl)) return false;

  // A coroutine generator: owned by its fiber (fibers.ts).
  const runner = coroutineRunner(ts, fn);
  if (runner) return isOwnedByOneFiber(ts, checker, symbol, decl, declaringFn, fn, runner);

  // Node runs a stream's read()/write()/transform() one call at a time: state only it touches is its own.
  if (isSerialStreamMethod(ts, fn)) {
    return !!declaringFn && identifiersIn(ts, scope, symbol.name).every((n) => n === nameOf(ts, decl) || isWithin(n, fn) || referencedSymbol(ts, checker, n) !== symbol);
  }

  // The function must be a task entry we can see all the calls of.
  const iife = iifeCall(ts, fn);
  const fnName = iife ? undefined : taskName(ts, fn);
  if (!iife && !fnName) return false;
  const fnSymbol = fnName && checker.getSymbolAtLocation(fnName);
  if (!iife && !fnSymbol) return false;

  const calls: TS.CallExpression[] = iife ? [iife] : [];
  const outside: TS.Identifier[] = [];
  let escaped = false;
  // Handed to another function (`xs.map(work)`, `emitter.on('x', work)`): it may run many times at once.
  let passed = false;
  // The references, from the file's identifier index rather than a walk of the scope.
  for (const n of identifiersIn(ts, scope, symbol.name)) {
    if (n === nameOf(ts, decl)) continue;
    if (referencedSymbol(ts, checker, n) === symbol) {
      // Every use must be inside the task, or in the declaring scope itself (checked below).
      if (ts.isExportSpecifier(n.parent)) return false;
      if (!isWithin(n, fn)) {
        if (enclosingFunction(ts, n) === declaringFn) outside.push(n);
        else return false;
      }
    }
  }
  if (fnName && fnSymbol) {
    for (const n of identifiersIn(ts, scope, fnName.text)) {
      if (n === fnName || referencedSymbol(ts, checker, n) !== fnSymbol) continue;
      const call = n.parent;
      if (ts.isCallExpression(call) && skipParens(ts, call.expression) === n) calls.push(call);
      else {
        escaped = true; // passed around: it may be called anywhere, any number of times
        if (isArgument(ts, n)) passed = true;
      }
    }
  }
  // The calls must come from the declaring scope itself, not from other callbacks
  // (`xs.map((x) => work(x))` runs them all at once).
  // Also from one serial stream method written in that scope (`new ReadableStream({ pull: async () => { await
  // next() } })`), awaited there: the stream never calls it again before the previous call settles.
  const callers = new Set(calls.map((c) => enclosingFunction(ts, c)));
  const [caller] = callers;
  const fromSerialMethod =
    callers.size === 1 && !!caller && caller !== declaringFn && isSerialStreamMethod(ts, caller) && enclosingFunction(ts, caller) === declaringFn && calls.every((c) => isDirectlyAwaited(ts, c));
  const callsFromScope = fromSerialMethod || calls.every((c) => enclosingFunction(ts, c) === declaringFn);
  const sequential = calls.every((c) => isDirectlyAwaited(ts, c)) || (calls.length === 1 && !inLoop(ts, calls[0]!, scope));
  // Per-run state declared one scope out (`let result; const fetchFn = async () => { … result … }`):
  // a function-level variable that only this named task touches, run one call at a time where we see it run.
  // Module-level state never qualifies.
  if (declaringFn && fnName && outside.length === 0 && !passed && callsFromScope && sequential) return true;
  if (escaped || calls.length === 0 || !callsFromScope) return false;

  // Sequential awaited calls: the declaring scope waits for each run, so it is the same task.
  if (calls.every((c) => isDirectlyAwaited(ts, c))) return true;
  // One unawaited run: the declaring scope may only touch the variable before starting it.
  const only = calls[0]!;
  return calls.length === 1 && !inLoop(ts, only, scope) && outside.every((r) => r.end <= only.pos);
}

function isExportedDeclaration(ts: TypeScript, decl: TS.Node): boolean {
  const stmt = ts.isVariableDeclaration(decl) ? decl.parent?.parent : decl;
  return !!stmt && ts.canHaveModifiers(stmt) && (ts.getModifiers(stmt) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

// Node's streams, and the web streams' underlying sources and sinks (whose pull/write/transform the Streams spec never
// calls again before the previous call's promise settles).
const STREAM_CLASSES = new Set(['Readable', 'Writable', 'Duplex', 'Transform', 'PassThrough', 'ReadableStream', 'WritableStream', 'TransformStream']);
const SERIAL_STREAM_METHODS = new Set(['read', 'write', 'writev', 'transform', 'flush', 'final', 'pull']);

/** `new Readable({ async read() { … } })`: a method Node never calls again before the previous call is done. */
function isSerialStreamMethod(ts: TypeScript, fn: TS.FunctionLikeDeclaration): boolean {
  let member: TS.Node = fn;
  if (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) {
    if (!ts.isPropertyAssignment(fn.parent)) return false;
    member = fn.parent;
  } else if (!ts.isMethodDeclaration(fn)) return false;
  const name = (member as TS.PropertyAssignment | TS.MethodDeclaration).name;
  if (!ts.isIdentifier(name) || !SERIAL_STREAM_METHODS.has(name.text)) return false;
  const options = member.parent;
  if (!ts.isObjectLiteralExpression(options) || !ts.isNewExpression(options.parent) || options.parent.arguments?.[0] !== options) return false;
  const ctor = options.parent.expression;
  const ctorName = ts.isIdentifier(ctor) ? ctor.text : ts.isPropertyAccessExpression(ctor) ? ctor.name.text : undefined;
  return ctorName !== undefined && STREAM_CLASSES.has(ctorName);
}

/** `(async () => {…})()`: the call, when `fn` is invoked where it is written. */
function iifeCall(ts: TypeScript, fn: TS.Node): TS.CallExpression | undefined {
  let p = fn.parent;
  let child: TS.Node = fn;
  while (p && ts.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  return p && ts.isCallExpression(p) && p.expression === child ? p : undefined;
}

/** The name a task function is called by: `async function f`, `const f = async () => …`. */
function taskName(ts: TypeScript, fn: TS.FunctionLikeDeclaration): TS.Identifier | undefined {
  if (ts.isFunctionDeclaration(fn)) {
    if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) return undefined;
    return fn.name;
  }
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)) {
    if (isExportedDeclaration(ts, fn.parent)) return undefined;
    return fn.parent.name;
  }
  return undefined;
}

function isDirectlyAwaited(ts: TypeScript, call: TS.CallExpression): boolean {
  let p = call.parent;
  while (p && ts.isParenthesizedExpression(p)) p = p.parent;
  return !!p && ts.isAwaitExpression(p);
}

function inLoop(ts: TypeScript, node: TS.Node, scope: TS.Node): boolean {
  for (let p = node.parent; p && p !== scope; p = p.parent) {
    if (ts.isIterationStatement(p, false)) return true;
  }
  return false;
}

