/**
 * check-then-act: a condition on shared state is checked, the task awaits
 * inside the guarded code, then acts as if the condition still held
 * (`if (!cache.has(k)) { const v = await load(k); cache.set(k, v) }`).
 * In a coroutine generator (`Effect.gen(function* …)`) a `yield*` is the
 * await. Not reported: the re-check idiom, a claim made before the first await
 * (caching the promise, `this.state = 'loading'`), state under a lock,
 * locals no other task can see.
 */
import type * as TS from 'typescript';
import { defineCheck } from './check.js';
import type { TypeScript } from './check.js';
import { forEachAsyncFunction, lockOptionsSchema } from './shared-state/analysis.js';
import { writesImportedModule } from './shared-state/module-load.js';
import { suspensionWord } from './shared-state/coroutines.js';
import { mayReach } from './shared-state/reach.js';
import { type ActEvent, exits, type WriteEvent } from './shared-state/events.js';
import { accessRoot, unwrap } from './shared-state/locations.js';
import { calleeSymbol, isDeclaredInPackage, unionParts } from './util/types.js';
import { enclosingFunction, isAssignmentOperator, isNullishLiteral, referencesIn } from './util/syntax.js';

export interface CheckThenActOptions {
  lockFunctions: string[];
  acquireMethods: string[];
}

export const checkThenAct = defineCheck<CheckThenActOptions>({
  id: 'check-then-act',
  messages: {
    staleCheck:
      '{{target}} is checked on line {{checkLine}}, then the task {{waits}} (line {{awaitLine}}) and acts on {{target}} as if the check still held: concurrent callers all pass the check before any of them acts (duplicate loads, double inserts). {{fix}}',
  },
  schema: {
    type: 'object',
    properties: lockOptionsSchema,
    additionalProperties: false,
  },
  defaultOptions: { lockFunctions: [], acquireMethods: [] },
  run(ctx) {
    const { ts, checker, sourceFile, options } = ctx;
    const line = (n: TS.Node) => String(sourceFile.getLineAndCharacterOfPosition(n.getStart(sourceFile)).line + 1);
    forEachAsyncFunction(ts, checker, sourceFile, options, ({ fn, flow, locks }) => {
      const reported = new Set<TS.Node>();
      for (const cond of flow.conditions) {
        // A test of what an awaited call answered (`res.status === 304` after `res = await get({ etag: this.etag })`) is no check of the state.
        const keys = new Set([...cond.deps].filter((r) => !r.viaAnswer).map((r) => r.key));
        if (keys.size === 0) continue;
        const regions = guardedRegions(ts, cond.statement);
        // One check is one hazard: its first stale act is reported, the others it guards are named with it.
        let finding: { node: TS.Node; data: Record<string, string>; related: { label: string; node: TS.Node }[] } | undefined;
        for (let i = cond.endOrder; i < flow.events.length; i++) {
          const act = flow.events[i]!;
          if ((act.kind !== 'write' && act.kind !== 'act') || !keys.has(act.key) || reported.has(act.node)) continue;
          if (!regions.some((r) => within(act.node, r))) continue;
          if (isRelease(ts, act)) continue;
          const awaits = flow
            .awaitsBetween(cond.endOrder - 1, act.order)
            .filter((a) => (within(a.node, cond.statement) || regions.some((r) => within(a.node, r))) && mayReach(ts, a.node, act.node));
          if (awaits.length === 0) continue;
          // Single flight (`promise ??= load(); value = await promise`): concurrent callers share one load.
          if (awaits.some((a) => a.sharedOperand)) continue;
          const first = awaits[0]!;
          const last = awaits[awaits.length - 1]!;
          // Claimed before waiting (`cache.set(k, load(k))`, `this.state = 'loading'`, or a guard flag the check
          // reads: `if (this.closing) return; this.closing = true; await …`): check and act were atomic.
          if ([...keys].some((k) => flow.writesBetween(k, cond.endOrder - 1, first.order))) continue;
          // Re-checked after the await: the act rests on a fresh check. The read of an arithmetic compound
          // (`this.balance -= amount`) decides nothing; that of `x ??= v` (also `||=`, `&&=`) is the re-check.
          const ownRead = act.kind === 'write' && !isLogicalAssignment(ts, act.node) ? act.target : undefined;
          if (flow.readsBetween(act.key, last.order, act.order, ownRead)) continue;
          if (locks.holds(act.node, cond.statement)) continue;
          if (oncePerObject(ts, checker, fn, act.kind === 'write' ? act.target : act.node.expression)) continue;
          if (act.kind === 'act' && keyedByLookup(ts, checker, fn, act.node)) continue;
          if (act.kind === 'act' && presenceStays(ts, checker, cond.statement, act.node)) continue;
          if (act.kind === 'write' && writesImportedModule(ts, checker, act.node, awaits.map((a) => a.node))) continue;
          reported.add(act.node);
          if (finding) {
            finding.related.push({ label: `also acts on ${act.text} here`, node: act.node });
            continue;
          }
          const target = act.text;
          finding = {
            node: act.node,
            data: { target, checkLine: line(cond.statement.expression), awaitLine: line(first.node), ...wording(suspensionWord(ts, first.node), target) },
            related: [
              { label: 'checked here', node: cond.statement.expression },
              { label: `the ${suspensionWord(ts, first.node)}`, node: first.node },
            ],
          };
        }
        if (finding) ctx.report({ messageId: 'staleCheck', ...finding });
      }
    });
  },
});

/**
 * `if (this.inflater) { await …; this.inflater.push(…) }` where the field is private and every write to it in its class
 * stores an object: once the check passed, no task can make it fail again, so the act on the field still finds it
 * (discord.js' zlib inflater, set on connect and never cleared).
 */
function presenceStays(ts: TypeScript, checker: TS.TypeChecker, check: TS.IfStatement, act: TS.CallExpression): boolean {
  const callee = unwrap(ts, act.expression);
  if (!ts.isPropertyAccessExpression(callee) || !within(act, check.thenStatement)) return false;
  const field = (e: TS.Expression): TS.Symbol | undefined => {
    const x = unwrap(ts, e);
    return ts.isPropertyAccessExpression(x) && x.expression.kind === ts.SyntaxKind.ThisKeyword ? checker.getSymbolAtLocation(x.name) : undefined;
  };
  const sym = field(callee.expression);
  let test = unwrap(ts, check.expression);
  // `this.f != null`, `this.f !== undefined`
  if (ts.isBinaryExpression(test) && [ts.SyntaxKind.ExclamationEqualsToken, ts.SyntaxKind.ExclamationEqualsEqualsToken].includes(test.operatorToken.kind) && isNullishLiteral(ts, test.right)) test = unwrap(ts, test.left);
  if (!sym || field(test) !== sym) return false;
  const decl = sym.valueDeclaration;
  if (!decl || !ts.isPropertyDeclaration(decl) || !ts.isClassLike(decl.parent)) return false;
  if (!ts.isPrivateIdentifier(decl.name) && !(ts.getCombinedModifierFlags(decl) & ts.ModifierFlags.Private)) return false;
  let cleared = false;
  const visit = (n: TS.Node): void => {
    if (cleared) return;
    if (ts.isDeleteExpression(n) && field(n.expression) === sym) cleared = true;
    else if (ts.isBinaryExpression(n) && isAssignmentOperator(ts, n.operatorToken.kind) && field(n.left) === sym) {
      const parts = unionParts(checker.getTypeAtLocation(n.right));
      if (n.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !parts.every((t) => (t.flags & (ts.TypeFlags.Object | ts.TypeFlags.NonPrimitive)) !== 0)) cleared = true;
    }
    ts.forEachChild(n, visit);
  };
  ts.forEachChild(decl.parent, visit);
  return !cleared;
}

/**
 * The state is a local of a factory that returns an object literal holding this async method, the factory runs where
 * it is written (`const m = run(() => { let result; return { create: async () => … } })`, or an IIFE) into a const
 * of a function, and that function calls the method once, awaited, outside loops and callbacks, and uses the const
 * only to call its methods: the object is made per call and the method runs at most once on it, so no concurrent
 * caller reaches the state (tRPC's per-request context manager).
 */
function oncePerObject(ts: TypeScript, checker: TS.TypeChecker, fn: TS.FunctionLikeDeclaration, target: TS.Expression): boolean {
  const root = accessRoot(ts, target);
  if (!ts.isIdentifier(root)) return false;
  const decl = checker.getSymbolAtLocation(root)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl)) return false;
  const factory = enclosingFunction(ts, decl);
  if (!factory || !within(fn, factory)) return false;
  // The method: `name: async (…) => …` (or a method) of the object literal the factory returns.
  const member = fn.parent;
  let name: string | undefined;
  let literal: TS.Node | undefined;
  if (ts.isPropertyAssignment(member) && member.initializer === fn && ts.isIdentifier(member.name)) [name, literal] = [member.name.text, member.parent];
  else if (ts.isMethodDeclaration(fn) && ts.isIdentifier(fn.name) && ts.isObjectLiteralExpression(fn.parent)) [name, literal] = [fn.name.text, fn.parent];
  if (!name || !literal || !ts.isObjectLiteralExpression(literal)) return false;
  const returned = literal.parent;
  const isResult =
    (ts.isReturnStatement(returned) && enclosingFunction(ts, returned) === factory) ||
    (ts.isArrowFunction(factory) && unwrap(ts, factory.body as TS.Expression) === literal);
  if (!isResult) return false;
  // The factory runs where it is written, into a const of some function.
  let call: TS.Node = factory;
  while (ts.isParenthesizedExpression(call.parent)) call = call.parent;
  const invocation = call.parent;
  if (!ts.isCallExpression(invocation) || !(invocation.expression === call || (invocation.arguments.length === 1 && invocation.arguments[0] === call))) return false;
  const holder = invocation.parent;
  if (!ts.isVariableDeclaration(holder) || !ts.isIdentifier(holder.name) || !(holder.parent.flags & ts.NodeFlags.Const)) return false;
  const holderName = holder.name;
  const owner = enclosingFunction(ts, holder);
  const symbol = checker.getSymbolAtLocation(holderName);
  if (!owner || !symbol || !checker.getTypeAtLocation(holderName).getProperty(name)) return false;
  // Every use is a method call on it; the method itself is called once, awaited, by the owner itself, not in a loop.
  let calls = 0;
  for (const n of referencesIn(ts, checker, owner, holderName)) {
    const access = n.parent;
    if (!ts.isPropertyAccessExpression(access) || access.expression !== n || !ts.isCallExpression(access.parent) || access.parent.expression !== access) return false;
    if (access.name.text !== name) continue;
    calls++;
    const awaited = ts.isAwaitExpression(access.parent.parent);
    let inLoop = false;
    for (let p: TS.Node = access.parent; p !== owner; p = p.parent) if (ts.isIterationStatement(p, false)) inLoop = true;
    if (!awaited || inLoop || enclosingFunction(ts, access) !== owner) return false;
  }
  return calls === 1;
}

/** effect's keyed caches: each runs one lookup per key at a time (concurrent gets of a key wait for that lookup). */
const KEYED_CACHES = new Set(['Cache', 'ScopedCache', 'RcMap']);

/**
 * The function is the lookup of an effect keyed cache (`Cache.make({ lookup })`, `Cache.makeWith(lookup, …)`,
 * `RcMap.make({ lookup })`, directly or through `Effect.fn…(function* (key) …)` or a const), and the act's first
 * argument derives from the lookup's key (`store.set(key, v)`, `ensured.add(digest(key))`): the cache runs one lookup
 * per key at a time, so no other fiber checks and acts on that entry meanwhile.
 */
function keyedByLookup(ts: TypeScript, checker: TS.TypeChecker, fn: TS.FunctionLikeDeclaration, act: TS.CallExpression): boolean {
  const key = fn.parameters[0];
  const first = act.arguments[0];
  if (!key || !ts.isIdentifier(key.name) || !first) return false;
  const keySymbol = checker.getSymbolAtLocation(key.name);
  if (!keySymbol || !derivesFrom(ts, checker, first, keySymbol, fn, 0)) return false;
  // Up through wrappers (`Effect.fnUntraced(gen)`, `Effect.fn('x')(gen)`) to where the lookup is handed over.
  let e: TS.Node = fn;
  for (let depth = 0; depth < 3; depth++) {
    let p = e.parent;
    while (ts.isParenthesizedExpression(p)) p = p.parent;
    if (ts.isCallExpression(p) && p.arguments.includes(e as TS.Expression)) {
      if (isKeyedCache(ts, checker, p)) return p.arguments[0] === e;
      e = p;
      continue;
    }
    if (ts.isPropertyAssignment(p) && ts.isIdentifier(p.name) && p.name.text === 'lookup') return handedAsLookup(ts, checker, p.parent);
    if (ts.isVariableDeclaration(p) && ts.isIdentifier(p.name)) {
      const symbol = checker.getSymbolAtLocation(p.name);
      const scope = p.getSourceFile();
      let found = false;
      const walk = (n: TS.Node): void => {
        if (found) return;
        if (ts.isShorthandPropertyAssignment(n) && n.name.text === 'lookup' && checker.getShorthandAssignmentValueSymbol(n) === symbol) found = handedAsLookup(ts, checker, n.parent);
        else if (ts.isPropertyAssignment(n) && ts.isIdentifier(n.name) && n.name.text === 'lookup' && ts.isIdentifier(n.initializer) && checker.getSymbolAtLocation(n.initializer) === symbol) found = handedAsLookup(ts, checker, n.parent);
        else if (ts.isCallExpression(n) && n.arguments[0] && ts.isIdentifier(n.arguments[0]) && checker.getSymbolAtLocation(n.arguments[0]) === symbol && isKeyedCache(ts, checker, n)) found = true;
        ts.forEachChild(n, walk);
      };
      walk(scope);
      return found;
    }
    return false;
  }
  return false;
}

function handedAsLookup(ts: TypeScript, checker: TS.TypeChecker, literal: TS.Node): boolean {
  const call = literal.parent;
  return ts.isObjectLiteralExpression(literal) && ts.isCallExpression(call) && call.arguments[0] === literal && isKeyedCache(ts, checker, call);
}

function isKeyedCache(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression): boolean {
  const callee = unwrap(ts, call.expression);
  if (!ts.isPropertyAccessExpression(callee) || (callee.name.text !== 'make' && callee.name.text !== 'makeWith')) return false;
  const ns = unwrap(ts, callee.expression);
  if (!ts.isIdentifier(ns) || !KEYED_CACHES.has(ns.text)) return false;
  return isDeclaredInPackage(ts, calleeSymbol(ts, checker, callee), ['effect']);
}

/** Whether an expression mentions the symbol, directly or through consts of the function initialised from it. */
function derivesFrom(ts: TypeScript, checker: TS.TypeChecker, expr: TS.Node, symbol: TS.Symbol, fn: TS.Node, depth: number): boolean {
  if (ts.isIdentifier(expr)) {
    const s = checker.getSymbolAtLocation(expr);
    if (s === symbol) return true;
    const decl = s?.valueDeclaration;
    if (depth < 3 && decl && ts.isVariableDeclaration(decl) && decl.initializer && within(decl, fn) && decl.parent.flags & ts.NodeFlags.Const) return derivesFrom(ts, checker, decl.initializer, symbol, fn, depth + 1);
    return false;
  }
  let found = false;
  ts.forEachChild(expr, (c) => {
    if (!found && derivesFrom(ts, checker, c, symbol, fn, depth)) found = true;
  });
  return found;
}

/** The words for an `await` in an async function, or a `yield*` in a coroutine generator. */
function wording(wait: string, target: string): { waits: string; fix: string } {
  if (wait === 'await') {
    return {
      waits: 'awaits',
      fix: `Cache the promise instead of the value before awaiting, re-check ${target} after the await, or take a lock around the check and the act.`,
    };
  }
  return {
    waits: `suspends at ${wait}`,
    fix: `Share one run instead of the value (a cached or memoised effect, a Deferred stored before the ${wait}), re-check ${target} after the ${wait}, or hold a semaphore permit around the check and the act.`,
  };
}

/** The code that runs only when the check passed: both branches, and what follows an early exit. */
function guardedRegions(ts: TypeScript, stmt: TS.IfStatement): TS.Node[] {
  const regions: TS.Node[] = [stmt.thenStatement];
  if (stmt.elseStatement) regions.push(stmt.elseStatement);
  const parent = stmt.parent;
  if ((ts.isBlock(parent) || ts.isSourceFile(parent)) && exits(ts, stmt.thenStatement)) {
    const rest = parent.statements.slice(parent.statements.indexOf(stmt) + 1);
    regions.push(...rest);
  }
  return regions;
}

/** Removing or resetting (`map.delete(k)`, `this.timer = undefined`, `this.running = false`) does not assume the check held. */
function isRelease(ts: TypeScript, act: WriteEvent | ActEvent): boolean {
  if (act.kind === 'act') {
    const callee = unwrap(ts, act.node.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    return name === 'delete' || name === 'clear';
  }
  const node = act.node;
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const value = unwrap(ts, node.right);
  return (
    value.kind === ts.SyntaxKind.NullKeyword ||
    value.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(value) && value.text === 'undefined') ||
    (ts.isNumericLiteral(value) && value.text === '0')
  );
}

function isLogicalAssignment(ts: TypeScript, node: TS.Node): boolean {
  if (!ts.isBinaryExpression(node)) return false;
  const op = node.operatorToken.kind;
  return op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.AmpersandAmpersandEqualsToken;
}

function within(node: TS.Node, region: TS.Node): boolean {
  return node.pos >= region.pos && node.end <= region.end;
}
