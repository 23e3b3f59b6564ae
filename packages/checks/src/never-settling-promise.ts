/**
 * never-settling-promise: a `new Promise` executor with a code path that
 * neither resolves, rejects nor throws. Paths are followed through if/else,
 * switch, try and early returns, and into single-shot callbacks that the
 * executor hands resolve/reject to (error-first callbacks, once, timers, then).
 * Callbacks that may run many times (`on('data')`) are trusted.
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext } from './check.js';
import { indexFile } from './util/file-index.js';
import { rejectionsFor } from './util/rejection.js';
import { calleeName, isAssignmentOperator, isFunctionLike, isInside, isNullishLiteral, parentSkippingParens, skipParens } from './util/syntax.js';
import { leftToTheRuntime } from './util/test-files.js';
import { isImportedFrom } from './util/types.js';

type Ctx = CheckContext<Record<string, never>>;

interface Flow {
  /** The path reaches the end of the statement. */
  reaches: boolean;
  /** On every path that reaches the end, resolve or reject was called. */
  settled: boolean;
}

const SINGLE_SHOT_CALLEES = new Set(['once', 'setTimeout', 'setImmediate', 'queueMicrotask', 'nextTick', 'then', 'catch', 'finally']);

export const neverSettlingPromise = defineCheck<Record<string, never>>({
  id: 'never-settling-promise',
  messages: {
    noSettle:
      'This Promise executor has a path that neither resolves, rejects nor throws: whoever awaits the promise on that path hangs forever.',
    returnWithoutSettling:
      'This return leaves the promise pending: nothing resolves or rejects it on this path, so whoever awaits it hangs forever. Call resolve or reject before returning.',
    rejectionNotForwarded:
      'This promise chain settles the outer promise only when it fulfils: if it rejects, nothing calls reject and whoever awaits the outer promise hangs. Add .catch(reject), or return the chain instead of wrapping it in new Promise.',
    callbackNoSettle:
      'A path through this callback neither resolves nor rejects the promise (an error branch?): whoever awaits it hangs forever.',
  },
  schema: { type: 'object', properties: {}, additionalProperties: false },
  defaultOptions: {},
  run(ctx) {
    const { ts } = ctx;
    if (leftToTheRuntime(ctx.program, ctx.sourceFile)) return;
    for (const expr of indexFile(ts, ctx.sourceFile).news) {
      if (!ts.isIdentifier(expr.expression) || expr.expression.text !== 'Promise') continue;
      const executor = expr.arguments?.[0];
      if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor))) continue;
      const names = settlerNames(ts, executor);
      if (!names) continue;
      const bail = retryBail(ts, ctx.checker, expr);
      if (bail) names.add(bail);
      new ExecutorAnalysis(ctx, names).run(expr, executor);
    }
  },
});

/** The names the executor binds resolve and reject to; undefined when they are destructured or renamed away. */
function settlerNames(ts: Ctx['ts'], fn: TS.ArrowFunction | TS.FunctionExpression): Set<string> | undefined {
  const names = new Set<string>();
  for (const p of fn.parameters.slice(0, 2)) {
    if (!ts.isIdentifier(p.name)) return undefined;
    names.add(p.name.text);
  }
  return names;
}

/**
 * async-retry's `bail`: the attempt function's first parameter, which rejects the retry's own promise (the one its
 * callers await). An attempt's `new Promise` that calls `bail(err)` instead of settling is abandoned, not stuck
 * (nodejs-storage's `save()`). The name is taken when the promise is made in a function passed to async-retry.
 */
function retryBail(ts: Ctx['ts'], checker: TS.TypeChecker, expr: TS.NewExpression): string | undefined {
  for (let p: TS.Node | undefined = expr.parent; p; p = p.parent) {
    if (!isFunctionLike(ts, p)) continue;
    const call: TS.Node | undefined = parentSkippingParens(ts, p);
    const first = (p as TS.FunctionLikeDeclaration).parameters[0];
    const arg = call && ts.isCallExpression(call) ? call.arguments[0] : undefined;
    if (first && ts.isIdentifier(first.name) && arg && skipParens(ts, arg) === p && isAsyncRetry(ts, checker, (call as TS.CallExpression).expression)) {
      return first.name.text;
    }
  }
  return undefined;
}

const ASYNC_RETRY = new Set(['async-retry']);

/** The callee is async-retry's default export (by the import's specifier, or its declaration's package). */
function isAsyncRetry(ts: Ctx['ts'], checker: TS.TypeChecker, callee: TS.Expression): boolean {
  const e = skipParens(ts, callee);
  return ts.isIdentifier(e) && isImportedFrom(ts, checker, e, ASYNC_RETRY);
}

class ExecutorAnalysis {
  constructor(
    private readonly ctx: Ctx,
    private readonly names: Set<string>,
  ) {}

  private executor: TS.ArrowFunction | TS.FunctionExpression | undefined;

  run(expr: TS.NewExpression, executor: TS.ArrowFunction | TS.FunctionExpression): void {
    const ts = this.ctx.ts;
    // An executor that takes no resolve/reject (`new Promise(() => {})`, `new Promise<never>(() => undefined)`)
    // cannot settle and says so: the explicit "never settles" idiom (a sentinel raced against others, a
    // request left pending during teardown). Deliberate, not a forgotten path.
    if (executor.parameters.length === 0) return;
    this.executor = executor;
    // A settler stored or handed out beyond our view (deferred pattern): trust it.
    if (this.escapes(executor.body)) return;
    const flow = ts.isBlock(executor.body) ? this.block(executor.body.statements, false) : this.expressionFlow(executor.body, false);
    if (flow.reaches && !flow.settled) this.ctx.report({ node: expr, messageId: 'noSettle' });
  }

  /**
   * A condition on a flag of the executor's own that every `flag = true` sets beside a call of resolve or reject: `true`
   * when the condition holds only once the promise has settled (`if (expired) return;` in a callback that comes late,
   * after the timeout that set `expired` rejected: ably's authCallback), `false` when it fails only then
   * (`if (!reported) { reported = true; reject(e) }` with no else: grpc-js' session error and close handlers).
   */
  private settledWhen(cond: TS.Expression): boolean | undefined {
    const ts = this.ctx.ts;
    const c = skipParens(ts, cond);
    const negated = ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken;
    const flag = negated ? skipParens(ts, (c as TS.PrefixUnaryExpression).operand) : c;
    if (ts.isIdentifier(flag)) {
      if (this.setOnlyWhenSettling(flag)) return !negated;
      // `if (!timer) return;` in the timer's own callback: the handle is cleared only where the promise settles.
      return this.handleClearedOnlyWhenSettling(flag, cond) ? negated : undefined;
    }
    // `if (timer == null) return;`, `timer === undefined`
    if (ts.isBinaryExpression(c) && (c.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken || c.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken)) {
      const l = skipParens(ts, c.left);
      const r = skipParens(ts, c.right);
      const handle = isNullishLiteral(ts, r) ? l : isNullishLiteral(ts, l) ? r : undefined;
      if (handle && ts.isIdentifier(handle) && this.handleClearedOnlyWhenSettling(handle, cond)) return true;
    }
    // `if (!cleanup()) return;`, `if (cleanup()) reject(e)`: a guard that returns false only once an earlier call
    // returned true, whose caller then settled (that path is checked where it is): false means settled.
    if (ts.isCallExpression(flag) && flag.arguments.length === 0 && ts.isIdentifier(flag.expression) && this.isOnceGuard(flag.expression)) return negated;
    return undefined;
  }

  /**
   * A function of the executor's own that starts with `if (flag) return false;`, returns `true` everywhere else, and is
   * the only place that sets the executor's `flag` (to `true`): it returns true once, on its first call (the OpenAI
   * SDK's audio recorder: `const cleanup = () => { if (settled) return false; settled = true; …; return true; }`).
   */
  private isOnceGuard(name: TS.Identifier): boolean {
    const ts = this.ctx.ts;
    const fn = this.executorFunction(name);
    if (!this.executor || !fn?.body || !ts.isBlock(fn.body)) return false;
    const [first, ...rest] = fn.body.statements;
    const last = rest[rest.length - 1];
    if (!first || !ts.isIfStatement(first) || first.elseStatement || !last || !returnsLiteral(ts, last, ts.SyntaxKind.TrueKeyword)) return false;
    const then = ts.isBlock(first.thenStatement) && first.thenStatement.statements.length === 1 ? first.thenStatement.statements[0]! : first.thenStatement;
    const flag = skipParens(ts, first.expression);
    if (!ts.isIdentifier(flag) || !returnsLiteral(ts, then, ts.SyntaxKind.FalseKeyword)) return false;
    const flagDecl = this.ctx.checker.getSymbolAtLocation(flag)?.valueDeclaration;
    if (!flagDecl || !ts.isVariableDeclaration(flagDecl) || !isInside(flagDecl, this.executor.body)) return false;
    if (flagDecl.initializer?.kind !== ts.SyntaxKind.FalseKeyword) return false;
    let ok = true;
    let sets = 0;
    const visit = (n: TS.Node, inGuard: boolean): void => {
      if (!ok) return;
      if (inGuard && n !== fn && isFunctionLike(ts, n)) return visit2(n);
      if (inGuard && ts.isReturnStatement(n) && n !== then && !returnsLiteral(ts, n, ts.SyntaxKind.TrueKeyword)) ok = false;
      if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && n.left.text === flag.text && isAssignmentOperator(ts, n.operatorToken.kind)) {
        if (inGuard && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && n.right.kind === ts.SyntaxKind.TrueKeyword) sets++;
        else ok = false;
      }
      ts.forEachChild(n, (x) => visit(x, inGuard || x === fn));
    };
    // Nested functions inside the guard: their returns are theirs, but an assignment there is not the guard's own.
    const visit2 = (n: TS.Node): void => {
      if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && n.left.text === flag.text && isAssignmentOperator(ts, n.operatorToken.kind)) ok = false;
      ts.forEachChild(n, visit2);
    };
    visit(this.executor.body, false);
    return ok && sets > 0;
  }

  /**
   * `timer`, read in the callback of the `setTimeout` its value comes from (so it was assigned before), is a variable of
   * the executor's own that only settling code sets to null or undefined (ethers' waitForTransaction: the receipt
   * listener resolves, then `clearTimeout(timer); timer = null`; the timer's callback checks `if (timer == null) return`
   * before it rejects). Every other write stores a new timer.
   */
  private handleClearedOnlyWhenSettling(handle: TS.Identifier, cond: TS.Expression): boolean {
    const ts = this.ctx.ts;
    if (!this.executor) return false;
    const decl = this.ctx.checker.getSymbolAtLocation(handle)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !isInside(decl, this.executor.body)) return false;
    let inOwnCallback = false;
    let ok = true;
    let cleared = 0;
    const visit = (n: TS.Node): void => {
      if (!ok) return;
      if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && n.left.text === handle.text && isAssignmentOperator(ts, n.operatorToken.kind)) {
        const value = skipParens(ts, n.right);
        if (n.operatorToken.kind !== ts.SyntaxKind.EqualsToken) ok = false;
        else if (isNullishLiteral(ts, value)) {
          if (this.settledBefore(n)) cleared++;
          else ok = false;
        } else if (ts.isCallExpression(value) && calleeName(ts, value) === 'setTimeout') {
          const callback = value.arguments[0] && skipParens(ts, value.arguments[0]);
          if (callback && isInside(cond, callback)) inOwnCallback = true;
        } else ok = false;
      }
      ts.forEachChild(n, visit);
    };
    visit(this.executor.body);
    return ok && inOwnCallback && cleared > 0;
  }

  /**
   * A statement calling resolve or reject sits beside the assignment (as for setOnlyWhenSettling's flags), or runs
   * before it in a block around it within its function (`resolve(receipt); if (timer) { clearTimeout(timer); timer = null; }`).
   */
  private settledBefore(assignment: TS.Node): boolean {
    const ts = this.ctx.ts;
    let child: TS.Node = assignment;
    for (let n = assignment.parent; n && !isFunctionLike(ts, n); child = n, n = n.parent) {
      if (!ts.isBlock(n)) continue;
      const index = n.statements.indexOf(child as TS.Statement);
      const own = ts.isExpressionStatement(assignment.parent) && child === assignment.parent;
      const settles = (own ? n.statements : n.statements.slice(0, index)).some((st) => this.isSettleStatement(st));
      if (settles) return true;
    }
    return false;
  }

  /** `resolve(…);` or `reject(…);` as a statement. */
  private isSettleStatement(st: TS.Statement): boolean {
    const ts = this.ctx.ts;
    return ts.isExpressionStatement(st) && ts.isCallExpression(st.expression) && ts.isIdentifier(st.expression.expression) && this.names.has(st.expression.expression.text);
  }

  private setOnlyWhenSettling(flag: TS.Identifier): boolean {
    const ts = this.ctx.ts;
    if (!this.executor) return false;
    // The flag is the executor's own: nothing outside it can set it without settling.
    const decl = this.ctx.checker.getSymbolAtLocation(flag)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !isInside(decl, this.executor.body)) return false;
    let sets = 0;
    let ok = true;
    const visit = (n: TS.Node): void => {
      if (!ok) return;
      if (ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && n.left.text === flag.text && isAssignmentOperator(ts, n.operatorToken.kind)) {
        const block = n.parent.parent;
        const settles =
          n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
          n.right.kind === ts.SyntaxKind.TrueKeyword &&
          ts.isExpressionStatement(n.parent) &&
          !!block &&
          ts.isBlock(block) &&
          block.statements.some((st) => this.isSettleStatement(st));
        if (settles) sets++;
        else ok = false;
      }
      ts.forEachChild(n, visit);
    };
    visit(this.executor.body);
    return ok && sets > 0;
  }

  /** resolve/reject assigned somewhere, put in an object or array, or returned. */
  private escapes(body: TS.Node): boolean {
    const ts = this.ctx.ts;
    let found = false;
    const visit = (n: TS.Node): void => {
      if (found) return;
      if (ts.isIdentifier(n) && this.names.has(n.text)) {
        const p = n.parent;
        if (
          (ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) ||
          (ts.isVariableDeclaration(p) && p.initializer === n) ||
          ts.isPropertyAssignment(p) ||
          ts.isShorthandPropertyAssignment(p) ||
          ts.isArrayLiteralExpression(p) ||
          (ts.isReturnStatement(p) && p.expression === n)
        )
          found = true;
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
    return found;
  }

  private block(statements: readonly TS.Statement[], settledIn: boolean): Flow {
    let flow: Flow = { reaches: true, settled: settledIn };
    for (const s of statements) {
      if (!flow.reaches) break;
      flow = this.statement(s, flow.settled);
      if (ctxIsBreak(this.ctx.ts, s)) break;
    }
    return flow;
  }

  private statement(s: TS.Statement, settledIn: boolean): Flow {
    const ts = this.ctx.ts;
    if (ts.isBlock(s)) return this.block(s.statements, settledIn);
    if (ts.isReturnStatement(s)) {
      const settled = settledIn || (s.expression ? this.expressionFlow(s.expression, false).settled : false);
      if (!settled) this.ctx.report({ node: s, messageId: 'returnWithoutSettling' });
      return { reaches: false, settled: true };
    }
    if (ts.isThrowStatement(s)) return { reaches: false, settled: true };
    if (ts.isIfStatement(s)) {
      const known = this.assumed(s.expression);
      if (known === true) return this.statement(s.thenStatement, settledIn);
      if (known === false) return s.elseStatement ? this.statement(s.elseStatement, settledIn) : { reaches: true, settled: settledIn };
      const cond = this.expressionFlow(s.expression, settledIn);
      const guard = this.settledWhen(s.expression);
      const a = this.statement(s.thenStatement, cond.settled || guard === true);
      const b = s.elseStatement ? this.statement(s.elseStatement, cond.settled || guard === false) : { reaches: true, settled: cond.settled || guard === false };
      return join(a, b);
    }
    if (ts.isTryStatement(s)) {
      const t = this.block(s.tryBlock.statements, settledIn);
      let flow = t;
      if (s.catchClause) flow = join(t, this.block(s.catchClause.block.statements, settledIn));
      if (s.finallyBlock) {
        const f = this.block(s.finallyBlock.statements, flow.settled);
        return { reaches: flow.reaches && f.reaches, settled: f.settled || flow.settled };
      }
      return flow;
    }
    if (ts.isSwitchStatement(s)) {
      let hasDefault = false;
      let allSettled = true;
      let anyReaches = false;
      for (const clause of s.caseBlock.clauses) {
        if (ts.isDefaultClause(clause)) hasDefault = true;
        if (clause.statements.length === 0) continue; // falls through to the next clause
        const f = this.block(clause.statements, settledIn);
        const endsInBreak = clause.statements.some((x) => ctxIsBreak(ts, x));
        if (f.reaches || endsInBreak) {
          anyReaches = true;
          if (!f.settled) allSettled = false;
        }
      }
      if (!hasDefault) return { reaches: true, settled: settledIn };
      return { reaches: anyReaches || !hasDefault, settled: settledIn || allSettled };
    }
    if (ts.isLabeledStatement(s)) return this.statement(s.statement, settledIn);
    if (ts.isDoStatement(s)) {
      const body = this.statement(s.statement, settledIn);
      return { reaches: true, settled: settledIn || body.settled };
    }
    if (ts.isIterationStatement(s, false)) {
      // The body may not run: analyse it for early returns, but it settles nothing for sure.
      this.statement(s.statement, settledIn);
      return { reaches: !isInfinite(ts, s), settled: settledIn };
    }
    if (ts.isFunctionDeclaration(s) || ts.isClassDeclaration(s)) {
      // A local helper that settles (`function done() { resolve() }`) counts once it is called; trust it.
      return { reaches: true, settled: settledIn || this.mentions(s) };
    }
    if (ts.isExpressionStatement(s)) {
      if (!settledIn) this.checkChain(s);
      return this.expressionFlow(s.expression, settledIn);
    }
    if (ts.isVariableStatement(s)) {
      let flow: Flow = { reaches: true, settled: settledIn };
      for (const d of s.declarationList.declarations) if (d.initializer) flow = this.expressionFlow(d.initializer, flow.settled);
      return flow;
    }
    return { reaches: true, settled: settledIn || this.mentions(s) };
  }

  /** An expression settles if it calls resolve/reject directly, or hands them to a callback (which we then check). */
  private expressionFlow(e: TS.Node, settledIn: boolean): Flow {
    const ts = this.ctx.ts;
    let direct = false;
    let delegated = false;
    const visit = (n: TS.Node): void => {
      if (isFunctionLike(ts, n)) {
        if (this.mentions(n)) {
          delegated = true;
          this.checkCallback(n);
        }
        return;
      }
      if (ts.isCallExpression(n) && ts.isIdentifier(n.expression) && (this.names.has(n.expression.text) || this.isLocalSettler(n.expression))) direct = true;
      else if (ts.isIdentifier(n) && this.names.has(n.text) && !ts.isCallExpression(n.parent)) delegated = true; // on('end', resolve)
      else if (ts.isCallExpression(n) && n.arguments.some((a) => ts.isIdentifier(a) && this.names.has(a.text))) delegated = true;
      ts.forEachChild(n, visit);
    };
    visit(e);
    return { reaches: true, settled: settledIn || direct || delegated };
  }

  /**
   * A function of the executor's own that names resolve or reject (`const handleError = (err) => retryable(err) ?
   * reject(err) : bail(err)`): calling it counts as settling, as a local `function done() { resolve() }` does.
   */
  private isLocalSettler(callee: TS.Identifier): boolean {
    const fn = this.executorFunction(callee);
    return !!fn && this.mentions(fn);
  }

  /** The function a name declares inside the executor (`function f() {}`, `const f = () => …`). */
  private executorFunction(name: TS.Identifier): TS.FunctionLikeDeclaration | undefined {
    const ts = this.ctx.ts;
    const decl = this.ctx.checker.getSymbolAtLocation(name)?.valueDeclaration;
    if (!decl || !this.executor || !isInside(decl, this.executor.body)) return undefined;
    if (ts.isFunctionDeclaration(decl)) return decl;
    const init = ts.isVariableDeclaration(decl) && decl.initializer ? skipParens(ts, decl.initializer) : undefined;
    return init && (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) ? init : undefined;
  }

  /**
   * `work().then((v) => resolve(v))` with no rejection handler anywhere in the
   * chain: the outer promise settles on fulfilment only.
   */
  private checkChain(s: TS.ExpressionStatement): void {
    const ts = this.ctx.ts;
    let settlesOnFulfil = false;
    let node: TS.Expression = s.expression;
    for (;;) {
      while (ts.isParenthesizedExpression(node)) node = node.expression;
      if (!ts.isCallExpression(node) || !ts.isPropertyAccessExpression(node.expression)) break;
      const method = node.expression.name.text;
      if (method === 'catch' && node.arguments.length >= 1) return;
      if (method === 'then' && node.arguments.length >= 2) return;
      if (method === 'then' && node.arguments.length === 1 && this.mentions(node.arguments[0]!)) settlesOnFulfil = true;
      else if (method !== 'then' && method !== 'finally') break;
      node = node.expression.expression;
    }
    // A chain that cannot reject (its promise cannot, nor can its callbacks throw: floating-promise's rejection
    // summaries) always reaches the callback that settles: nothing to forward.
    if (!settlesOnFulfil) return;
    const { ts: api, program } = this.ctx;
    if (rejectionsFor(api, program).cannotReject(s.expression)) return;
    this.ctx.report({ node: s, messageId: 'rejectionNotForwarded' });
  }

  private mentions(n: TS.Node): boolean {
    const ts = this.ctx.ts;
    let found = false;
    const visit = (x: TS.Node): void => {
      if (found) return;
      if (ts.isIdentifier(x) && this.names.has(x.text)) found = true;
      else ts.forEachChild(x, visit);
    };
    visit(n);
    return found;
  }

  /** Follows paths through a callback that runs once (error-first callbacks, once, timers, then). */
  private checkCallback(fn: TS.FunctionLikeDeclaration): void {
    const ts = this.ctx.ts;
    if (!fn.body || !ts.isBlock(fn.body)) return;
    const call = fn.parent;
    const first = fn.parameters[0];
    const errorFirst = first !== undefined && ts.isIdentifier(first.name) && /^(err|error|e)$/i.test(first.name.text);
    const singleShot = ts.isCallExpression(call) && SINGLE_SHOT_CALLEES.has(calleeName(ts, call) ?? '');
    if (!errorFirst && !singleShot) return;
    // `pipeline(src, dst, (err) => { if (err) reject(err) })` while a listener elsewhere in the executor resolves: the
    // success path is that listener's, so only the paths with an error are read (`if (!err) return;` is not a leak).
    const resolve = this.executor?.parameters[0]?.name;
    const delegated = errorFirst && !!resolve && ts.isIdentifier(resolve) && ts.isIdentifier(first.name) && this.settlesOutside(resolve.text, fn);
    const body = fn.body;
    const flow = delegated ? this.assuming({ name: (first.name as TS.Identifier).text, error: true }, () => this.block(body.statements, false)) : this.block(body.statements, false);
    if (flow.reaches && !flow.settled) this.ctx.report({ node: fn, messageId: 'callbackNoSettle' });
  }

  /** What an error-first callback's error is taken to be while a path is re-read (`if (err)` then takes one branch). */
  private assumption: { name: string; error: boolean } | undefined;

  private assuming<T>(assumption: { name: string; error: boolean }, read: () => T): T {
    const saved = this.assumption;
    this.assumption = assumption;
    try {
      return read();
    } finally {
      this.assumption = saved;
    }
  }

  /**
   * The value of a condition under the assumption: `err`, `!err`, `err != null`, `err == undefined`, and `&&`/`||` of
   * them. Undefined when it depends on anything else (`err !== null` is true for an undefined error: not judged).
   */
  private assumed(cond: TS.Expression): boolean | undefined {
    const ts = this.ctx.ts;
    const a = this.assumption;
    if (!a) return undefined;
    const c = skipParens(ts, cond);
    if (ts.isIdentifier(c)) return c.text === a.name ? a.error : undefined;
    if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) {
      const v = this.assumed(c.operand);
      return v === undefined ? undefined : !v;
    }
    if (ts.isBinaryExpression(c)) {
      const op = c.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
        const and = op === ts.SyntaxKind.AmpersandAmpersandToken;
        const left = this.assumed(c.left);
        if (left === !and) return left; // false && …, true || …
        const right = this.assumed(c.right);
        return left === undefined ? (right === !and ? right : undefined) : right;
      }
      const loose = op === ts.SyntaxKind.ExclamationEqualsToken ? true : op === ts.SyntaxKind.EqualsEqualsToken ? false : undefined;
      const nullish = (e: TS.Expression) => e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined');
      const isErr = (e: TS.Expression) => {
        const x = skipParens(ts, e);
        return ts.isIdentifier(x) && x.text === a.name;
      };
      if (loose !== undefined && ((isErr(c.left) && nullish(c.right)) || (isErr(c.right) && nullish(c.left)))) return loose === a.error;
    }
    return undefined;
  }

  /**
   * Another callback of the executor (a listener, not the executor's own body: `if (cached) return resolve(v)` says
   * nothing about later) mentions `name`, its resolve: the success path may be that callback's.
   */
  private settlesOutside(name: string, fn: TS.Node): boolean {
    const ts = this.ctx.ts;
    const executor = this.executor;
    if (!executor) return false;
    let found = false;
    const visit = (n: TS.Node, inCallback: boolean): void => {
      if (found || n === fn) return;
      if (inCallback && ts.isIdentifier(n) && n.text === name) found = true;
      else ts.forEachChild(n, (x) => visit(x, inCallback || (isFunctionLike(ts, x) && !isInside(fn, x))));
    };
    visit(executor.body, false);
    return found;
  }
}

/** `return true;` / `return false;` (the literal given). */
function returnsLiteral(ts: Ctx['ts'], s: TS.Statement, literal: TS.SyntaxKind): boolean {
  return ts.isReturnStatement(s) && !!s.expression && skipParens(ts, s.expression).kind === literal;
}

function join(a: Flow, b: Flow): Flow {
  if (!a.reaches) return b;
  if (!b.reaches) return a;
  return { reaches: true, settled: a.settled && b.settled };
}

function ctxIsBreak(ts: Ctx['ts'], s: TS.Statement): boolean {
  return ts.isBreakStatement(s) || ts.isContinueStatement(s);
}

function isInfinite(ts: Ctx['ts'], s: TS.IterationStatement): boolean {
  if (ts.isWhileStatement(s)) return s.expression.kind === ts.SyntaxKind.TrueKeyword;
  if (ts.isForStatement(s)) return s.condition === undefined;
  return false;
}
