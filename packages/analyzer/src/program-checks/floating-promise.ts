/**
 * floating-promise, whole-program part: a call dropped in statement position
 * whose type says it returns nothing (`void`, `any`, `unknown`), but whose
 * implementation, in another file or through other helpers, returns a promise
 * it did not await: an arrow returning `persist(id)` stored as a
 * `(id: string) => void`, an async function assigned to a void callback type,
 * a function declared `: any` that returns a call's promise. The per-file check
 * goes by the call's type and cannot see these; a call it reports has a
 * promise type and is skipped here.
 *
 * A promise that cannot lose a rejection (it cannot reject, or it has a handler
 * attached: the engine's per-function summaries, read across the whole program)
 * is not reported; "promise" means the native Promise, the per-file check's
 * default (`checkThenables: false`; program checks take no options).
 *
 * Demand-driven: only statement calls that resolve to a project function with
 * a body are looked at, and whether an implementation returns a promise is
 * memoised per Program. The summary of a file is the list of calls to report.
 */
import type { ts } from 'ts-morph';
import { isPromiseType, rejectionsFor, type Rejections, type TypeScript } from '@asyncsan/checks';
import { CallGraphQuery } from './call-graph.js';
import { functionName, isFunctionLike, resolveCallee, spanOf, type FunctionLike } from './functions.js';
import { defineProgramCheck, perProgram, reportsInAnalyzedFiles, type Span, type SummaryContext } from './program-check.js';

interface DroppedCall {
  site: Span;
  callee: string;
  declared: string;
  /** Where the unawaited promise is returned (or the `async` keyword that makes one). */
  returned: Span;
  returnedLabel: string;
}

export interface FloatingSummary {
  calls: DroppedCall[];
}

function unwrap(t: typeof ts, e: ts.Expression): ts.Expression {
  while (t.isParenthesizedExpression(e) || t.isAsExpression(e) || t.isNonNullExpression(e) || t.isSatisfiesExpression(e)) e = e.expression;
  return e;
}

/** `p.catch(h)` or `p.then(a, b)`: the rejection is handled where the promise is made. */
function isHandled(t: typeof ts, e: ts.Expression): boolean {
  if (!t.isCallExpression(e) || !t.isPropertyAccessExpression(e.expression)) return false;
  const name = e.expression.name.text;
  return (name === 'catch' && e.arguments.length > 0) || (name === 'then' && e.arguments.length > 1);
}

/**
 * A returned promise: where to show it, and whether dropping it loses no rejection.
 * Both are asked lazily: the summaries are read only for a call whose type hides the promise.
 */
interface Returned {
  node(): ts.Node;
  safe(): boolean;
}

function once<T>(f: () => T): () => T {
  let done = false;
  let value: T;
  return () => {
    if (!done) {
      value = f();
      done = true;
    }
    return value;
  };
}

/** Several returns: safe when every one is; shown at the first that is not (or the first). */
function combine(all: Returned[]): Returned {
  const safe = once(() => all.every((r) => r.safe()));
  return { safe, node: once(() => (all.find((r) => !r.safe()) ?? all[0]!).node()) };
}

class ProgramPromises {
  private readonly returns = new CallGraphQuery<FunctionLike, Returned>((fn) => this.computeReturned(fn));
  private readonly rejections: Rejections;

  constructor(private readonly ctx: SummaryContext) {
    // The same summaries the per-file checks use on this Program (shared memo).
    const program = ctx.program as unknown as Parameters<typeof rejectionsFor>[1];
    this.rejections = rejectionsFor(ctx.ts as unknown as TypeScript, program);
  }

  private isPromise(type: ts.Type): boolean {
    const program = this.ctx.program as unknown as Parameters<typeof isPromiseType>[1];
    return isPromiseType(this.ctx.ts as unknown as TypeScript, program, type as unknown as Parameters<typeof isPromiseType>[2]);
  }

  /** The unawaited, unhandled promise `fn` returns, if it does (through calls: a cycle is cut, see CallGraphQuery). */
  returned(fn: FunctionLike): Returned | undefined {
    return this.returns.get(fn);
  }

  private computeReturned(fn: FunctionLike): Returned | undefined {
    const t = this.ctx.ts;
    let found: Returned | undefined;
    const asyncKeyword = fn.modifiers?.find((m) => m.kind === t.SyntaxKind.AsyncKeyword);
    if (asyncKeyword) found = { node: () => asyncKeyword, safe: once(() => this.rejections.asyncFunctionNeverRejects(fn as never)) };
    else if (fn.body && !t.isBlock(fn.body)) found = this.promiseIn(fn.body);
    else if (fn.body) {
      // Every return must hand back a promise: a function that returns one only on some paths
      // (`if (async) return Promise.resolve(r); return r;`) is typed loosely on purpose.
      let all = true;
      const returns: Returned[] = [];
      const visit = (n: ts.Node): void => {
        if (!all || isFunctionLike(t, n)) return;
        if (t.isReturnStatement(n)) {
          const p = n.expression && this.promiseIn(n.expression);
          if (!p) all = false;
          else returns.push(p);
        } else t.forEachChild(n, visit);
      };
      visit(fn.body);
      if (all && returns.length > 0) found = combine(returns);
    }
    return found;
  }

  private promiseIn(expr: ts.Expression): Returned | undefined {
    const t = this.ctx.ts;
    const e = unwrap(t, expr);
    if (t.isAwaitExpression(e) || t.isVoidExpression(e) || isHandled(t, e)) return undefined;
    // Only a promise this call creates: one read from a property (`return command.promise`) is a shared
    // promise (the engine's rule: a property some function returns to its callers, here this one), observed
    // by whoever received it first; handing it out again drops nothing new.
    if (!this.isFresh(e)) return undefined;
    if (t.isCallExpression(e) || t.isNewExpression(e) || t.isIdentifier(e)) {
      if (this.isPromise(this.ctx.checker.getTypeAtLocation(e))) return { node: () => e, safe: once(() => this.rejections.safeToDrop(e as never)) };
      // One more hop: a helper whose own type hides the promise.
      if (t.isCallExpression(e)) {
        const inner = resolveCallee(this.ctx, e.expression);
        const r = inner && this.returned(inner);
        if (r) return { node: () => e, safe: r.safe };
      }
    }
    return undefined;
  }

  /** A call or `new`, or a const holding one. */
  private isFresh(e: ts.Expression): boolean {
    const t = this.ctx.ts;
    if (t.isCallExpression(e) || t.isNewExpression(e)) return true;
    if (!t.isIdentifier(e)) return false;
    const decl = this.ctx.checker.getSymbolAtLocation(e)?.valueDeclaration;
    if (!decl || !t.isVariableDeclaration(decl) || !decl.initializer || !(t.getCombinedNodeFlags(decl) & t.NodeFlags.Const)) return false;
    const init = unwrap(t, decl.initializer);
    return t.isCallExpression(init) || t.isNewExpression(init);
  }

  /** What the caller sees: the call's return type, when it does not look like a promise at all. */
  hiddenAs(call: ts.CallExpression): string | undefined {
    const { checker, ts: t } = this.ctx;
    const type = checker.getResolvedSignature(call)?.getReturnType();
    if (!type) return undefined;
    if (type.flags & t.TypeFlags.Void) return 'void';
    if (type.flags & t.TypeFlags.Any) return 'any';
    if (type.flags & t.TypeFlags.Unknown) return 'unknown';
    if (type.flags & t.TypeFlags.Undefined) return 'undefined';
    return undefined;
  }
}

const programPromises = perProgram((ctx) => new ProgramPromises(ctx));

export const floatingPromiseThroughCalls = defineProgramCheck<FloatingSummary>({
  id: 'floating-promise',
  messages: {
    dropped:
      '{{callee}} returns a promise that its type ({{declared}}) hides, and this call drops it: a rejection goes unhandled and the caller runs on before the work is done',
  },

  summarize(ctx) {
    const t = ctx.ts;
    const program = programPromises(ctx);
    const calls: DroppedCall[] = [];
    const visit = (node: ts.Node): void => {
      if (t.isExpressionStatement(node)) {
        const e = unwrap(t, node.expression);
        if (t.isCallExpression(e)) {
          const fn = resolveCallee(ctx, e.expression);
          const promise = fn && program.returned(fn);
          const declared = promise && program.hiddenAs(e);
          // The summaries last: only for a call whose type hides the promise.
          if (fn && promise && declared && !promise.safe()) {
            const returned = promise.node();
            calls.push({
              site: spanOf(ctx.sourceFile, e),
              callee: functionName(t, fn),
              declared,
              returned: spanOf(returned.getSourceFile(), returned),
              returnedLabel: returned.kind === t.SyntaxKind.AsyncKeyword ? 'an async function: it returns a promise' : 'the unawaited promise is returned here',
            });
          }
        }
      }
      t.forEachChild(node, visit);
    };
    visit(ctx.sourceFile);
    return calls.length > 0 ? { calls } : undefined;
  },

  conclude(summaries, ctx) {
    return reportsInAnalyzedFiles(summaries, ctx, (s) => s.calls, (c) => ({
      messageId: 'dropped',
      data: { callee: c.callee, declared: c.declared },
      location: c.site,
      related: [{ label: c.returnedLabel, location: c.returned }],
    }));
  },
});
