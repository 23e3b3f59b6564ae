/**
 * floating-promise: a promise whose rejection nobody can observe.
 *
 * Three places are checked:
 *  1. expression statements (what typescript-eslint's no-floating-promises
 *     covers): a promise, or an array of promises, whose value is dropped;
 *  2. locals: `const p = load()` never awaited, returned or handled, or not yet
 *     handled when the function returns or awaits something else;
 *  3. arguments: a fresh promise passed to a parameter declared as
 *     `unknown`/`object`/`{}`, which nobody will await (`assert.ok(isReady())`).
 *
 * A promise is reported only if a rejection can go unobserved: one that cannot
 * reject, or already has a rejection handler, is safe to drop (util/rejection.ts
 * reads the bodies of the functions that make it: the linted file's in ESLint,
 * every project file's in the analyser). "Promise" means the native Promise
 * (and its subclasses) unless `checkThenables` is on, as in typescript-eslint.
 */
import type * as TS from 'typescript';
import { defineCheck, type CheckContext, type Suggestion } from './check.js';
import { allowEntrySchema, isAllowed, type AllowEntry } from './util/allow-list.js';
import { indexFile } from './util/file-index.js';
import { causeRelated, rejectionsFor, type Rejections } from './util/rejection.js';
import {
  canAwaitAt,
  enclosingFunction,
  forEachInFunctionBody,
  hasModifier,
  inTryAroundCalls,
  isAssignmentOperator,
  isAsyncFunction,
  isFunctionLike,
  isInside,
  isNullishLiteral,
  memberName,
  needsParensForMember,
  needsParensForUnary,
  referencesIn,
  skipParens,
} from './util/syntax.js';
import {
  acceptsPromise,
  calleeMayTakeOpaqueParameter,
  calleeSymbol,
  declaredParameterType,
  isFromDefaultLib,
  isPromiseArrayType,
  isPromiseLikeType,
  isPromiseType,
  mayReturnPromise,
  mayTakeOpaqueParameter,
  resolveAlias,
  neverReturnsPromise,
  delegationNeverReturnsPromise,
} from './util/types.js';
import { inTestBody, isAsyncAssertion, isTestSourceFile } from './util/test-files.js';

export interface FloatingPromiseOptions {
  /** `void promise` marks a deliberate fire-and-forget (default true, as in typescript-eslint). */
  ignoreVoid: boolean;
  /** Functions whose returned promise, or promise types, that are safe to drop. */
  allowList: AllowEntry[];
  /** Keep the built-in allow-list (node:test's test/it/describe/suite, whose promises never reject). */
  useDefaultAllowList: boolean;
  /** Check promises stored in locals (default true). */
  checkLocals: boolean;
  /** Check fresh promises passed to parameters that do not take a promise (default true). */
  checkArguments: boolean;
  /** Treat every rejectable thenable (PromiseLike, query builders) as a promise, not only native promises (default false, as typescript-eslint). */
  checkThenables: boolean;
  /**
   * Also report a promise that can reject only because a call it makes throws synchronously (default false; on in
   * the strict config): a listener, a logger, an assertion, `new URL` on bad input. Off, such a promise is reported
   * only when it is dropped inside a try whose block holds nothing but such calls: its catch would have caught the
   * throw had the code been synchronous.
   */
  checkSyncThrows: boolean;
  /**
   * Also report promises dropped in the bodies of tests and the helpers of test files (default false): there
   * the runner reports a rejection as a failure. Teardown hooks and assertion promises are checked either way.
   */
  checkTestBodies: boolean;
}

/** node:test's top-level test functions return promises that never reject: the runner reports failures. */
export const defaultAllowList: AllowEntry[] = [
  { name: ['test', 'it', 'describe', 'suite', 'only', 'skip', 'todo'], from: 'package', package: 'node:test' },
];

interface Verdict {
  unhandled: boolean;
  array?: boolean;
  nonFunctionHandler?: boolean;
}

const HANDLED: Verdict = { unhandled: false };

/** Object's functions that return their first argument. */
const RETURNS_TARGET = new Set(['assign', 'defineProperty', 'defineProperties', 'freeze', 'seal', 'preventExtensions']);
/** Methods that return an existing promise rather than start one. */
const NON_CREATING_METHODS = new Set(['get', 'find', 'findLast', 'at', 'pop', 'shift', 'peek', 'deref', 'slice', 'filter', 'values', 'next']);

/** A deferred's stored reject: the variable, its declaration, and the executor that stores it. */
interface StoredReject {
  stored: TS.Symbol;
  decl: TS.VariableDeclaration;
  executor: TS.ArrowFunction | TS.FunctionExpression;
}

export const floatingPromise = defineCheck<FloatingPromiseOptions>({
  id: 'floating-promise',
  messages: {
    floating:
      'This promise is neither awaited, returned nor given a rejection handler: its rejection would be unhandled. Await it, return it, add .catch(), or mark a deliberate fire-and-forget with void.',
    floatingNoVoid:
      'This promise is neither awaited, returned nor given a rejection handler: its rejection would be unhandled. Await it, return it or add .catch().',
    floatingArray:
      'This array of promises is dropped: nobody awaits the promises or handles their rejections. Pass it to Promise.all or Promise.allSettled and await the result.',
    uselessHandler:
      'The rejection handler given here may not be a function (its type has no call signature: a callback that may be undefined, a value): where it is not, a rejection of this promise is still unhandled.',
    unhandledLocal:
      "The promise stored in '{{name}}' is never awaited, returned or given a rejection handler: its rejection would be unhandled.",
    returnBeforeHandled:
      "The promise stored in '{{name}}' is not handled yet when the function returns at line {{line}}: on that path its rejection would be unhandled.",
    awaitBeforeHandled:
      "The promise stored in '{{name}}' is not handled yet when the function awaits at line {{line}}: if it rejects meanwhile, Node reports an unhandled rejection. Handle it first, or await both with Promise.all.",
    yieldBeforeHandled:
      "The promise stored in '{{name}}' is not handled yet when the generator yields at line {{line}}: a consumer that stops iterating there never resumes it, and its rejection would be unhandled. Attach a handler where it is stored (`{{name}}.catch(() => {})`, keeping the promise for the later await).",
    passedToNonPromise:
      "This promise is passed to a parameter of type '{{type}}', which does not take a promise: nobody awaits it or handles its rejection.",
    addAwait: 'Add await.',
    addVoid: 'Mark it as a deliberate fire-and-forget with void.',
    addCatch: 'Handle the rejection with .catch().',
    addAwaitAll: 'Await them all with Promise.all().',
  },
  schema: {
    type: 'object',
    properties: {
      ignoreVoid: { type: 'boolean' },
      allowList: { type: 'array', items: allowEntrySchema },
      useDefaultAllowList: { type: 'boolean' },
      checkLocals: { type: 'boolean' },
      checkArguments: { type: 'boolean' },
      checkThenables: { type: 'boolean' },
      checkSyncThrows: { type: 'boolean' },
      checkTestBodies: { type: 'boolean' },
    },
    additionalProperties: false,
  },
  defaultOptions: { ignoreVoid: true, allowList: [], useDefaultAllowList: true, checkLocals: true, checkArguments: true, checkThenables: false, checkSyncThrows: false, checkTestBodies: false },
  strictOptions: { checkSyncThrows: true },
  hasSuggestions: true,
  run(ctx) {
    new FloatingPromiseRun(ctx).run();
  },
});

class FloatingPromiseRun {
  private readonly ts;
  private readonly checker;
  private readonly allow: AllowEntry[];
  private readonly thenables: boolean;
  private summaries: Rejections | undefined;

  constructor(private readonly ctx: CheckContext<FloatingPromiseOptions>) {
    this.ts = ctx.ts;
    this.checker = ctx.checker;
    this.allow = [...(ctx.options.useDefaultAllowList ? defaultAllowList : []), ...(ctx.options.allowList ?? [])];
    this.thenables = ctx.options.checkThenables === true;
  }

  /** Asked only for a promise about to be reported: created on first use. */
  private get rejections(): Rejections {
    return (this.summaries ??= rejectionsFor(this.ts, this.ctx.program));
  }

  /**
   * Who judges a promise dropped at `site`. Unless checkSyncThrows is on, a promise that can reject only because a
   * call it makes throws synchronously (a listener, a logger, an invariant) is let go: the same code without async
   * would throw as unhandled. Not inside a try whose block holds only calls (no await, declaration or branch): that
   * catch was written for those calls' throws, and the promise escapes it.
   */
  private judgeAt(site: TS.Node): Rejections {
    return this.ctx.options.checkSyncThrows === true || inTryAroundCalls(this.ts, site) ? this.rejections : this.rejections.lenient();
  }

  /** An array of promises whose rejections cannot go unobserved: each literal element, or each promise a callback given to map makes. */
  private isSafeArray(expr: TS.Expression, judge: Rejections): boolean {
    const ts = this.ts;
    const e = skipParens(ts, expr);
    if (ts.isArrayLiteralExpression(e)) return e.elements.every((el) => !ts.isSpreadElement(el) && judge.safeToDrop(el));
    if (ts.isCallExpression(e)) {
      const method = memberName(ts, e.expression);
      const callback = e.arguments[0];
      if ((method === 'map' || method === 'flatMap') && callback && !ts.isSpreadElement(callback)) return judge.callbackSafe(callback);
    }
    return false;
  }

  /**
   * In a test file, a dropped promise outside a teardown hook is the runner's to report: Vitest, Jest, Mocha and
   * node:test turn an unhandled rejection into a failure, and asyncsan's runtime side names work that outlives its
   * test (cross-test-bleed). Still checked there: teardown hooks (afterAll/afterEach/after…), which may end after
   * the runner stopped watching, and assertion promises (`expect(p).rejects…`), whose failure the test never sees.
   */
  private leftToTestRunner(site: TS.Node, promise: TS.Expression): boolean {
    if (this.ctx.options.checkTestBodies === true) return false;
    return inTestBody(this.ts, this.ctx.program, this.ctx.sourceFile, site) && !isAsyncAssertion(this.ts, promise);
  }

  run(): void {
    const index = indexFile(this.ts, this.ctx.sourceFile);
    for (const stmt of index.expressionStatements) this.checkStatement(stmt);
    if (this.ctx.options.checkLocals) {
      for (const decl of index.variableDeclarations) this.checkLocal(decl);
      for (const stmt of index.expressionStatements) this.checkFieldBeforeYield(stmt);
    }
    if (this.ctx.options.checkArguments) {
      for (const call of index.calls) this.checkArguments(call);
      for (const call of index.news) this.checkArguments(call);
    }
  }

  // ---------------------------------------------------------------- types

  private isPromise(node: TS.Node, type = this.checker.getTypeAtLocation(node)): boolean {
    if (this.isAllowedType(type)) return false;
    return this.thenables ? isPromiseLikeType(this.ts, this.ctx.program, type, node) : isPromiseType(this.ts, this.ctx.program, type);
  }

  /**
   * Every non-nullish part is a promise. A maybe-promise (`T | Promise<T>`) is
   * narrowed by its author (`instanceof Promise`) and handled per branch: we do
   * not follow it through a local.
   */
  private isDefinitelyPromise(node: TS.Node): boolean {
    const type = this.checker.getTypeAtLocation(node);
    if (!this.isPromise(node, type)) return false;
    const parts = this.checker.getNonNullableType(type);
    return !parts.isUnion() || parts.types.every((t) => this.isPromise(node, t));
  }

  private isAllowedType(type: TS.Type): boolean {
    if (this.allow.length === 0) return false;
    const sym = type.aliasSymbol ?? type.getSymbol();
    return isAllowed(this.ts, this.ctx.program, sym, undefined, this.allow);
  }

  private isPromiseArray(node: TS.Node): boolean {
    return isPromiseArrayType(this.ts, this.ctx.program, this.checker.getTypeAtLocation(node), node, this.thenables);
  }

  /** A call of an allow-listed function (its promise is safe to drop). */
  private isAllowedCall(expr: TS.Expression): boolean {
    const e = skipParens(this.ts, expr);
    if (!this.ts.isCallExpression(e) && !this.ts.isNewExpression(e)) return false;
    if (this.allow.length === 0) return false;
    const callee = skipParens(this.ts, e.expression);
    const written = this.ts.isIdentifier(callee) ? callee.text : memberName(this.ts, callee);
    const writtenSymbol = this.ts.isIdentifier(callee) ? this.checker.getSymbolAtLocation(callee) : undefined;
    const sym = calleeSymbol(this.ts, this.checker, callee);
    if (isAllowed(this.ts, this.ctx.program, sym, written, this.allow)) return true;
    // `import { describe } from 'node:test'`: the written alias resolves to `suite`.
    return writtenSymbol !== undefined && writtenSymbol !== sym && isAllowed(this.ts, this.ctx.program, resolveAlias(this.ts, this.checker, writtenSymbol), written, this.allow);
  }

  /**
   * `queue.shift();`, `pending.pop();`, `pending.splice(0, n);` on an array: the statement removes promises someone
   * stored earlier, it makes none. Whether they are handled was decided where they were made (apollo-server's heartbeat
   * queue, supabase auth's drained `pendingInLock`).
   */
  private removesFromArray(expr: TS.Expression): boolean {
    const ts = this.ts;
    if (!ts.isCallExpression(expr) || !ts.isPropertyAccessExpression(expr.expression)) return false;
    const name = expr.expression.name;
    if (name.text !== 'shift' && name.text !== 'pop' && name.text !== 'splice') return false;
    const decls = this.checker.getSymbolAtLocation(name)?.getDeclarations() ?? [];
    return decls.length > 0 && decls.every((d) => d.getSourceFile().isDeclarationFile && ts.isInterfaceDeclaration(d.parent) && d.parent.name.text === 'Array');
  }

  /**
   * `Object.defineProperties(promise, descriptors);` (got's as-promise and create.ts): Object's own functions that
   * return their first argument drop nothing new when that argument is a promise the code goes on to use (returns,
   * awaits): its handling is judged where it goes. A promise made right there (`Object.assign(load(), extras);`) or
   * not used afterwards stays reported.
   */
  private returnsHeldTarget(expr: TS.Expression): boolean {
    const ts = this.ts;
    if (!ts.isCallExpression(expr) || !ts.isPropertyAccessExpression(expr.expression) || !RETURNS_TARGET.has(expr.expression.name.text)) return false;
    const receiver = skipParens(ts, expr.expression.expression);
    if (!ts.isIdentifier(receiver) || receiver.text !== 'Object') return false;
    const symbol = this.checker.getSymbolAtLocation(receiver);
    if (!symbol || !isFromDefaultLib(this.ctx.program, symbol)) return false;
    const target = expr.arguments[0] && skipParens(ts, expr.arguments[0]);
    if (!target || !ts.isIdentifier(target)) return false;
    const scope = enclosingFunction(ts, expr)?.body ?? expr.getSourceFile();
    return referencesIn(ts, this.checker, scope, target).some((ref) => ref.pos >= expr.end);
  }

  private isValidHandler(node: TS.Expression, call: TS.CallExpression): boolean {
    const type = this.checker.getTypeAtLocation(node);
    // A handler that may be undefined (`h | undefined`) has no call signature: it may not handle anything.
    if (type.getCallSignatures().length > 0) return true;
    // Unless the same chain calls it with a non-null assertion (`.then(() => callback!(), callback)`, Google Cloud's
    // dual callback/promise methods, wrapped so that a callback is always given): the code states it is there.
    const handler = skipParens(this.ts, node);
    return this.ts.isIdentifier(handler) && call.arguments.some((a) => a !== node && assertsCalled(this.ts, a, handler.text));
  }

  // ----------------------------------------------------------- statements

  private verdict(expr: TS.Expression): Verdict {
    const ts = this.ts;
    const node = skipParens(ts, expr);
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (isAssignmentOperator(ts, op)) return HANDLED;
      if (op === ts.SyntaxKind.CommaToken) {
        const left = this.verdict(node.left);
        return left.unhandled ? left : this.verdict(node.right);
      }
    }
    if (ts.isVoidExpression(node)) return this.ctx.options.ignoreVoid ? HANDLED : this.verdict(node.expression);
    if (this.isPromiseArray(node)) return { unhandled: true, array: true };
    if (ts.isAwaitExpression(node)) return HANDLED;
    if (!this.isPromise(node)) return HANDLED;
    if (ts.isCallExpression(node)) {
      const method = memberName(ts, node.expression);
      const args = node.arguments;
      const spread = (i: number) => args[i] !== undefined && ts.isSpreadElement(args[i]!);
      if (method === 'catch') {
        if (args.length >= 1 && !spread(0)) return this.isValidHandler(args[0]!, node) ? HANDLED : { unhandled: true, nonFunctionHandler: true };
        return { unhandled: true };
      }
      if (method === 'then') {
        if (args.length >= 2 && !spread(0) && !spread(1))
          return this.isValidHandler(args[1]!, node) ? HANDLED : { unhandled: true, nonFunctionHandler: true };
        return { unhandled: true };
      }
      if (method === 'finally') {
        const obj = skipParens(ts, node.expression);
        if (ts.isPropertyAccessExpression(obj) || ts.isElementAccessExpression(obj)) return this.verdict(obj.expression);
      }
      return { unhandled: true };
    }
    if (ts.isConditionalExpression(node)) {
      const alt = this.verdict(node.whenFalse);
      return alt.unhandled ? alt : this.verdict(node.whenTrue);
    }
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken) {
        const left = this.verdict(node.left);
        return left.unhandled ? left : this.verdict(node.right);
      }
    }
    return { unhandled: true };
  }

  private checkStatement(stmt: TS.ExpressionStatement): void {
    const expr = stmt.expression;
    // `log(x)`, `xs.push(x)`, `stream.pipe(f)`: a callee declared to return only primitives or
    // then-less objects cannot yield a promise (or an array of them), whatever the arguments and
    // type arguments: skip resolving the call.
    const call = skipParens(this.ts, expr);
    if (this.cannotBePromiseSyntactically(call)) return;
    if ((this.ts.isCallExpression(call) || this.ts.isTaggedTemplateExpression(call)) && neverReturnsPromise(this.ts, this.checker, call)) return;
    if (this.isAllowedCall(expr)) return;
    if (this.removesFromArray(call)) return;
    if (this.returnsHeldTarget(call)) return;
    const v = this.verdict(expr);
    if (!v.unhandled) return;
    const { ts, ctx } = this;
    const inner = skipParens(ts, expr);
    // What the code that makes the promise shows: it cannot reject, or a handler is already attached.
    // (`void p` is reported only with ignoreVoid off: then what is dropped is p.)
    const dropped = ts.isVoidExpression(inner) ? skipParens(ts, inner.expression) : inner;
    if (this.leftToTestRunner(stmt, dropped)) return;
    if (this.deliberateRejection(stmt, dropped)) return;
    const judge = this.judgeAt(stmt);
    if (v.array ? this.isSafeArray(dropped, judge) : judge.safeToDrop(dropped)) return;
    if (this.chainOnAwaitedInTest(stmt, dropped)) return;
    const suggestions: Suggestion[] = [];
    const awaitable = canAwaitAt(ts, stmt, ctx.sourceFile);
    const unary = (kw: string) => (needsParensForUnary(ts, inner) ? `${kw} (${inner.getText(ctx.sourceFile)})` : `${kw} ${inner.getText(ctx.sourceFile)}`);
    const span = { start: inner.getStart(ctx.sourceFile), end: inner.getEnd() };
    if (v.array) {
      if (awaitable) suggestions.push({ messageId: 'addAwaitAll', edits: [{ ...span, text: `await Promise.all(${inner.getText(ctx.sourceFile)})` }] });
    } else {
      if (awaitable) suggestions.push({ messageId: 'addAwait', edits: [{ ...span, text: unary('await') }] });
      if (!v.nonFunctionHandler && !ts.isVoidExpression(inner)) {
        const obj = needsParensForMember(ts, inner) ? `(${inner.getText(ctx.sourceFile)})` : inner.getText(ctx.sourceFile);
        // A bare thenable (PromiseLike) has no .catch: give then() the rejection handler instead.
        const type = this.checker.getTypeAtLocation(inner);
        const nonNull = this.checker.getNonNullableType(type);
        const dot = nonNull === type ? '.' : '?.';
        const hasCatch = this.checker.getApparentType(nonNull).getProperty('catch') !== undefined;
        const handler = '(error) => { console.error(error); }';
        const text = hasCatch ? `${obj}${dot}catch(${handler})` : `${obj}${dot}then(undefined, ${handler})`;
        suggestions.push({ messageId: 'addCatch', edits: [{ ...span, text }] });
      }
    }
    if (ctx.options.ignoreVoid) suggestions.push({ messageId: 'addVoid', edits: [{ ...span, text: unary('void') }] });
    ctx.report({
      node: stmt,
      messageId: v.array ? 'floatingArray' : v.nonFunctionHandler ? 'uselessHandler' : ctx.options.ignoreVoid ? 'floating' : 'floatingNoVoid',
      suggestions,
      related: v.array || v.nonFunctionHandler ? [] : causeRelated(judge.explain(dropped)),
    });
  }

  /**
   * `Promise.reject(error);` alone, in a function that returns no promise: the way to raise an unhandled rejection on
   * purpose (the OpenAI SDK, for an error event nobody listens to). In an async function or one returning a promise it
   * is more likely a forgotten `return`/`throw`, and stays reported.
   */
  private deliberateRejection(stmt: TS.ExpressionStatement, dropped: TS.Expression): boolean {
    const ts = this.ts;
    if (skipParens(ts, stmt.expression) !== dropped || !ts.isCallExpression(dropped)) return false;
    const callee = skipParens(ts, dropped.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'reject' || !ts.isIdentifier(callee.expression) || callee.expression.text !== 'Promise') return false;
    const symbol = this.checker.getSymbolAtLocation(callee.expression);
    if (!symbol || !isFromDefaultLib(this.ctx.program, symbol)) return false;
    const fn = enclosingFunction(ts, stmt);
    // At module level nothing says it is on purpose; in an async function `throw` would do.
    if (!fn || isAsyncFunction(ts, fn)) return false;
    const signature = this.checker.getSignatureFromDeclaration(fn);
    if (!signature) return false;
    const returns = signature.getReturnType();
    return !isPromiseLikeType(ts, this.ctx.program, returns, stmt);
  }

  /**
   * Statements whose value cannot be a promise or an array of promises, judged
   * without resolving them: `delete`, `++`, arithmetic and comparisons yield
   * primitives, `super(...)` is void, and `yield* effect(...)` in a generator returns what the callee's
   * declared iterator says (typing the yield itself would infer the enclosing call).
   */
  private cannotBePromiseSyntactically(node: TS.Expression): boolean {
    const ts = this.ts;
    const SK = ts.SyntaxKind;
    if (ts.isDeleteExpression(node) || ts.isTypeOfExpression(node) || ts.isPostfixUnaryExpression(node) || ts.isPrefixUnaryExpression(node)) return true;
    if (ts.isCallExpression(node) && node.expression.kind === SK.SuperKeyword) return true; // super(...) is void
    if (ts.isBinaryExpression(node)) {
      const op = node.operatorToken.kind;
      return op !== SK.AmpersandAmpersandToken && op !== SK.BarBarToken && op !== SK.QuestionQuestionToken && op !== SK.CommaToken && !isAssignmentOperator(ts, op);
    }
    if (ts.isYieldExpression(node) && node.asteriskToken && node.expression) {
      const fn = enclosingFunction(ts, node);
      if (!fn || hasModifier(ts, fn, SK.AsyncKeyword)) return false;
      return delegationNeverReturnsPromise(ts, this.checker, skipParens(ts, node.expression));
    }
    return false;
  }

  // --------------------------------------------------------------- locals

  private checkLocal(decl: TS.VariableDeclaration): void {
    const ts = this.ts;
    if (!ts.isIdentifier(decl.name) || !decl.initializer) return;
    const list = decl.parent;
    if (!ts.isVariableDeclarationList(list)) return;
    const stmt = list.parent;
    if (!ts.isVariableStatement(stmt)) return; // for-of heads and friends
    if (hasModifier(ts, stmt, ts.SyntaxKind.ExportKeyword) || hasModifier(ts, stmt, ts.SyntaxKind.DeclareKeyword)) return;
    const init = skipParens(ts, decl.initializer);
    if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return;
    if (this.leftToTestRunner(decl, init)) return;
    // Accessors hand out promises someone else created and owns (cache.get(k), queue.shift()).
    const method = ts.isCallExpression(init) ? memberName(ts, init.expression) : undefined;
    if (method !== undefined && NON_CREATING_METHODS.has(method)) return;
    // Before any type is asked for: if the uses alone show this local cannot be reported, stop.
    if (this.cannotReportLocal(decl.name, stmt)) return;
    if (this.isAllowedCall(init)) return;
    // Arrays count only when this call creates the promises (xs.map(async …)), not when it copies them.
    const mapsToArray = method === 'map' || method === 'flatMap';
    // Ask for the call's type only when its callee is declared to maybe return a promise.
    if (!mapsToArray && !mayReturnPromise(ts, this.ctx.program, init)) return;
    const isArray = mapsToArray && this.isPromiseArray(init);
    if (!isArray && !this.isDefinitelyPromise(init)) return;
    const refs = this.referencesOf(decl.name, stmt);
    if (!refs) return;
    const ownFunction = enclosingFunction(ts, decl);
    const handling: TS.Identifier[] = [];
    for (const ref of refs) {
      const use = this.classifyUse(ref, ownFunction);
      if (use === 'write' || use === 'statement') return; // reassigned (we cannot follow), or reported as a statement
      if (use === 'handled') handling.push(ref);
    }
    const name = decl.name.text;
    if (handling.length === 0) {
      const judge = this.judgeAt(decl);
      if (isArray ? this.isSafeArray(init, judge) : judge.safeToDrop(init)) return;
      this.ctx.report({ node: decl.name, messageId: 'unhandledLocal', data: { name }, related: isArray ? [] : causeRelated(judge.explain(init)) });
      return;
    }
    if (isArray) return;
    this.checkPathBeforeHandling(stmt, decl.name, handling, init);
  }

  /**
   * A generator stores a promise in a field (`this.#message = stream.finalMessage()`) and yields before
   * anything in its body handles it: the consumer may stop iterating at that yield (`break` out of its
   * for-await) and never resume the generator, so the later `await this.#message` never runs and a
   * rejection is unhandled (anthropic-sdk-typescript's tool runner before its fix). Only the statements
   * after the store in its own block are read: any mention of the field first (a closure's too) counts as handling it.
   */
  private checkFieldBeforeYield(stmt: TS.ExpressionStatement): void {
    const ts = this.ts;
    const e = skipParens(ts, stmt.expression);
    if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
    const target = skipParens(ts, e.left);
    if (!ts.isPropertyAccessExpression(target) || target.expression.kind !== ts.SyntaxKind.ThisKeyword) return;
    const init = skipParens(ts, e.right);
    if (!ts.isCallExpression(init) && !ts.isNewExpression(init)) return;
    const fn = enclosingFunction(ts, stmt) as TS.FunctionLikeDeclaration | undefined;
    if (!fn?.asteriskToken || !ts.isBlock(stmt.parent)) return;
    if (isTestSourceFile(this.ctx.program, this.ctx.sourceFile)) return;
    const field = target.name.text;
    const mentions = (n: TS.Node): boolean =>
      (ts.isPropertyAccessExpression(n) && n.expression.kind === ts.SyntaxKind.ThisKeyword && n.name.text === field) || ts.forEachChild(n, mentions) === true;
    const firstYield = (n: TS.Node): TS.YieldExpression | undefined =>
      isFunctionLike(ts, n) ? undefined : ts.isYieldExpression(n) && !n.asteriskToken ? n : ts.forEachChild(n, firstYield);
    const after = stmt.parent.statements.slice(stmt.parent.statements.indexOf(stmt) + 1);
    let found: TS.YieldExpression | undefined;
    for (const later of after) {
      if (mentions(later)) return;
      found = firstYield(later);
      if (found) break;
    }
    const judge = this.judgeAt(stmt);
    if (!found || this.isAllowedCall(init) || !this.isDefinitelyPromise(init) || judge.safeToDrop(init)) return;
    const line = this.ctx.sourceFile.getLineAndCharacterOfPosition(found.getStart(this.ctx.sourceFile)).line + 1;
    const name = target.getText(this.ctx.sourceFile);
    this.ctx.report({
      node: target,
      messageId: 'yieldBeforeHandled',
      data: { name, line: String(line) },
      related: [{ label: 'yields here', node: found }, ...causeRelated(judge.explain(init))],
    });
  }

  /** The references to a local within its declaring block (undefined when it has no symbol). Cheap: name resolution only. */
  private referencesOf(name: TS.Identifier, stmt: TS.VariableStatement): TS.Identifier[] | undefined {
    const symbol = this.checker.getSymbolAtLocation(name);
    if (!symbol) return undefined;
    const container = stmt.parent;
    return (indexFile(this.ts, this.ctx.sourceFile).identifiersByText.get(name.text) ?? []).filter(
      (id) => id !== name && id.pos >= container.pos && id.end <= container.end && this.refersTo(id, symbol),
    );
  }

  /**
   * A syntactic upper bound of checkLocal's reports: a local that is reassigned or used as a
   * statement is never reported, nor one with a use that handles it (judged without types; uses
   * as call arguments need the callee's signature and are left out, which only moves the first
   * handling later) before any return or await. Exact: whenever this holds, checkLocal reports nothing.
   */
  private cannotReportLocal(name: TS.Identifier, stmt: TS.VariableStatement): boolean {
    const refs = this.referencesOf(name, stmt);
    if (!refs) return true;
    const ownFunction = enclosingFunction(this.ts, name);
    const handling: TS.Identifier[] = [];
    for (const ref of refs) {
      const use = this.classifyUse(ref, ownFunction, true);
      if (use === 'write' || use === 'statement') return true;
      if (use === 'handled') handling.push(ref);
    }
    return handling.length > 0 && this.firstExitBeforeHandling(stmt, name, handling) === undefined;
  }

  private refersTo(id: TS.Identifier, symbol: TS.Symbol): boolean {
    const ts = this.ts;
    if (ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id) {
      return this.checker.getShorthandAssignmentValueSymbol(id.parent) === symbol;
    }
    if ((ts.isPropertyAccessExpression(id.parent) && id.parent.name === id) || (ts.isPropertyAssignment(id.parent) && id.parent.name === id)) return false;
    return this.checker.getSymbolAtLocation(id) === symbol;
  }

  /** How one reference to a promise-holding local uses it. */
  private classifyUse(ref: TS.Identifier, ownFunction: TS.Node | undefined, syntaxOnly = false): 'handled' | 'neutral' | 'write' | 'statement' | 'argument' {
    const ts = this.ts;
    // Captured by a closure: we cannot see when it runs, so trust it.
    if (enclosingFunction(ts, ref) !== ownFunction) return 'handled';
    let node: TS.Node = ref;
    let parent = node.parent;
    while (ts.isParenthesizedExpression(parent) || ts.isAsExpression(parent) || ts.isNonNullExpression(parent) || ts.isSatisfiesExpression(parent) || ts.isTypeAssertionExpression(parent)) {
      node = parent;
      parent = parent.parent;
    }
    if (ts.isBinaryExpression(parent)) {
      const op = parent.operatorToken.kind;
      const assignment = isAssignmentOperator(ts, op);
      if (assignment && parent.left === node) return 'write';
      if (assignment) return 'handled'; // stored elsewhere
      if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken || op === ts.SyntaxKind.QuestionQuestionToken || op === ts.SyntaxKind.CommaToken)
        return 'handled'; // flows on; the enclosing expression is judged where it ends
      return 'neutral'; // comparisons, arithmetic, instanceof
    }
    if (ts.isPrefixUnaryExpression(parent) || ts.isPostfixUnaryExpression(parent)) {
      const op = parent.operator;
      return op === ts.SyntaxKind.PlusPlusToken || op === ts.SyntaxKind.MinusMinusToken ? 'write' : 'neutral';
    }
    if (ts.isExpressionStatement(parent)) return 'statement';
    if (ts.isVoidExpression(parent)) return this.ctx.options.ignoreVoid ? 'handled' : 'neutral';
    if (ts.isTypeOfExpression(parent) || ts.isTemplateSpan(parent)) return 'neutral';
    if ((ts.isIfStatement(parent) || ts.isWhileStatement(parent) || ts.isDoStatement(parent)) && parent.expression === node) return 'neutral';
    if (ts.isConditionalExpression(parent) && parent.condition === node) return 'neutral';
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === node) {
      const name = memberName(ts, parent);
      const call = parent.parent;
      if (ts.isCallExpression(call) && call.expression === parent) {
        // p.then(...)/p.catch(...)/p.finally(...): a new promise, judged where it ends up.
        if (name === 'then' || name === 'catch' || name === 'finally') return 'handled';
      }
      // Other members (p.status, ps.length, ps.forEach(...)) do not handle the promise.
      return 'neutral';
    }
    if ((ts.isCallExpression(parent) || ts.isNewExpression(parent)) && parent.arguments?.includes(node as TS.Expression)) {
      if (syntaxOnly) return 'argument';
      const index = parent.arguments.indexOf(node as TS.Expression);
      const declared = declaredParameterType(ts, this.checker, parent, index);
      if (!declared || acceptsPromise(ts, this.ctx.program, declared, node)) return 'handled';
      return 'neutral';
    }
    if ((ts.isCallExpression(parent) || ts.isTaggedTemplateExpression(parent)) && (parent as TS.CallExpression).expression === node) return 'neutral';
    // await, return, yield, arrow bodies, array/object literals, spreads, aliases, exports: handled or passed on.
    return 'handled';
  }

  /**
   * In a test, `pool.then(() => { done = true; })` dropped while the same function awaits `pool` later
   * (`await pool`): the chained promise settles no later than `pool`, so nothing runs after the test,
   * and its rejection (pool's, or the callback's) is an unhandled rejection the runner reports as a
   * failure. A flag set in `.then()` is a common way for a test to observe a run it awaits afterwards.
   */
  private chainOnAwaitedInTest(stmt: TS.ExpressionStatement, dropped: TS.Expression): boolean {
    const ts = this.ts;
    if (!ts.isCallExpression(dropped) || !ts.isPropertyAccessExpression(dropped.expression)) return false;
    if (!['then', 'finally'].includes(dropped.expression.name.text)) return false;
    const receiver = skipParens(ts, dropped.expression.expression);
    if (!ts.isIdentifier(receiver) && !(ts.isPropertyAccessExpression(receiver) && ts.isIdentifier(skipParens(ts, receiver.expression)))) return false;
    if (!isTestSourceFile(this.ctx.program, this.ctx.sourceFile)) return false;
    const block = stmt.parent;
    if (!ts.isBlock(block)) return false;
    const text = receiver.getText(this.ctx.sourceFile);
    let awaited = false;
    // Awaited on every path from here: not inside a function, a branch or a loop.
    const visit = (n: TS.Node): void => {
      if (awaited || ts.isFunctionLike(n) || ts.isIfStatement(n) || ts.isIterationStatement(n, false) || ts.isSwitchStatement(n) || ts.isConditionalExpression(n) || ts.isCatchClause(n)) return;
      if (ts.isBinaryExpression(n) && [ts.SyntaxKind.AmpersandAmpersandToken, ts.SyntaxKind.BarBarToken, ts.SyntaxKind.QuestionQuestionToken].includes(n.operatorToken.kind)) return;
      if (ts.isAwaitExpression(n) && skipParens(ts, n.expression).getText(this.ctx.sourceFile) === text) awaited = true;
      else ts.forEachChild(n, visit);
    };
    for (const later of block.statements.slice(block.statements.indexOf(stmt) + 1)) visit(later);
    return awaited;
  }

  /** Reports a return or an await between the creation of the promise and its first handling. */
  private checkPathBeforeHandling(stmt: TS.VariableStatement, name: TS.Identifier, handling: TS.Identifier[], init: TS.Expression): void {
    const found = this.firstExitBeforeHandling(stmt, name, handling);
    const judge = this.judgeAt(stmt);
    if (!found || judge.safeToDrop(init)) return;
    // In a test, a promise awaited later in the same function leaves nothing running after the test,
    // and a rejection while it waits is an unhandled rejection the runner reports as a failure: loud,
    // only the message differs (35 reports of this shape in two projects' tests, none real).
    if (found.kind === 'await' && isTestSourceFile(this.ctx.program, this.ctx.sourceFile)) return;
    const last = this.lastExitBeforeHandling(stmt, handling);
    const reject = this.storedReject(init);
    if (reject && this.deferredNotRejectableBefore(reject, last ?? found.node)) return;
    // A deferred made by a helper (nats.js' `deferred()`) rejects only through its own `reject`, which only this
    // local reaches: if nothing names the local before the last exit, nothing can reject it meanwhile.
    const until = (last ?? found.node).end;
    if (this.rejections.isDeferred(init) && !(this.referencesOf(name, stmt) ?? [name]).some((r) => r.pos < until)) return;
    // A deferred rejects only once something that calls its reject is armed, and more is armed at each later exit:
    // name the last one (piscina's runTask: not the early return before the abort listener, the queue-full return after it).
    const exit = reject && last ? { kind: this.ts.isReturnStatement(last) ? 'return' : 'await', node: last } : found;
    const line = this.ctx.sourceFile.getLineAndCharacterOfPosition(exit.node.getStart(this.ctx.sourceFile)).line + 1;
    this.ctx.report({
      node: name,
      messageId: exit.kind === 'return' ? 'returnBeforeHandled' : 'awaitBeforeHandled',
      data: { name: name.text, line: String(line) },
      related: [{ label: exit.kind === 'return' ? 'returns here' : 'awaits here', node: exit.node }, ...causeRelated(judge.explain(init))],
    });
  }

  /** The last await or return of the function between the declaration and the first handling use. */
  private lastExitBeforeHandling(stmt: TS.VariableStatement, handling: TS.Identifier[]): TS.Node | undefined {
    const ts = this.ts;
    const first = handling.reduce((a, b) => (b.pos < a.pos ? b : a));
    const fn = enclosingFunction(ts, stmt);
    const body = fn ? (fn as TS.FunctionLikeDeclaration).body : this.ctx.sourceFile;
    if (!body) return undefined;
    let last: TS.Node | undefined;
    const visit = (n: TS.Node): void => {
      if (n.end <= stmt.end || n.pos >= first.pos) return; // wholly before the declaration or after the handling
      if (n !== body && isFunctionLike(ts, n)) return;
      if ((ts.isAwaitExpression(n) || ts.isReturnStatement(n) || (ts.isForOfStatement(n) && n.awaitModifier)) && n.pos >= stmt.end && n.end <= first.pos) {
        if (!last || n.end > last.end) last = n;
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
    return last;
  }

  /** `new Promise((res, rej) => { resolve = res; reject = rej; })`, an executor that only stores its functions: the variable `reject` is stored in. */
  private storedReject(init: TS.Expression): StoredReject | undefined {
    const ts = this.ts;
    if (!ts.isNewExpression(init) || !ts.isIdentifier(init.expression) || init.expression.text !== 'Promise') return undefined;
    const executor = init.arguments?.[0] && skipParens(ts, init.arguments[0]);
    if (!executor || (!ts.isArrowFunction(executor) && !ts.isFunctionExpression(executor)) || !ts.isBlock(executor.body)) return undefined;
    const rejectParam = executor.parameters[1]?.name;
    if (!rejectParam || !ts.isIdentifier(rejectParam)) return undefined;
    // The executor only stores its functions: `outer = res` / `outer = rej` statements, nothing that can throw.
    let stored: TS.Symbol | undefined;
    for (const st of executor.body.statements) {
      if (!ts.isExpressionStatement(st)) return undefined;
      const e = skipParens(ts, st.expression);
      if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken || !ts.isIdentifier(e.left)) return undefined;
      const right = skipParens(ts, e.right);
      if (!ts.isIdentifier(right)) return undefined;
      if (right.text === rejectParam.text) stored = this.checker.getSymbolAtLocation(e.left);
    }
    const decl = stored?.valueDeclaration;
    if (!stored || !decl || !ts.isVariableDeclaration(decl)) return undefined;
    return { stored, decl, executor };
  }

  /**
   * A deferred (`let reject; const done = new Promise((res, rej) => { resolve = res; reject = rej; })`) rejects only
   * when its stored `reject` is called. If nothing that can call it exists yet when the function first awaits or
   * returns (every use of that variable comes later in the text, and none is in a hoisted function declaration),
   * it cannot reject before then (tinypool's `destroy()`: the timeout that calls `reject` is armed after the
   * teardown's await).
   */
  private deferredNotRejectableBefore({ stored, decl, executor }: StoredReject, exit: TS.Node): boolean {
    const ts = this.ts;
    const scope = decl.parent.parent.parent; // the block declaring `let reject`
    for (const id of indexFile(ts, this.ctx.sourceFile).identifiersByText.get(stored.name) ?? []) {
      if (id.pos < scope.pos || id.end > scope.end || id === decl.name || isInside(id, executor) || !this.refersTo(id, stored)) continue;
      if (id.pos < exit.end) return false;
      for (let p: TS.Node | undefined = id.parent; p && p !== scope; p = p.parent) if (ts.isFunctionDeclaration(p)) return false;
    }
    return true;
  }

  /**
   * The first return or await between the declaration and the statement of the first handling use.
   * `if (!p) return …` (or `p == null`, `p === undefined`…) without an else leaves on the path where
   * `p` holds no promise: not an exit before handling.
   */
  private firstExitBeforeHandling(stmt: TS.VariableStatement, name: TS.Identifier, handling: TS.Identifier[]): { kind: 'return' | 'await'; node: TS.Node } | undefined {
    const ts = this.ts;
    const container = stmt.parent;
    const statements: readonly TS.Statement[] | undefined =
      ts.isBlock(container) || ts.isSourceFile(container) || ts.isModuleBlock(container) || ts.isCaseClause(container) || ts.isDefaultClause(container)
        ? container.statements
        : undefined;
    if (!statements) return;
    const first = handling.reduce((a, b) => (b.pos < a.pos ? b : a));
    if (first.pos < stmt.end) return;
    const from = statements.indexOf(stmt);
    const to = statements.findIndex((s) => first.pos >= s.pos && first.end <= s.end);
    if (from < 0 || to < 0) return;
    let found: { kind: 'return' | 'await'; node: TS.Node } | undefined;
    for (let i = from + 1; i < to && !found; i++) {
      const s = statements[i]!;
      // A nested function declared in between runs later, if at all: its returns and awaits are not on this path.
      if (isFunctionLike(ts, s) || ts.isClassDeclaration(s)) continue;
      if (ts.isIfStatement(s) && !s.elseStatement && this.testsNullish(s.expression, name.text)) continue;
      const check = (n: TS.Node): void => {
        if (found) return;
        if (ts.isReturnStatement(n)) found = { kind: 'return', node: n };
        else if (ts.isAwaitExpression(n)) found = { kind: 'await', node: n };
        else if (ts.isForOfStatement(n) && n.awaitModifier) found = { kind: 'await', node: n };
      };
      check(s);
      forEachInFunctionBody(ts, s, check);
    }
    return found;
  }

  /** `!x`, `x == null`, `x === null`, `x === undefined`, `x == undefined`: true only where `x` is nullish (or falsy). */
  private testsNullish(cond: TS.Expression, name: string): boolean {
    const ts = this.ts;
    const e = skipParens(ts, cond);
    const isName = (x: TS.Expression) => {
      const y = skipParens(ts, x);
      return ts.isIdentifier(y) && y.text === name;
    };
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) return isName(e.operand);
    if (!ts.isBinaryExpression(e)) return false;
    const op = e.operatorToken.kind;
    if (op !== ts.SyntaxKind.EqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsEqualsToken) return false;
    return (isName(e.left) && isNullishLiteral(ts, e.right)) || (isName(e.right) && isNullishLiteral(ts, e.left));
  }

  // ------------------------------------------------------------ arguments

  private checkArguments(call: TS.CallExpression | TS.NewExpression): void {
    const ts = this.ts;
    const args = call.arguments;
    if (!args || args.length === 0) return;
    args.forEach((arg, i) => {
      const e = skipParens(ts, arg);
      if (!ts.isCallExpression(e) && !ts.isNewExpression(e)) return;
      // Syntax and declarations first: only a callee with an unknown/object/{} parameter here can be reported.
      // The name test needs no checker; the argument's own callee is usually cheaper to resolve than the
      // outer one (`x.pipe(Effect.map(…))` resolves `x`), so it is asked second.
      if (!calleeMayTakeOpaqueParameter(ts, this.ctx.program, call, i)) return;
      if (!mayReturnPromise(ts, this.ctx.program, e)) return;
      if (!mayTakeOpaqueParameter(ts, this.checker, call, i)) return;
      if (this.isAllowedCall(e) || !this.isPromise(e)) return;
      const declared = declaredParameterType(ts, this.checker, call, i);
      if (!declared || acceptsPromise(ts, this.ctx.program, declared, e)) return;
      if (this.rejections.safeToDrop(e)) return;
      const suggestions: Suggestion[] = [];
      if (canAwaitAt(ts, e, this.ctx.sourceFile)) {
        suggestions.push({ messageId: 'addAwait', edits: [{ start: e.getStart(this.ctx.sourceFile), end: e.getEnd(), text: `await ${e.getText(this.ctx.sourceFile)}` }] });
      }
      this.ctx.report({ node: e, messageId: 'passedToNonPromise', data: { type: this.checker.typeToString(declared) }, suggestions });
    });
  }
}

/** `name!(…)` somewhere in `root` (names compared as written). */
function assertsCalled(ts: typeof TS, root: TS.Node, name: string): boolean {
  let found = false;
  const walk = (n: TS.Node): void => {
    if (found) return;
    const callee = ts.isCallExpression(n) ? skipParens(ts, n.expression) : undefined;
    const asserted = callee && ts.isNonNullExpression(callee) ? skipParens(ts, callee.expression) : undefined;
    if (asserted && ts.isIdentifier(asserted) && asserted.text === name) found = true;
    ts.forEachChild(n, walk);
  };
  walk(root);
  return found;
}
