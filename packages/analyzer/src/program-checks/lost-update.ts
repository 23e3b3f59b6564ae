/**
 * lost-update, whole-program part: module state read and written through
 * accessor functions in another module. `getBalance()` returns a module-level
 * `let`, `setBalance(v)` assigns it; an async function reads through the
 * getter, awaits, and writes back through the setter a value derived from the
 * stale read. Another task may have written in between: its update is lost.
 * The per-file check sees reads and writes of the state itself; it cannot see
 * that these calls are reads and writes.
 *
 * Demand-driven: only async functions and coroutine generators
 * (`Effect.gen(function* …)`, where a `yield*` is the await) are walked, and
 * only the functions they call are asked whether they are accessors (memoised
 * per Program); in a generator only calls of a plain name or of a namespace
 * member (`store.setBalance(…)`), the shape of an accessor, are resolved.
 * Events are taken in source order within the function; a function that takes
 * a lock anywhere (`runExclusive`, `acquire`, a semaphore's `withPermits`) is
 * left alone, and so is a write after the state is read again following the
 * await (the re-check idiom).
 */
import type { ts } from 'ts-morph';
import { CallGraphQuery } from './call-graph.js';
import { functionName, isFunctionLike, nodeKey, resolveCallee, resolveSymbol, spanOf, type FunctionLike } from './functions.js';
import { defineProgramCheck, perProgram, reportsInAnalyzedFiles, type Span, type SummaryContext } from './program-check.js';

interface Location {
  key: string;
  label: string;
}

interface StaleWrite {
  site: Span;
  /** `await`, or `yield*`/`yield` in a coroutine generator. */
  wait: string;
  writer: string;
  target: string;
  read: Span;
  await: Span;
  assigned: Span;
}

export interface LostUpdateSummary {
  writes: StaleWrite[];
}

const MENTIONS_LOCK = /\b(?:runExclusive|acquire|withPermits?|withPermitsIfAvailable)\s*\(/;

function unwrap(t: typeof ts, e: ts.Expression): ts.Expression {
  while (t.isParenthesizedExpression(e) || t.isAsExpression(e) || t.isNonNullExpression(e) || t.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

class ProgramState {
  private readonly readers = new CallGraphQuery<FunctionLike, Location>((fn) => this.computeReader(fn));
  private readonly writers = new Map<FunctionLike, { loc: Location; params: Set<number>; site: Span } | null>();

  constructor(private readonly ctx: SummaryContext) {}

  /** A module-level `let`/`var` an expression denotes (`balance`, `state.count` rooted at a module `let`). */
  locationOf(expr: ts.Expression): Location | undefined {
    const t = this.ctx.ts;
    let e = unwrap(t, expr);
    while (t.isPropertyAccessExpression(e) || t.isElementAccessExpression(e)) e = unwrap(t, e.expression);
    if (!t.isIdentifier(e)) return undefined;
    const sym = resolveSymbol(this.ctx, e);
    const decl = sym?.valueDeclaration;
    if (!decl || !t.isVariableDeclaration(decl) || !t.isIdentifier(decl.name)) return undefined;
    const list = decl.parent;
    if (!t.isVariableDeclarationList(list) || list.flags & t.NodeFlags.Const) return undefined;
    if (!t.isVariableStatement(list.parent) || !t.isSourceFile(list.parent.parent)) return undefined;
    return { key: nodeKey(decl), label: decl.name.text };
  }

  /** The module state a function returns (`return balance`), directly or through another reader (a cycle is cut, see CallGraphQuery). */
  readerOf(fn: FunctionLike): Location | undefined {
    return this.readers.get(fn);
  }

  private computeReader(fn: FunctionLike): Location | undefined {
    const t = this.ctx.ts;
    let found: Location | undefined;
    const fromExpr = (e: ts.Expression) => {
      const x = unwrap(t, e);
      if (t.isCallExpression(x)) {
        const inner = resolveCallee(this.ctx, x.expression);
        return inner ? this.readerOf(inner) : undefined;
      }
      return this.locationOf(x);
    };
    if (fn.body && !t.isBlock(fn.body)) found = fromExpr(fn.body);
    else if (fn.body) {
      const visit = (n: ts.Node): void => {
        if (found || isFunctionLike(t, n)) return;
        if (t.isReturnStatement(n) && n.expression) found = fromExpr(n.expression);
        else t.forEachChild(n, visit);
      };
      visit(fn.body);
    }
    return found;
  }

  /** The module state a function assigns from its parameters (`balance = v`), and which parameters feed it. */
  writerOf(fn: FunctionLike): { loc: Location; params: Set<number>; site: Span } | undefined {
    if (this.writers.has(fn)) return this.writers.get(fn) ?? undefined;
    this.writers.set(fn, null);
    const t = this.ctx.ts;
    const names = new Map<string, number>();
    fn.parameters.forEach((p, i) => {
      if (t.isIdentifier(p.name)) names.set(p.name.text, i);
    });
    let found: { loc: Location; params: Set<number>; site: Span } | undefined;
    const paramsIn = (e: ts.Node): Set<number> => {
      const out = new Set<number>();
      const visit = (n: ts.Node): void => {
        if (t.isIdentifier(n) && names.has(n.text)) out.add(names.get(n.text)!);
        t.forEachChild(n, visit);
      };
      visit(e);
      return out;
    };
    if (fn.body && names.size > 0) {
      const visit = (n: ts.Node): void => {
        if (found || isFunctionLike(t, n)) return;
        if (t.isBinaryExpression(n) && n.operatorToken.kind >= t.SyntaxKind.FirstAssignment && n.operatorToken.kind <= t.SyntaxKind.LastAssignment) {
          const loc = this.locationOf(n.left);
          const params = paramsIn(n.right);
          if (loc && params.size > 0) found = { loc, params, site: spanOf(fn.getSourceFile(), n) };
        }
        if (!found) t.forEachChild(n, visit);
      };
      visit(fn.body);
    }
    this.writers.set(fn, found ?? null);
    return found;
  }
}

const programState = perProgram((ctx) => new ProgramState(ctx));

/**
 * Whether the function takes a lock, or runs inside another function's critical section (a runExclusive
 * callback), or, for a coroutine, whether its runner call mentions a permit (`Effect.fn(function* …, sem.withPermits(1))`).
 */
function mayHoldLock(t: typeof ts, sf: ts.SourceFile, fn: FunctionLike): boolean {
  for (let n: ts.Node | undefined = fn; n && !t.isSourceFile(n); n = n.parent) {
    if (isFunctionLike(t, n) && n.body && MENTIONS_LOCK.test(n.body.getText(sf))) return true;
    if (n === fn.parent && t.isCallExpression(n) && isCoroutine(t, fn) && MENTIONS_LOCK.test(n.getText(sf))) return true;
  }
  return false;
}

interface Taint {
  loc: Location;
  read: ts.Node;
}

/**
 * A generator function handed to a call as an argument (`Effect.gen(function* …)`): a coroutine whose
 * yields suspend it. Same rule as the per-file checks (packages/checks/src/shared-state/coroutines.ts).
 */
function isCoroutine(t: typeof ts, fn: FunctionLike): boolean {
  if (!t.isFunctionExpression(fn) || !fn.asteriskToken || fn.modifiers?.some((m) => m.kind === t.SyntaxKind.AsyncKeyword)) return false;
  let child: ts.Node = fn;
  let p = fn.parent;
  while (t.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  return t.isCallExpression(p) && p.arguments.some((a) => a === child);
}

/** `f(…)` or `ns.f(…)` on a namespace import: what an accessor call looks like, resolved without typing an object. */
function isAccessorShapedCallee(ctx: SummaryContext, callee: ts.Expression): boolean {
  const t = ctx.ts;
  const e = unwrap(t, callee);
  if (t.isIdentifier(e)) return true;
  if (!t.isPropertyAccessExpression(e) || !t.isIdentifier(e.expression)) return false;
  const sym = ctx.checker.getSymbolAtLocation(e.expression);
  return !!sym && !!sym.declarations?.some((d) => t.isNamespaceImport(d));
}

function summarizeAsync(ctx: SummaryContext, state: ProgramState, fn: FunctionLike, out: StaleWrite[], coroutine = false): void {
  const t = ctx.ts;
  const sf = ctx.sourceFile;
  if (!fn.body || mayHoldLock(t, sf, fn)) return;
  // In a coroutine a yield is the await; and only accessor-shaped calls are resolved there (Effect code calls
  // `self.pipe(…)` on every line, whose resolution would type the receiver).
  const isWait = (n: ts.Node): boolean => t.isAwaitExpression(n) || (coroutine && t.isYieldExpression(n));
  const calleeOf = (n: ts.CallExpression): FunctionLike | undefined =>
    coroutine && !isAccessorShapedCallee(ctx, n.expression) ? undefined : resolveCallee(ctx, n.expression);
  const awaits: ts.Node[] = [];
  const reads: { loc: Location; node: ts.Node }[] = [];
  // Locals bound to a read of module state: symbol -> the read.
  const tainted = new Map<ts.Symbol, Taint>();
  const taintedNames = new Set<string>();
  const readIn = (e: ts.Node): { loc: Location; node: ts.Node }[] => {
    const found: { loc: Location; node: ts.Node }[] = [];
    const visit = (n: ts.Node): void => {
      if (isFunctionLike(t, n)) return;
      if (t.isCallExpression(n)) {
        const callee = calleeOf(n);
        const loc = callee && state.readerOf(callee);
        if (loc) found.push({ loc, node: n });
      } else if (t.isIdentifier(n) && taintedNames.has(n.text) && !(t.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
        const sym = resolveSymbol(ctx, n);
        const taint = sym && tainted.get(sym);
        if (taint) found.push({ loc: taint.loc, node: taint.read });
      }
      t.forEachChild(n, visit);
    };
    visit(e);
    return found;
  };
  const visit = (n: ts.Node): void => {
    if (isFunctionLike(t, n)) return;
    if (t.isVariableDeclaration(n) && t.isIdentifier(n.name) && n.initializer) {
      visit(n.initializer);
      const r = readIn(n.initializer);
      const sym = r.length > 0 ? ctx.checker.getSymbolAtLocation(n.name) : undefined;
      if (sym) {
        tainted.set(sym, { loc: r[0]!.loc, read: r[0]!.node });
        taintedNames.add(n.name.text);
      }
      return;
    }
    if (isWait(n)) {
      t.forEachChild(n, visit);
      awaits.push(n);
      return;
    }
    if (t.isCallExpression(n)) {
      const callee = calleeOf(n);
      const writer = callee && state.writerOf(callee);
      if (callee && writer) {
        const start = n.getStart(sf);
        for (const i of writer.params) {
          const arg = n.arguments[i];
          if (!arg) continue;
          for (const r of readIn(arg)) {
            if (r.loc.key !== writer.loc.key) continue;
            const readAt = r.node.getStart(sf);
            // The first await after the read and before the write (awaits inside the argument count too).
            const inArgAwaits: ts.Node[] = [];
            const collect = (x: ts.Node): void => {
              if (isFunctionLike(t, x)) return;
              if (isWait(x)) inArgAwaits.push(x);
              t.forEachChild(x, collect);
            };
            collect(arg);
            const between = [...awaits, ...inArgAwaits].filter((a) => a.getStart(sf) > readAt && a.getStart(sf) < n.getEnd()).sort((a, b) => a.getStart(sf) - b.getStart(sf));
            if (between.length === 0) continue;
            const lastAwait = between[between.length - 1]!;
            // Re-read after the await: the re-check idiom.
            const reread = reads.some((x) => x.loc.key === writer.loc.key && x.node.getStart(sf) > lastAwait.getStart(sf) && x.node.getStart(sf) < start);
            if (reread) continue;
            out.push({
              site: spanOf(sf, n),
              wait: t.isYieldExpression(between[0]!) ? (between[0]!.asteriskToken ? 'yield*' : 'yield') : 'await',
              writer: functionName(t, callee),
              target: writer.loc.label,
              read: spanOf(sf, r.node),
              await: spanOf(sf, between[0]!),
              assigned: writer.site,
            });
            return;
          }
        }
      }
      if (callee) {
        const loc = state.readerOf(callee);
        if (loc) reads.push({ loc, node: n });
      }
    }
    t.forEachChild(n, visit);
  };
  visit(fn.body);
}

export const lostUpdateThroughAccessors = defineProgramCheck<LostUpdateSummary>({
  id: 'lost-update',
  messages: {
    staleWrite:
      '{{writer}} writes {{target}} from a value read before the {{wait}} on line {{awaitLine}}: another task may change {{target}} while this one waits, and that update is lost. Read it after the {{wait}}, or hold a lock over the read, the {{wait}} and the write.',
  },

  summarize(ctx) {
    const t = ctx.ts;
    const text = ctx.sourceFile.text;
    if (!text.includes('await') && !text.includes('yield')) return undefined;
    const state = programState(ctx);
    const writes: StaleWrite[] = [];
    const visit = (n: ts.Node): void => {
      if (isFunctionLike(t, n) && n.body) {
        if (n.modifiers?.some((m) => m.kind === t.SyntaxKind.AsyncKeyword)) summarizeAsync(ctx, state, n, writes);
        else if (isCoroutine(t, n)) summarizeAsync(ctx, state, n, writes, true);
      }
      t.forEachChild(n, visit);
    };
    visit(ctx.sourceFile);
    return writes.length > 0 ? { writes } : undefined;
  },

  conclude(summaries, ctx) {
    return reportsInAnalyzedFiles(summaries, ctx, (s) => s.writes, (w) => ({
      messageId: 'staleWrite',
      data: { writer: w.writer, target: w.target, awaitLine: String(w.await.line), wait: w.wait },
      location: w.site,
      related: [
        { label: `${w.target} read here`, location: w.read },
        { label: 'the task waits here', location: w.await },
        { label: `${w.writer} assigns ${w.target} here`, location: w.assigned },
      ],
    }));
  },
});
