/**
 * "Can this promise reject, and is its rejection already handled?": what a
 * dropped promise can do, judged from the code that makes it.
 *
 * Two questions about a promise-valued expression:
 *  - `drop`: nothing is lost if nobody handles this value: it cannot reject, or
 *    the promise object already has a rejection handler (`p.catch(h)`,
 *    `p.then(a, h)`, or a `p.catch(h)` statement next to `const p = …`);
 *  - `never`: it cannot reject at all (so a `.then(f)` on it rejects only if `f` throws).
 *
 * Answers come from the bodies of the functions a call runs (per-function
 * summaries, computed on demand and memoised per Program). Both front ends read
 * the bodies in every source file of the program (the ESLint rule in the program
 * typescript-eslint built, the analyser in its own). Everything
 * unknown (a declaration file's function, a parameter, a call of
 * something we cannot resolve) may reject, and any call may throw unless its
 * body shows it cannot or it is one of a few built-ins that never throw.
 *
 * Nothing here is asked on a hot path: the checks consult it only for a promise
 * they are about to report.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { indexFile } from './file-index.js';
import { privateCallArguments } from './private-calls.js';
import { bindingHolder, enclosingFunction, hasModifier, isAssignmentOperator, isFunctionLike, isNullishLiteral, parentSkippingParens, referencesIn } from './syntax.js';
import { declarationPackage, isDeclaredInPackage, isImportedFrom, isPromiseLikeType, isPromiseType, resolveAlias, unionParts } from './types.js';

type Fn = TS.FunctionLikeDeclaration;

export interface Outcome {
  /** Dropping the value loses no rejection (it cannot reject, or a handler is attached). */
  drop: boolean;
  /** The promise cannot reject. */
  never: boolean;
}

const SAFE: Outcome = { drop: true, never: true };
const UNKNOWN: Outcome = { drop: false, never: false };
const and = (a: Outcome, b: Outcome): Outcome => ({ drop: a.drop && b.drop, never: a.never && b.never });

/** What a parameter is bound to at a call we follow: the argument and where it is evaluated (undefined: no argument). */
interface Binding {
  expr: TS.Expression | undefined;
  env: Env;
  /** A rest parameter: the arguments it collects (`emit(event, ...args)` called as `emit("debug", { action })`). */
  rest?: readonly TS.Expression[];
}

/**
 * Parameters bound at the call being followed (`calls`: how many calls deep the
 * bindings go), and the current states of the locals we track through a body.
 */
interface Env {
  params: ReadonlyMap<TS.Node, Binding>;
  calls: number;
  locals?: ReadonlyMap<TS.Node, Outcome>;
  /** The followed call's arguments, for `arguments[i]` in the body of `fn` (colyseus' `this.unlock.call(this, true)`). */
  args?: { fn: Fn; exprs: readonly TS.Expression[]; env: Env };
  /**
   * `this.x` fields the body has just set to a known value (`this._lockedExplicitly = arguments[0] === undefined`),
   * valid until a statement that may run other code (a call, an await) or writes them.
   */
  facts?: ReadonlyMap<string, Known>;
  /**
   * Parameters the body assigns that still hold their argument at this point of a straight walk (no write has run
   * yet: ethers' `if (Array.isArray(_event)) _event = { topics: _event }`, skipped for a name).
   */
  flow?: ReadonlySet<TS.Node>;
}

/** The env decides `if`s: parameters or arguments bound at a followed call, or fields set just before. */
const decides = (env: Env): boolean => env.params.size > 0 || env.args !== undefined || (env.facts?.size ?? 0) > 0;

const EMPTY: Env = { params: new Map(), calls: 0 };

/**
 * Arguments are followed this many calls deep from the promise being judged;
 * deeper, a function is judged on its own (memoised, the same from any caller).
 */
const MAX_BOUND_CALLS = 3;

/** A value known from the syntax: undefined, a primitive, an object literal; `unknown` otherwise. */
/** `undefined` and `null` (`isNull`), alike to truthiness and `==`, apart to `===`. */
type Known =
  | { kind: 'undefined'; isNull?: boolean }
  | { kind: 'primitive'; value: unknown }
  | { kind: 'object'; literal: TS.ObjectLiteralExpression; env: Env }
  | { kind: 'array'; elements: readonly TS.Expression[]; env: Env }
  | { kind: 'unknown' };
const UNKNOWN_VALUE: Known = { kind: 'unknown' };

/** Built-in functions and methods that never throw on the arguments their types allow. */
const SAFE_GLOBAL_CALLS = new Set([
  'clearTimeout',
  'clearInterval',
  'clearImmediate',
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'isNaN',
  'isFinite',
  // Conversions: as with template literals, a throwing toString/valueOf is not followed.
  'String',
  'Number',
  'Boolean',
  'parseInt',
  'parseFloat',
]);
const SAFE_STATIC_CALLS: Record<string, Set<string> | 'all'> = {
  console: 'all',
  Math: 'all',
  Date: new Set(['now']),
  Array: new Set(['isArray']),
  Number: new Set(['isFinite', 'isNaN', 'isInteger', 'isSafeInteger']),
  Object: new Set(['is', 'keys', 'values', 'entries', 'assign', 'freeze', 'hasOwn']),
  Promise: new Set(['resolve', 'reject', 'all', 'allSettled', 'race', 'any', 'withResolvers']),
  // exit() never returns; nextTick() only queues.
  process: new Set(['exit', 'nextTick']),
};
/** Methods that call nothing of the user's, by the type declaring them (in a declaration file). */
const COLLECTION_METHODS = new Set(['push', 'pop', 'shift', 'unshift', 'slice', 'concat', 'includes', 'indexOf', 'lastIndexOf', 'at', 'get', 'set', 'has', 'delete', 'add', 'clear', 'keys', 'values', 'entries', 'join', 'reverse', 'fill', 'splice', 'flat']);
/** String methods that cannot throw on the arguments their types allow (not `normalize`, `repeat`: RangeError). */
const STRING_METHODS = new Set([
  'at',
  'charAt',
  'charCodeAt',
  'codePointAt',
  'concat',
  'endsWith',
  'includes',
  'indexOf',
  'lastIndexOf',
  'padEnd',
  'padStart',
  'slice',
  'split',
  'startsWith',
  'substring',
  'substr',
  'toLowerCase',
  'toUpperCase',
  'toLocaleLowerCase',
  'toLocaleUpperCase',
  'toString',
  'trim',
  'trimEnd',
  'trimStart',
  'valueOf',
]);
/**
 * String methods that compile their first argument into a RegExp (a bad pattern string throws): safe given a regex
 * literal, as RegExp's own matching methods are on a RegExp (`/^0x[0-9a-f]*$/.test(s)`, `s.match(/…/)`).
 */
const PATTERN_METHODS: Record<string, ReadonlySet<string>> = { String: new Set(['match', 'search']), RegExp: new Set(['test', 'exec']) };
/** Array methods that change the array they are called on. */
const ARRAY_MUTATORS = new Set(['push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin']);
/** Listener bookkeeping on emitters; `emit` is taken not to throw (a listener's throw is the listener's hazard). */
const EMITTER_METHODS = new Set(['emit', 'on', 'once', 'off', 'addListener', 'removeListener', 'removeAllListeners', 'prependListener', 'prependOnceListener', 'listenerCount', 'setMaxListeners']);
const SAFE_METHODS: Record<string, ReadonlySet<string>> = {
  Array: COLLECTION_METHODS,
  ReadonlyArray: COLLECTION_METHODS,
  Map: COLLECTION_METHODS,
  ReadonlyMap: COLLECTION_METHODS,
  Set: COLLECTION_METHODS,
  ReadonlySet: COLLECTION_METHODS,
  WeakMap: COLLECTION_METHODS,
  WeakSet: COLLECTION_METHODS,
  String: STRING_METHODS,
  // bind() only makes a new function (the types rule out a receiver that is not one).
  Function: new Set(['bind']),
  CallableFunction: new Set(['bind']),
  NewableFunction: new Set(['bind']),
  // abort() runs the signal's listeners, whose throws are reported as uncaught, not thrown to the caller.
  AbortController: new Set(['abort']),
  EventEmitter: EMITTER_METHODS,
  EventTarget: new Set(['addEventListener', 'removeEventListener']),
  // Node's streams report write/end failures through 'error' and the callback, not by throwing.
  Writable: new Set(['write', 'end', 'cork', 'uncork', 'setDefaultEncoding']),
  WritableStream: new Set(['write', 'end']), // NodeJS.WritableStream (process.stdout's global type)
  Duplex: new Set(['write', 'end', 'cork', 'uncork', 'setDefaultEncoding']),
  Socket: new Set(['write', 'end', 'setEncoding', 'setKeepAlive', 'setNoDelay', 'setTimeout', 'pause', 'resume', 'ref', 'unref']),
  // tty.ReadStream#setRawMode reports a failure as an 'error' event.
  ReadStream: new Set(['setRawMode']),
};
/** Uses of an array or map that neither add to it nor hand it on (storedValues). */
const ARRAY_READS = new Set(['at', 'find', 'findLast', 'findIndex', 'includes', 'indexOf', 'shift', 'pop', 'slice', 'forEach', 'map', 'filter', 'some', 'every', 'join', 'keys', 'values', 'entries']);
const MAP_READS = new Set(['get', 'has', 'delete', 'clear', 'forEach', 'keys', 'values', 'entries']);
/** Reads of a value stored in a collection earlier (a Map of pending promises): what was stored there is not followed, except in a collection storedValues sees whole. */
const STORED_READ_METHODS: Record<string, ReadonlySet<string>> = {
  Map: new Set(['get']),
  ReadonlyMap: new Set(['get']),
  WeakMap: new Set(['get']),
  Array: new Set(['at', 'find', 'findLast', 'shift', 'pop']),
  ReadonlyArray: new Set(['at', 'find', 'findLast']),
};
/**
 * Built-in methods taking callbacks: they throw only what a callback throws, so
 * the call may throw exactly when one of its function arguments may
 * (`reduce` without an initial value throws on an empty array: it needs two arguments).
 */
const ITERATION_METHODS = new Set(['forEach', 'map', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap', 'reduce', 'reduceRight', 'sort', 'toSorted']);
const CALLBACK_METHODS: Record<string, ReadonlySet<string>> = {
  Array: ITERATION_METHODS,
  ReadonlyArray: ITERATION_METHODS,
  Map: new Set(['forEach']),
  ReadonlyMap: new Set(['forEach']),
  Set: new Set(['forEach']),
  ReadonlySet: new Set(['forEach']),
};
/**
 * readline's Interface: question() and close() are taken not to throw (question()
 * after close() throws ERR_USE_AFTER_CLOSE: an assumption the docs state). Matched
 * by the module declaring the class, since `Interface` is a common name.
 */
const READLINE_METHODS = new Set(['question', 'close', 'prompt', 'setPrompt', 'pause', 'resume', 'write']);
const READLINE_MODULES = new Set(['readline', 'node:readline']);
/**
 * node:path's string functions: they throw only a TypeError on a non-string argument, which the types rule out
 * (`resolve` also reads process.cwd(), which fails only when the working directory was deleted).
 */
const PATH_FUNCTIONS = new Set(['normalize', 'join', 'resolve', 'dirname', 'basename', 'extname', 'relative', 'isAbsolute', 'parse', 'format', 'toNamespacedPath']);
/**
 * Library methods that throw in a state the code cannot see, and do so in ordinary use: a stream controller's
 * `close()` and `enqueue()` throw a TypeError once the stream is closed, errored or cancelled by its consumer (a
 * reader that stopped early). Counted like a `throw` written in the body, by the lenient judge too.
 */
const STATE_THROWING_METHODS: Record<string, ReadonlySet<string>> = {
  ReadableStreamDefaultController: new Set(['close', 'enqueue']),
  ReadableByteStreamController: new Set(['close', 'enqueue']),
  TransformStreamDefaultController: new Set(['enqueue']),
};
/** Built-in methods whose promise never rejects: worker_threads' Worker#terminate() settles with the exit code. */
const NEVER_REJECTING_METHODS: Record<string, ReadonlySet<string>> = {
  Worker: new Set(['terminate']),
};
/**
 * Packages whose functions return the promise they are given (their declaration
 * files cannot show it): standard-as-callback's `asCallback(promise, callback?)`
 * attaches the callback, when there is one, and returns `promise` itself.
 */
const RETURNS_FIRST_ARGUMENT = new Set(['standard-as-callback']);
/** Google's promisify, which appends a node-style callback as node:util's does (see `isPromisifiedWait`). */
const GOOGLE_PROMISIFY = new Set(['@google-cloud/promisify']);
/** Built-in constructors that never throw on the arguments their types allow (`new Promise` turns an executor's throw into a rejection). */
// Date: an invalid argument makes an Invalid Date, never a throw.
const SAFE_CONSTRUCTORS = new Set(['Date', 'Promise', 'Error', 'TypeError', 'RangeError', 'SyntaxError', 'ReferenceError', 'EvalError', 'URIError', 'AggregateError', 'Map', 'Set', 'WeakMap', 'WeakSet', 'AbortController', 'Object']);

/**
 * A guard against runaway recursion only: summaries nest as deep as the code's
 * call chains (a cycle is cut where it closes). Past this, the answer is "unknown".
 */
const MAX_DEPTH = 200;

/**
 * Why a promise may reject, for a finding's related location: the first call or `throw` found that nothing
 * shows safe. `unseen`: a call whose body is out of view (a declaration file, another file for the ESLint rule,
 * something unresolved); `unseen-throws`: such a call that may also throw synchronously; `throws`: a `throw`; `state-throws`: a library call that throws in a state the code cannot see (a closed stream's controller);
 * `callee-throws`: a call whose body (out of view) may throw; `rejects`: where a `new Promise` executor names its `reject`;
 * `iterates`: iterating (for…of, spread, array destructuring) a value that is not a built-in collection;
 * `received`: a promise the function was handed (a parameter's value, which its callers decide);
 * `stored`: a promise read from a property whose values are not followed (anyone with the object may store one there);
 * `element`: a promise read from an element of an array, map or record (`queue[queue.length - 2]`, `running.get(id)`), whose contents are not followed.
 */
export type RejectionCauseKind = 'unseen' | 'unseen-throws' | 'throws' | 'state-throws' | 'callee-throws' | 'rejects' | 'iterates' | 'received' | 'stored' | 'element';
export interface RejectionCause {
  kind: RejectionCauseKind;
  node: TS.Node;
}
const CAUSE_LABELS: Record<RejectionCauseKind, string> = {
  unseen: 'may reject here (asyncsan cannot see what this call does)',
  'unseen-throws': 'may throw here (asyncsan cannot see what this call does)',
  throws: 'throws here',
  'state-throws': 'throws here once the stream is closed, errored or cancelled (a consumer that stopped reading)',
  'callee-throws': 'may throw here (asyncsan cannot see the body of the function called)',
  rejects: "may reject here (the `new Promise` executor's reject)",
  iterates: 'may throw here (iterating a value whose iterator asyncsan cannot see)',
  received: 'may reject: a promise handed to this parameter (its callers decide)',
  stored: 'may reject: a promise read from this property (asyncsan does not follow what is stored in it)',
  element: 'may reject: a promise read from a collection (asyncsan does not follow what is stored in the array, map or record)',
};

/** A finding's related location naming why its promise may reject (none when no cause was found). */
export function causeRelated(cause: RejectionCause | undefined): { label: string; node: TS.Node }[] {
  return cause ? [{ label: CAUSE_LABELS[cause.kind], node: cause.node }] : [];
}

/** Walks of every file in scope, built on first use (symbols are resolved on demand). */
interface SyntaxIndexes {
  /** `return x.p` in the scope's bodies, by property name. */
  returnedReads?: Map<string, TS.PropertyAccessExpression[]>;
  /** `C.prototype.m = function …` at the top level of the scope's files, by method name. */
  prototypeAssignments?: Map<string, { owner: TS.Identifier; fn: Fn }[]>;
  /** The targets of assignments `x.p = …` (and `x['p'] = …`, `??=`, `||=`, `&&=`) in the scope's files, by property name. */
  assignedProperties?: Map<string, TS.Expression[]>;
  /** The members of classes that extend another, by name (for the overrides a method call may run). */
  subclassMembers?: Map<string, { member: TS.ClassElement; cls: TS.ClassLikeDeclaration }[]>;
}

/** An explanation re-walks the code without the memo: this many steps at most, then none is given. */
const EXPLAIN_BUDGET = 20_000;
const OUT_OF_BUDGET = Symbol('out of budget');

export class Rejections {
  private readonly checker: TS.TypeChecker;
  private readonly asyncMemo = new Map<Fn, boolean>();
  private readonly throwMemo = new Map<Fn, boolean>();
  private readonly generatorMemo = new Map<Fn, boolean>();
  private readonly awaitedGeneratorMemo = new Map<Fn, boolean>();
  private readonly returnMemo = new Map<Fn, Outcome>();
  private readonly constMemo = new Map<TS.VariableDeclaration, Outcome>();
  private readonly fieldMemo = new Map<TS.Node, TS.Expression[] | null>();
  private readonly letMemo = new Map<TS.VariableDeclaration, Outcome>();
  private readonly bindingMemo = new Map<TS.BindingElement, Outcome>();
  private readonly aliasMemo = new Map<TS.VariableDeclaration, Fn[] | undefined>();
  private readonly fieldFunctionsMemo = new Map<TS.PropertyDeclaration, Fn[] | undefined>();
  private readonly letValuesMemo = new Map<TS.VariableDeclaration, TS.Expression[] | null>();
  private readonly deferredFieldMemo = new Map<TS.Symbol, boolean>();
  private readonly deferredHelperMemo = new Map<Fn, boolean>();
  private readonly active = new Set<object>();
  /** Async functions being judged with a call's arguments bound (see `neverRejectsBound`). */
  private readonly boundActive = new Set<Fn>();
  private depth = 0;
  /** Only on an instance made to explain one answer (`explain`): the causes found so far, in order. */
  private causes: { kind: RejectionCauseKind | 'body-out-of-view'; node: TS.Node }[] | undefined;
  private steps = 0;
  /** Only on an explanation's second walk: synchronous throws are passed over (see `explain`). */
  private syncThrowsIgnored = false;
  /**
   * Only on `lenient()`'s instance: a synchronous call is taken not to throw (nor iterating a value); a `throw`
   * written in the body of the async function, callback or executor itself still counts.
   */
  private callThrowsIgnored = false;
  private lenientTwin: Rejections | undefined;
  /** Counts answers cut short (a cycle, or too deep): only answers computed without a cut are memoised, so they do not depend on where a query started. */
  private cuts = 0;

  /** `indexes`: the program's syntax indexes, shared with the instances made from this one (they do not depend on any answer). */
  constructor(
    private readonly ts: TypeScript,
    private readonly program: TS.Program,
    private readonly indexes: SyntaxIndexes = {},
  ) {
    this.checker = program.getTypeChecker();
  }

  // ------------------------------------------------------------ questions

  /** Dropping this promise-valued expression loses no rejection. */
  safeToDrop(expr: TS.Expression): boolean {
    const o = this.outcome(expr, EMPTY);
    return o.drop || o.never;
  }

  /** The promise cannot reject at all (a handler attached elsewhere does not count: never-settling-promise's question). */
  cannotReject(expr: TS.Expression): boolean {
    return this.outcome(expr, EMPTY).never;
  }

  /** A call of a helper that makes a deferred (a promise whose `resolve` and `reject` are attached to it): it rejects only through that `reject`. */
  isDeferred(expr: TS.Expression): boolean {
    return this.isDeferredCall(expr);
  }

  /**
   * Why the promise-valued expression (or the void callback, `callback: true`) may lose a rejection: the first
   * cause found, but a rejection of something awaited before a synchronous throw when both are there. A fresh walk
   * without the memo (so every cause is seen where it arises), within a step budget; undefined when it finds none it
   * can name or runs out. Asked only for a promise about to be reported.
   */
  explain(expr: TS.Expression | Fn, callback = false): RejectionCause | undefined {
    const first = this.firstCause(expr, callback, false);
    if (!first || first.kind === 'unseen' || first.kind === 'rejects' || first.kind === 'iterates' || first.kind === 'received' || first.kind === 'stored' || first.kind === 'element') return first;
    // A synchronous throw was found first (an invariant, a listener): a rejection of something awaited, where there
    // is one, is the likelier path and the one a reader looks for.
    const awaited = this.firstCause(expr, callback, true);
    // The same call both ways (`return JSON.parse(text)`, typed any): it is its throw that is sure.
    if (awaited && awaited.node !== first.node) return awaited;
    // A call that may throw was found first: a `throw` written further on is sure (vscode-jsonrpc's executor builds a
    // ResponseError, whose constructor calls Object.setPrototypeOf, then rethrows).
    if (first.kind !== 'throws' && !this.callThrowsIgnored) {
      const written = this.firstCause(expr, callback, false, true);
      if (written?.kind === 'throws') return written;
    }
    return first;
  }

  private firstCause(expr: TS.Expression | Fn, callback: boolean, ignoreSyncThrows: boolean, ignoreCallThrows = this.callThrowsIgnored): RejectionCause | undefined {
    const fresh = new Rejections(this.ts, this.program, this.indexes);
    fresh.causes = [];
    fresh.syncThrowsIgnored = ignoreSyncThrows;
    // A lenient answer is explained leniently: by what it still counts.
    fresh.callThrowsIgnored = ignoreCallThrows;
    try {
      if (callback ? fresh.callbackSafe(expr) : fresh.safeToDrop(expr as TS.Expression)) return undefined;
    } catch (e) {
      if (e === OUT_OF_BUDGET) return undefined;
      throw e;
    }
    const causes = fresh.causes;
    for (let i = 0; i < causes.length; i++) {
      const c = causes[i]!;
      // A body out of view is named where it is called (the next cause).
      if (c.kind === 'body-out-of-view') {
        const call = causes.slice(i + 1).find((x) => x.kind === 'callee-throws');
        if (call) return { kind: 'callee-throws', node: call.node };
        continue;
      }
      if (c.kind !== 'callee-throws') return { kind: c.kind, node: c.node };
    }
    return undefined;
  }

  /**
   * The same questions, with synchronous calls taken not to throw: what a dropped promise or async callback loses
   * then comes from something asynchronous failing (an awaited promise, an executor's reject) or a `throw` written
   * in its own body. One instance per program, memoised like this one.
   */
  lenient(): Rejections {
    if (!this.lenientTwin) {
      const twin = new Rejections(this.ts, this.program, this.indexes);
      twin.callThrowsIgnored = true;
      this.lenientTwin = twin;
    }
    return this.lenientTwin;
  }

  private cause(kind: RejectionCauseKind | 'body-out-of-view', node: TS.Node): void {
    this.causes?.push({ kind, node });
  }

  /** A synchronous throw: true, except in an explanation's second walk, which looks past them for a rejection. */
  private throwing(kind: 'throws' | 'state-throws' | 'unseen-throws' | 'callee-throws', node: TS.Node): boolean {
    this.cause(kind, node);
    return !this.syncThrowsIgnored && !(this.callThrowsIgnored && kind !== 'throws' && kind !== 'state-throws');
  }

  /**
   * A function given where its result is ignored (a void callback): true when the
   * promise it returns loses no rejection. Async functions must not reject at all.
   */
  callbackSafe(fn: TS.Expression | Fn): boolean {
    // A method or function declaration itself (an async method where its base expects a void one).
    const ts = this.ts;
    if (ts.isMethodDeclaration(fn) || ts.isFunctionDeclaration(fn)) return this.readable(fn) && this.fnOutcome(fn, EMPTY).drop;
    const e = this.unwrap(fn as TS.Expression);
    const fns = ts.isArrowFunction(e) || ts.isFunctionExpression(e) ? (this.readable(e) ? [e] : undefined) : this.functionsOf(e);
    return fns !== undefined && fns.length > 0 && fns.every((f) => this.fnOutcome(f, EMPTY).drop);
  }

  /**
   * Every body the function expression (or reference) can be, in scope, ends with
   * `process.exit(…)` as its last statement (directly, or in a `finally`).
   */
  endsByExiting(fn: TS.Expression): boolean {
    const ts = this.ts;
    const e = this.unwrap(fn);
    const fns = ts.isArrowFunction(e) || ts.isFunctionExpression(e) ? (this.readable(e) ? [e] : undefined) : this.functionsOf(e);
    return (
      fns !== undefined &&
      fns.length > 0 &&
      fns.every((f) => {
        if (!f.body || !ts.isBlock(f.body)) return false;
        const last = f.body.statements[f.body.statements.length - 1];
        if (!last) return false;
        if (ts.isTryStatement(last) && last.finallyBlock) return this.exitsAtEnd(last.finallyBlock);
        return this.exitsAtEnd(f.body);
      })
    );
  }

  /** The async function (or method) never rejects: its body cannot throw and everything it awaits or returns cannot reject. */
  asyncFunctionNeverRejects(fn: Fn): boolean {
    return this.readable(fn) && this.asyncNeverRejects(fn);
  }

  // ------------------------------------------------------------ scope and memo

  private readable(node: TS.Node): boolean {
    const sf = node.getSourceFile();
    return !sf.isDeclarationFile;
  }

  /** Computes `compute()` once per key (when exact), or `fallback` on a cycle or past MAX_DEPTH. */
  /**
   * Only answers computed without a cut are stored, and a stored answer is the one
   * any caller would compute: so an answer depends on the question alone, not on
   * which files were checked before (threads see the same findings).
   */
  private memo<K extends object, V>(map: Map<K, V>, key: K, fallback: V, compute: () => V, cache = true): V {
    if (this.causes && ++this.steps > EXPLAIN_BUDGET) throw OUT_OF_BUDGET;
    if (cache && !this.causes && map.has(key)) return map.get(key)!;
    if (this.active.has(key) || this.depth >= MAX_DEPTH) {
      this.cuts++;
      return fallback;
    }
    this.active.add(key);
    this.depth++;
    const before = this.cuts;
    try {
      const value = compute();
      if (cache && this.cuts === before) map.set(key, value);
      return value;
    } finally {
      this.depth--;
      this.active.delete(key);
    }
  }

  private unwrap(expr: TS.Expression): TS.Expression {
    const ts = this.ts;
    let e = expr;
    while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isNonNullExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    return e;
  }

  /** The value may be a promise or another thenable (any, unknown and open types may be). */
  private maybePromise(node: TS.Node): boolean {
    const F = this.ts.TypeFlags;
    const open = F.Any | F.Unknown | F.TypeParameter | F.IndexedAccess | F.Conditional | F.Substitution;
    const closed = F.StringLike | F.NumberLike | F.BigIntLike | F.BooleanLike | F.ESSymbolLike | F.Void | F.Undefined | F.Null | F.Never | F.EnumLike;
    const type = this.checker.getTypeAtLocation(node);
    // `this` is typed by the polymorphic this-type, a type parameter: it is an instance of the class (a subclass
    // that is a thenable is not assumed), so `return this` in an async method (chokidar's `_emit`) is a plain value.
    const own = node.kind === this.ts.SyntaxKind.ThisKeyword ? this.checker.getApparentType(type) : type;
    return unionParts(own).some((t) => {
      if (t.flags & open) return true;
      if (t.flags & closed) return false;
      return this.checker.getApparentType(t).getProperty('then') !== undefined;
    });
  }

  private symbolOf(node: TS.Node): TS.Symbol | undefined {
    const s = this.checker.getSymbolAtLocation(node);
    return s ? resolveAlias(this.ts, this.checker, s) : undefined;
  }

  /** `undefined`, not shadowed by a local (the checker's own symbol for it has no declarations). */
  private isUndefined(id: TS.Identifier): boolean {
    if (id.text !== 'undefined') return false;
    const s = this.checker.getSymbolAtLocation(id);
    return !s || !(s.getDeclarations() ?? []).some((d) => !d.getSourceFile().isDeclarationFile);
  }

  /** A global from a declaration file (the default lib, @types/node): `console`, `Promise`, `Math`. */
  private isGlobal(id: TS.Identifier): boolean {
    const s = this.checker.getSymbolAtLocation(id);
    return s !== undefined && (s.getDeclarations() ?? []).length > 0 && s.getDeclarations()!.every((d) => d.getSourceFile().isDeclarationFile);
  }

  // ------------------------------------------------------------ outcomes of promise values

  private outcome(expr: TS.Expression, env: Env): Outcome {
    if (!this.causes) return this.outcomeOf(expr, env);
    // Causes found under an answer that turned out safe (a `.catch()` attached, a branch that cannot run) are dropped.
    const mark = this.causes.length;
    const o = this.outcomeOf(expr, env);
    if (o.never) this.causes.length = mark;
    return o;
  }

  private outcomeOf(expr: TS.Expression, env: Env): Outcome {
    const ts = this.ts;
    const e = this.unwrap(expr);
    if (ts.isVoidExpression(e) || ts.isLiteralExpression(e) || ts.isTemplateExpression(e) || ts.isNoSubstitutionTemplateLiteral(e)) return SAFE;
    if (e.kind === ts.SyntaxKind.TrueKeyword || e.kind === ts.SyntaxKind.FalseKeyword || e.kind === ts.SyntaxKind.NullKeyword) return SAFE;
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e) || ts.isObjectLiteralExpression(e) || ts.isArrayLiteralExpression(e)) return SAFE;
    if (ts.isAwaitExpression(e) || ts.isTypeOfExpression(e) || ts.isDeleteExpression(e) || ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) return SAFE;
    if (ts.isConditionalExpression(e)) {
      const c = this.truthOf(e.condition, env);
      if (c === true) return this.outcome(e.whenTrue, env);
      if (c === false) return this.outcome(e.whenFalse, env);
      return and(this.outcome(e.whenTrue, env), this.outcome(e.whenFalse, env));
    }
    if (ts.isBinaryExpression(e)) {
      const op = e.operatorToken.kind;
      const SK = ts.SyntaxKind;
      if (op === SK.CommaToken) return this.outcome(e.right, env);
      if (op === SK.AmpersandAmpersandToken || op === SK.BarBarToken || op === SK.QuestionQuestionToken) return and(this.outcome(e.left, env), this.outcome(e.right, env));
      if (op === SK.EqualsToken) return this.outcome(e.right, env);
      return this.maybePromise(e) ? UNKNOWN : SAFE;
    }
    if (ts.isCallExpression(e)) return this.callOutcome(e, env);
    if (ts.isNewExpression(e)) {
      if (this.newPromiseNeverRejects(e) || !this.maybePromise(e)) return SAFE;
      // `new Promise(…)` has its cause named in its executor; another class's thenable is code not followed.
      const ctor = this.unwrap(e.expression);
      if (!(ts.isIdentifier(ctor) && ctor.text === 'Promise' && this.isGlobal(ctor))) this.cause('unseen', e);
      return UNKNOWN;
    }
    if (ts.isIdentifier(e)) return this.identifierOutcome(e, env);
    if (ts.isPropertyAccessExpression(e)) {
      let o: Outcome | undefined;
      if (e.expression.kind === ts.SyntaxKind.ThisKeyword) {
        const values = this.fieldValues(e);
        if (values) o = values.reduce<Outcome>((acc, v) => and(acc, this.outcome(v, EMPTY)), SAFE);
      }
      if (o?.drop) return o;
      if (!this.maybePromise(e)) return SAFE;
      if (this.deferredNobodyRejects(e)) return SAFE;
      // A shared promise: the same property is returned to callers somewhere, who observe it.
      if (this.isReturnedProperty(e)) return { drop: true, never: o?.never ?? false };
      if (!o) this.cause('stored', e);
      return o ?? UNKNOWN;
    }
    if (!this.maybePromise(e)) return SAFE;
    // apollo-server's heartbeat callback awaits `queue[queue.length - 2]`: without a cause, its report named no reason.
    if (ts.isElementAccessExpression(e)) {
      const held = this.storedOutcome(e.expression);
      if (held) return held;
      this.cause('element', e);
    }
    return UNKNOWN;
  }

  /**
   * The property read is one some function of the scope returns to its callers
   * (`exec()` returns `this.promise`, `sendCommand(c)` returns `c.promise`): the
   * promise it holds is shared, and whoever received it observes its rejection.
   */
  private isReturnedProperty(read: TS.PropertyAccessExpression): boolean {
    const ts = this.ts;
    const decl = this.symbolOf(read.name)?.valueDeclaration;
    if (!decl || !(ts.isPropertyDeclaration(decl) || ts.isPropertySignature(decl) || ts.isParameter(decl))) return false;
    const candidates = this.returnedPropertyReads().get(read.name.text) ?? [];
    return candidates.some((r) => this.symbolOf(r.name)?.valueDeclaration === decl);
  }

  private returnedPropertyReads(): Map<string, TS.PropertyAccessExpression[]> {
    if (this.indexes.returnedReads) return this.indexes.returnedReads;
    const ts = this.ts;
    const out = new Map<string, TS.PropertyAccessExpression[]>();
    const add = (x: TS.Expression) => {
      const e = this.unwrap(x);
      if (!ts.isPropertyAccessExpression(e)) return;
      const list = out.get(e.name.text);
      if (list) list.push(e);
      else out.set(e.name.text, [e]);
    };
    const visit = (n: TS.Node): void => {
      if (ts.isReturnStatement(n) && n.expression) add(n.expression);
      else if (ts.isArrowFunction(n) && !ts.isBlock(n.body)) add(n.body);
      ts.forEachChild(n, visit);
    };
    for (const sf of this.scopeFiles()) visit(sf);
    return (this.indexes.returnedReads = out);
  }

  /** The files whose bodies may be read. */
  private scopeFiles(): readonly TS.SourceFile[] {
    return this.program.getSourceFiles().filter((f) => !f.isDeclarationFile);
  }

  private identifierOutcome(id: TS.Identifier, env: Env): Outcome {
    const ts = this.ts;
    if (this.isUndefined(id)) return SAFE;
    // `{ promise }`: the variable the shorthand property takes its value from, not the property.
    const shorthand = ts.isShorthandPropertyAssignment(id.parent) && id.parent.name === id ? this.checker.getShorthandAssignmentValueSymbol(id.parent) : undefined;
    const sym = shorthand ? resolveAlias(ts, this.checker, shorthand) : this.symbolOf(id);
    const decl = sym?.valueDeclaration;
    if (decl) {
      const local = env.locals?.get(decl);
      if (local) return local;
      // typeorm's lazy relation `setPromise(entity, value)`: `value.then(store); return value`. The promise handed
      // back already has a reaction: its rejection goes on to that chain, whose own drop is reported there.
      if (ts.isParameter(decl) && ts.isIdentifier(decl.name) && ts.isReturnStatement(parentSkippingParens(ts, id)) && this.reactedToBeforeReturn(decl)) {
        return { drop: true, never: false };
      }
      const bound = env.params.get(decl);
      if (bound) return bound.expr ? this.outcome(bound.expr, bound.env) : SAFE;
      if (ts.isVariableDeclaration(decl) && this.isConst(decl) && decl.initializer && this.readable(decl)) {
        const init = decl.initializer;
        const o = this.memo(this.constMemo, decl, UNKNOWN, () => this.outcome(init, EMPTY));
        return o.drop || !this.handledByStatement(decl) ? o : { drop: true, never: o.never };
      }
      if (ts.isBindingElement(decl) && this.readable(decl)) {
        // `const { promise, cancel } = start()`: the value of that property in every object the initializer can be.
        const values = this.destructuredValues(decl);
        if (values) return this.memo(this.bindingMemo, decl, UNKNOWN, () => values.reduce<Outcome>((acc, v) => and(acc, this.outcome(v, EMPTY)), SAFE));
      }
      if (ts.isVariableDeclaration(decl) && !this.isConst(decl) && ts.isIdentifier(decl.name) && this.readable(decl) && this.maybePromise(id)) {
        // A `let` (a module's lazily made `resolved = Promise.resolve()`): every value it is ever given.
        return this.memo(this.letMemo, decl, UNKNOWN, () => {
          const values = this.letValues(decl);
          return values ? values.reduce<Outcome>((acc, v) => and(acc, this.outcome(v, EMPTY)), SAFE) : UNKNOWN;
        });
      }
    }
    if (!this.maybePromise(id)) return SAFE;
    // A parameter's promise (grammY's `task.finally(…)` of the task it was handed) is named, at the parameter, as the cause.
    const param = decl && (ts.isParameter(decl) ? decl : ts.isBindingElement(decl) ? bindingHolder(ts, decl) : undefined);
    if (param && ts.isParameter(param)) this.cause('received', param);
    return UNKNOWN;
  }

  /**
   * The values a name destructured from a const can have: `const { p } = { p: make() }`, or `const { p } = f()` where
   * every object the non-async `f` returns is a literal that gives `p` (`return { p: retry(…).catch(…), cancel }`).
   * Undefined for anything else (a default value, a rest element, a nested pattern, an object we cannot see whole).
   */
  private destructuredValues(el: TS.BindingElement): TS.Expression[] | undefined {
    const ts = this.ts;
    const pattern = el.parent;
    const decl = pattern.parent;
    if (el.initializer || el.dotDotDotToken || !ts.isObjectBindingPattern(pattern) || !ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
    if (!ts.isVariableDeclarationList(decl.parent) || (decl.parent.flags & ts.NodeFlags.Const) === 0) return undefined;
    const key = el.propertyName ?? el.name;
    if (!ts.isIdentifier(key) && !ts.isStringLiteral(key)) return undefined;
    const init = this.unwrap(decl.initializer);
    let objects: TS.Expression[] | undefined;
    if (ts.isObjectLiteralExpression(init)) objects = [init];
    else if (ts.isCallExpression(init)) {
      const fns = this.functionsOf(init.expression);
      if (!fns || fns.length === 0) return undefined;
      objects = [];
      for (const fn of fns) {
        const r = this.returnedExpressions(fn);
        if (!r || r.length === 0) return undefined;
        objects.push(...r);
      }
    }
    if (!objects) return undefined;
    const values: TS.Expression[] = [];
    for (const o of objects) {
      const obj = this.unwrap(o);
      if (!ts.isObjectLiteralExpression(obj)) return undefined;
      let value: TS.Expression | undefined;
      for (const p of obj.properties) {
        // A spread may override the property with something we do not see.
        if (ts.isSpreadAssignment(p)) value = undefined;
        else if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === key.text) {
          value = ts.isPropertyAssignment(p) ? p.initializer : ts.isShorthandPropertyAssignment(p) ? p.name : undefined;
        }
      }
      if (!value) return undefined;
      values.push(value);
    }
    return values;
  }

  /**
   * Every value a `let`/`var` can hold: its initializer (or undefined) and each
   * `x = v`, `x ??= v`, `x ||= v`, `x &&= v` in its file. Undefined when it is also
   * written another way (compound assignment, destructuring, a for-in/of head).
   */
  private letValues(decl: TS.VariableDeclaration): TS.Expression[] | undefined {
    const cached = this.letValuesMemo.get(decl);
    if (cached !== undefined) return cached ?? undefined;
    const ts = this.ts;
    const SK = ts.SyntaxKind;
    const name = decl.name as TS.Identifier;
    const sym = this.checker.getSymbolAtLocation(name);
    const values: TS.Expression[] = decl.initializer ? [decl.initializer] : [];
    let known = sym !== undefined && !(ts.isForOfStatement(decl.parent.parent) || ts.isForInStatement(decl.parent.parent));
    const visit = (n: TS.Node): void => {
      if (!known) return;
      if (ts.isIdentifier(n) && n !== name && n.text === name.text && this.checker.getSymbolAtLocation(n) === sym) {
        const p = n.parent;
        if (ts.isBinaryExpression(p) && p.left === n) {
          const op = p.operatorToken.kind;
          if (op === SK.EqualsToken || op === SK.QuestionQuestionEqualsToken || op === SK.BarBarEqualsToken || op === SK.AmpersandAmpersandEqualsToken) values.push(p.right);
          else if (isAssignmentOperator(ts, op)) known = false;
        } else if (this.isOtherWrite(n)) known = false;
      }
      ts.forEachChild(n, visit);
    };
    visit(decl.getSourceFile());
    this.letValuesMemo.set(decl, known ? values : null);
    return known ? values : undefined;
  }

  /** `x++`, `[x] = …`, `({ x } = …)`, `for (x of …)`: a write that is not a plain assignment. */
  private isOtherWrite(id: TS.Expression): boolean {
    const ts = this.ts;
    const p = id.parent;
    if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return true;
    // Climb through literals: a pattern is the left side of an assignment or a for-in/of head.
    let node: TS.Node = id;
    let up = node.parent;
    while (ts.isShorthandPropertyAssignment(up) || ts.isPropertyAssignment(up) || ts.isObjectLiteralExpression(up) || ts.isArrayLiteralExpression(up) || ts.isSpreadElement(up) || ts.isSpreadAssignment(up) || ts.isParenthesizedExpression(up)) {
      if (ts.isPropertyAssignment(up) && up.name === node) return false;
      node = up;
      up = up.parent;
    }
    if (node === id) return (ts.isForOfStatement(up) || ts.isForInStatement(up)) && up.initializer === id;
    if (ts.isBinaryExpression(up) && up.left === node && up.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
    return (ts.isForOfStatement(up) || ts.isForInStatement(up)) && up.initializer === node;
  }

  private isConst(decl: TS.VariableDeclaration): boolean {
    const list = decl.parent;
    return this.ts.isVariableDeclarationList(list) && (list.flags & this.ts.NodeFlags.Const) !== 0 && this.ts.isIdentifier(decl.name);
  }

  /**
   * `const p = …;` followed in the same block by the statement `p.catch(h)` or
   * `p.then(a, h)`, with no return, throw or await in between: the promise object
   * has a rejection handler before anyone else can get it, so whoever gets `p`
   * (a field, a caller) may drop it.
   */
  private handledByStatement(decl: TS.VariableDeclaration): boolean {
    const ts = this.ts;
    const stmt = decl.parent.parent;
    const block = stmt?.parent;
    if (!stmt || !ts.isVariableStatement(stmt) || !block) return false;
    const statements = ts.isBlock(block) || ts.isSourceFile(block) || ts.isModuleBlock(block) || ts.isCaseClause(block) || ts.isDefaultClause(block) ? block.statements : undefined;
    if (!statements) return false;
    const sym = this.checker.getSymbolAtLocation(decl.name);
    for (const s of statements.slice(statements.indexOf(stmt) + 1)) {
      if (this.isHandlerStatement(s, decl.name as TS.Identifier, sym)) return true;
      if (this.leaves(s)) return false;
    }
    return false;
  }

  /**
   * The parameter gets a reaction (`p.then(…)`, `p.catch(…)`, `p.finally(…)` as a statement) in its function's own
   * body before anything there can return, throw or suspend.
   */
  private reactedToBeforeReturn(param: TS.ParameterDeclaration): boolean {
    const ts = this.ts;
    const fn = param.parent;
    if (!ts.isFunctionLike(fn) || !('body' in fn) || !fn.body || !ts.isBlock(fn.body)) return false;
    const name = param.name as TS.Identifier;
    const sym = this.checker.getSymbolAtLocation(name);
    for (const s of fn.body.statements) {
      if (this.isReactionStatement(s, name, sym)) return true;
      if (this.leaves(s)) return false;
    }
    return false;
  }

  private isReactionStatement(s: TS.Statement, name: TS.Identifier, sym: TS.Symbol | undefined): boolean {
    const ts = this.ts;
    let call = this.statementCall(s);
    // The reaction may be the head of a chain: `value.then(store).catch(report)`.
    while (call && ts.isPropertyAccessExpression(call.expression) && ts.isCallExpression(this.unwrap(call.expression.expression))) {
      call = this.unwrap(call.expression.expression) as TS.CallExpression;
    }
    const method = call && this.methodCalledOn(call, name, sym);
    return method === 'then' || method === 'catch' || method === 'finally';
  }

  private isHandlerStatement(s: TS.Statement, name: TS.Identifier, sym: TS.Symbol | undefined): boolean {
    const call = this.statementCall(s);
    const method = call && this.methodCalledOn(call, name, sym);
    const handler = method === 'catch' ? call!.arguments[0] : method === 'then' ? call!.arguments[1] : undefined;
    return handler !== undefined && this.isHandler(handler);
  }

  /** The call a statement makes: `f(…);` or `void f(…);`. */
  private statementCall(s: TS.Statement): TS.CallExpression | undefined {
    const ts = this.ts;
    if (!ts.isExpressionStatement(s)) return undefined;
    let e = this.unwrap(s.expression);
    if (ts.isVoidExpression(e)) e = this.unwrap(e.expression);
    return ts.isCallExpression(e) ? e : undefined;
  }

  /** `name.m(…)` with `name` the variable `sym`: the method's name. */
  private methodCalledOn(call: TS.CallExpression, name: TS.Identifier, sym: TS.Symbol | undefined): string | undefined {
    const ts = this.ts;
    if (!ts.isPropertyAccessExpression(call.expression)) return undefined;
    const receiver = this.unwrap(call.expression.expression);
    if (!ts.isIdentifier(receiver) || receiver.text !== name.text || this.checker.getSymbolAtLocation(receiver) !== sym) return undefined;
    return call.expression.name.text;
  }

  /** The statement may leave the block or suspend (return, throw, await, yield), outside nested functions. */
  private leaves(s: TS.Statement): boolean {
    const ts = this.ts;
    let found = false;
    const visit = (n: TS.Node): void => {
      if (found || ts.isFunctionLike(n) || ts.isClassLike(n)) return;
      if (ts.isReturnStatement(n) || ts.isThrowStatement(n) || ts.isAwaitExpression(n) || ts.isYieldExpression(n)) found = true;
      else ts.forEachChild(n, visit);
    };
    visit(s);
    return found;
  }

  /** A function given as a rejection handler (what the statement check accepts as handling). */
  private isHandler(node: TS.Expression): boolean {
    if (this.ts.isSpreadElement(node)) return false;
    const e = this.unwrap(node);
    if (this.ts.isArrowFunction(e) || this.ts.isFunctionExpression(e)) return true;
    return this.checker.getTypeAtLocation(e).getCallSignatures().length > 0;
  }

  private callOutcome(call: TS.CallExpression, env: Env): Outcome {
    const ts = this.ts;
    const callee = this.unwrap(call.expression);
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const receiver = this.unwrap(callee.expression);
      if (ts.isIdentifier(receiver) && receiver.text === 'Promise' && this.isGlobal(receiver)) return this.promiseStatic(method, call, env);
      if ((method === 'then' || method === 'catch' || method === 'finally') && isPromiseType(ts, this.program, this.checker.getTypeAtLocation(receiver))) {
        return this.chainOutcome(method, receiver, call, env);
      }
    }
    if (!this.maybePromise(call)) return SAFE;
    if (ts.isPropertyAccessExpression(callee) && this.isBuiltinMethod(callee, NEVER_REJECTING_METHODS)) return SAFE;
    const o = this.calleeOutcome(call, env);
    // A node-style dual API given an error-first callback hands the rejection to it.
    return o.drop || !this.passesErrorCallback(call.arguments) ? o : { drop: true, never: o.never };
  }

  private calleeOutcome(call: TS.CallExpression, env: Env): Outcome {
    const first = call.arguments[0];
    if (first && !this.ts.isSpreadElement(first) && this.returnsFirstArgument(call)) return this.outcome(first, env);
    const target = this.invokedFunction(call.expression);
    const passed = this.boundFunction(target, env);
    if (passed) return this.fnOutcome(passed.fn, target === call.expression ? this.bind(passed.fn, call, env) : EMPTY);
    const fns = this.functionsOf(target);
    if (!fns || fns.length === 0) {
      // A dual API we cannot see, given an error-first callback, reports its failure there: a library whose promise
      // also rejected would crash every caller that chose the callback (google-gax's `apiCall(req, opts, callback)`).
      if (this.passesErrorCallback(call.arguments)) return SAFE;
      if (this.isPromisifiedWait(call)) return SAFE;
      // `running.get(id)` of a Map of promises reads a stored one: named as such, not as a call it cannot see.
      const stored = this.ts.isPropertyAccessExpression(target) && this.isBuiltinMethod(target, STORED_READ_METHODS);
      const held = stored ? this.storedOutcome((target as TS.PropertyAccessExpression).expression) : undefined;
      if (held) return held;
      this.cause(stored ? 'element' : 'unseen', call);
      return UNKNOWN;
    }
    // f.call(this, …) binds the arguments after the receiver; f.apply(this, args) is judged unbound.
    const shift = target === call.expression ? 0 : this.memberText(call.expression) === 'call' ? 1 : undefined;
    const bound = (fn: Fn) => (shift === undefined ? EMPTY : this.bind(fn, call, env, shift));
    return fns.reduce<Outcome>((acc, fn) => and(acc, this.fnOutcome(fn, bound(fn))), SAFE);
  }

  /**
   * `promisify(process.nextTick)()`, `promisify(setImmediate)()`, `promisify(setTimeout)(ms)` (node:util's promisify of
   * the global timers): a wait with no signal to abort it only resolves. An argument more would be handed to nextTick
   * as its callback, or to the timer as its options. @google-cloud/promisify's (pubsub's `await
   * promisify(process.nextTick)()`) appends a node-style callback the same way but knows no timer's custom form: only
   * nextTick and setImmediate without arguments, which call it with no error.
   */
  private isPromisifiedWait(call: TS.CallExpression): boolean {
    const ts = this.ts;
    let made = this.unwrap(call.expression);
    // `const tick = promisify(process.nextTick)`: the call it was initialised with.
    const decl = ts.isIdentifier(made) ? this.symbolOf(made)?.valueDeclaration : undefined;
    if (decl && ts.isVariableDeclaration(decl) && this.isConst(decl) && decl.initializer) made = this.unwrap(decl.initializer);
    if (!ts.isCallExpression(made) || made.arguments.length !== 1) return false;
    const fn = this.unwrap(made.expression);
    const name = ts.isIdentifier(fn) ? fn : ts.isPropertyAccessExpression(fn) ? fn.name : undefined;
    // By the declaration's name: `import { promisify as googlePromisify }` is the same function.
    const sym = name && this.symbolOf(name);
    if (sym?.getName() !== 'promisify') return false;
    const node = isDeclaredInPackage(ts, sym, ['util']);
    if (!node && !isDeclaredInPackage(ts, sym, ['@google-cloud/promisify']) && !(ts.isIdentifier(fn) && isImportedFrom(ts, this.checker, fn, GOOGLE_PROMISIFY))) return false;
    const timer = this.unwrap(made.arguments[0]!);
    const argc = call.arguments.length;
    if (ts.isPropertyAccessExpression(timer) && timer.name.text === 'nextTick' && ts.isIdentifier(timer.expression) && timer.expression.text === 'process' && this.isGlobal(timer.expression)) return argc === 0;
    if (!ts.isIdentifier(timer) || !this.isGlobal(timer)) return false;
    if (!node) return timer.text === 'setImmediate' && argc === 0;
    return (timer.text === 'setImmediate' && argc <= 1) || (timer.text === 'setTimeout' && argc <= 2);
  }

  private memberText(callee: TS.Expression): string | undefined {
    const e = this.unwrap(callee);
    return this.ts.isPropertyAccessExpression(e) ? e.name.text : undefined;
  }

  /** The receiver of `xs.map`. */
  private unwrapAccess(callee: TS.Expression): TS.Expression {
    const e = this.unwrap(callee);
    return this.ts.isPropertyAccessExpression(e) ? e.expression : e;
  }

  /** A parameter bound, at the call being followed, to a function written there (`batch(() => …)` calling `callback()`). */
  private boundFunction(callee: TS.Expression, env: Env): { fn: Fn } | undefined {
    const e = this.unwrap(callee);
    if (!this.ts.isIdentifier(e) || env.params.size === 0) return undefined;
    const decl = this.symbolOf(e)?.valueDeclaration;
    const bound = decl && env.params.get(decl);
    const value = bound?.expr && this.unwrap(bound.expr);
    if (!value || !(this.ts.isArrowFunction(value) || this.ts.isFunctionExpression(value)) || !this.readable(value)) return undefined;
    return { fn: value };
  }

  /** The function a callee runs: `f` for `f.call(…)` and `f.apply(…)` (Function.prototype's), the callee itself otherwise. */
  private invokedFunction(callee: TS.Expression): TS.Expression {
    const ts = this.ts;
    const e = this.unwrap(callee);
    if (!ts.isPropertyAccessExpression(e) || (e.name.text !== 'call' && e.name.text !== 'apply')) return callee;
    const sym = this.symbolOf(e.name);
    const lib = (sym?.getDeclarations() ?? []).some((d) => this.program.isSourceFileDefaultLibrary(d.getSourceFile()));
    return lib ? e.expression : callee;
  }

  /** `asCallback(promise, cb)` of a package known to return the promise it is given (imported from it, or declared in it). */
  private returnsFirstArgument(call: TS.CallExpression): boolean {
    const ts = this.ts;
    const e = this.unwrap(call.expression);
    return ts.isIdentifier(e) && isImportedFrom(ts, this.checker, e, RETURNS_FIRST_ARGUMENT);
  }

  /**
   * An argument is a callback whose first parameter is an error (`(err: Error | null, value?) => …`,
   * a `Callback<T>` type of that shape), and it is always given (its type does not include undefined).
   */
  private passesErrorCallback(args: readonly TS.Expression[]): boolean {
    return args.some((arg) => this.isErrorFirstCallback(arg));
  }

  private isErrorFirstCallback(arg: TS.Expression): boolean {
    const ts = this.ts;
    if (ts.isSpreadElement(arg)) return false;
    const type = this.checker.getTypeAtLocation(arg);
    if (unionParts(type).some((t) => t.flags & (ts.TypeFlags.Undefined | ts.TypeFlags.Null | ts.TypeFlags.Void | ts.TypeFlags.Any | ts.TypeFlags.Unknown))) return false;
    const sigs = type.getCallSignatures();
    return (
      sigs.length > 0 &&
      sigs.every((sig) => {
        const first = sig.getParameters()[0];
        return first !== undefined && this.isErrorType(this.checker.getTypeOfSymbolAtLocation(first, arg));
      })
    );
  }

  /**
   * `setImmediate(apiCall, request, options, callback)`: a function asyncsan cannot see, that will be called with these
   * arguments, one of them an error-first callback: as a dual API given one, it reports failures there (google-gax).
   */
  dualApiGivenCallback(fn: TS.Expression, args: readonly TS.Expression[]): boolean {
    const fns = this.functionsOf(this.unwrap(fn));
    return (fns === undefined || fns.length === 0) && this.passesErrorCallback(args);
  }

  /** Error, a subclass, or anything shaped like one (`name` and `message`), possibly with null/undefined. */
  private isErrorType(type: TS.Type): boolean {
    const F = this.ts.TypeFlags;
    const parts = unionParts(this.checker.getNonNullableType(type));
    return parts.length > 0 && parts.every((t) => !(t.flags & (F.Any | F.Unknown | F.Never)) && t.getProperty('message') !== undefined && t.getProperty('name') !== undefined);
  }

  /**
   * Typed as the default lib's Promise itself in every part (or an intersection with it, as a deferred
   * made by `Object.assign(new Promise(…), { resolve, reject })`): `Promise.resolve` hands such a value
   * back as is. Not a subclass (its constructor is not Promise, so `Promise.resolve` wraps it in a new
   * promise), a thenable or any.
   */
  private isNativePromise(e: TS.Expression): boolean {
    const isLibPromise = (t: TS.Type): boolean => {
      const sym = t.getSymbol();
      const decls = sym?.getDeclarations() ?? [];
      return sym?.getName() === 'Promise' && decls.length > 0 && decls.every((d) => this.program.isSourceFileDefaultLibrary(d.getSourceFile()));
    };
    const parts = unionParts(this.checker.getTypeAtLocation(e));
    return parts.length > 0 && parts.every((t) => isLibPromise(t) || (t.isIntersection() && t.types.some(isLibPromise)));
  }

  private promiseStatic(method: string, call: TS.CallExpression, env: Env): Outcome {
    const ts = this.ts;
    const args = call.arguments;
    // What it settles with is not known: named as a call asyncsan cannot see into (a report's "may reject here").
    const unknown = () => {
      this.cause('unseen', call);
      return UNKNOWN;
    };
    if (args.some((a) => ts.isSpreadElement(a))) return unknown();
    switch (method) {
      case 'resolve': {
        if (args.length === 0) return SAFE;
        const arg = this.outcome(args[0]!, env);
        // Promise.resolve(p) returns p itself when p is a native promise: a handler already on p covers it.
        if (arg.drop && this.isNativePromise(args[0]!)) return arg;
        return { drop: arg.never, never: arg.never };
      }
      case 'allSettled':
        return SAFE;
      case 'all':
      case 'race': {
        const list = args[0] && this.unwrap(args[0]);
        const isMap = (e: TS.Expression | undefined): e is TS.CallExpression =>
          e !== undefined && ts.isCallExpression(e) && ['map', 'flatMap'].includes(this.memberText(e.expression) ?? '') && this.isArray(this.unwrapAccess(e.expression));
        // Also through a const holding the mapped array (`const promises = subscribers.map(async …); await Promise.all(promises)`).
        const decl = list && ts.isIdentifier(list) ? this.symbolOf(list)?.valueDeclaration : undefined;
        const held = decl && ts.isVariableDeclaration(decl) && this.isConst(decl) && decl.initializer && this.onlyAwaitedTogether(decl) ? this.unwrap(decl.initializer) : undefined;
        const mapped = isMap(list) ? list : isMap(held) ? held : undefined;
        if (mapped) {
          // Promise.all(xs.map(f)): the promises f makes.
          const f = mapped.arguments[0];
          const fns = f && !ts.isSpreadElement(f) ? this.functionsOf(f) : undefined;
          const never = fns !== undefined && fns.length > 0 && fns.every((fn) => this.fnOutcome(fn, EMPTY).never);
          return { drop: never, never };
        }
        // A local array only ever pushed to and awaited together (ioredis' FailoverDetector#subscribe): what was pushed.
        const elements = list && ts.isIdentifier(list) ? this.pushedInto(list) : list && ts.isArrayLiteralExpression(list) ? list.elements : undefined;
        if (!elements || elements.some((x) => ts.isSpreadElement(x))) return unknown();
        const never = elements.every((x) => this.outcome(x, env).never);
        return { drop: never, never };
      }
      default:
        return unknown();
    }
  }

  /** `r.then(a)`, `r.then(a, b)`, `r.catch(h)`, `r.finally(f)` on a native promise. */
  private chainOutcome(method: string, receiver: TS.Expression, call: TS.CallExpression, env: Env): Outcome {
    const ts = this.ts;
    const args = call.arguments;
    if (args.some((a) => ts.isSpreadElement(a))) return UNKNOWN;
    const passes = (h: TS.Expression | undefined) => h === undefined || this.isNullish(h);
    const cannotFail = (h: TS.Expression | undefined) => passes(h) || this.handlerCannotFail(h!);
    const from = () => this.outcome(receiver, env);
    if (method === 'catch') {
      const h = args[0];
      if (passes(h) || !this.isHandler(h!)) return { drop: false, never: from().never };
      return { drop: true, never: this.handlerCannotFail(h!) };
    }
    if (method === 'then') {
      const [a, b] = args;
      if (b !== undefined && !passes(b) && this.isHandler(b)) {
        // The fulfilment handler's own throw is not caught by b.
        const aOk = cannotFail(a);
        return { drop: true, never: aOk && (from().never || this.handlerCannotFail(b)) };
      }
      const never = from().never && cannotFail(a);
      return { drop: never, never };
    }
    // finally(f): transparent for handling (as the statement check treats it); rejects when r does or f throws. A
    // throw of f is a new rejection of the promise finally() returns, which no handler of r sees.
    const r = from();
    const ok = cannotFail(args[0]);
    return { drop: r.drop && ok, never: r.never && ok };
  }

  /**
   * `new Promise(executor)` that cannot reject: the executor is written here, never names its `reject`
   * parameter, and cannot throw. An async executor cannot throw at all: what fails in it rejects the promise it
   * returns, which `new Promise` ignores (misused-async-callback's business; the promise then never settles).
   */
  private newPromiseNeverRejects(n: TS.NewExpression): boolean {
    const ts = this.ts;
    const ctor = this.unwrap(n.expression);
    const executor = n.arguments?.[0] && this.unwrap(n.arguments[0]);
    if (!ts.isIdentifier(ctor) || ctor.text !== 'Promise' || !this.isGlobal(ctor) || n.arguments!.length !== 1) return false;
    if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) || !this.readable(executor)) return false;
    if (executor.asteriskToken) return false;
    const reject = executor.parameters[1];
    if (reject && !ts.isIdentifier(reject.name)) return false;
    const rejected = reject && referencesIn(ts, this.checker, executor, reject.name as TS.Identifier).find((ref) => !this.inRuledOutGuard(ref, executor, n));
    if (rejected) {
      this.cause('rejects', rejected);
      return false;
    }
    if (executor.parameters.length > 2 || (ts.isFunctionExpression(executor) && this.mentions(executor, 'arguments'))) return false;
    return this.isAsync(executor) || !this.syncMayThrow(executor);
  }

  /**
   * The reference sits in a guard at the top of the executor, `if (!x) return reject(…)` (or `x == null`,
   * `x === undefined`, `x === null`), that cannot fire: the executor runs when `new Promise` is evaluated, and the code
   * leading there has already returned (or thrown) when `x` was falsy, with no assignment to `x` in between outside a
   * nested function (chokidar's `_handleRead`: `if (!stream) return;` … `return new Promise((resolve, reject) => {
   * if (!stream) return reject(); …`). Writes in closures are taken not to run before, as TypeScript's narrowing does.
   */
  private inRuledOutGuard(ref: TS.Node, executor: TS.ArrowFunction | TS.FunctionExpression, created: TS.NewExpression): boolean {
    const ts = this.ts;
    if (!ts.isBlock(executor.body)) return false;
    for (const st of executor.body.statements) {
      // Only guards come first: anything else may run code that changes `x`.
      if (!ts.isIfStatement(st) || st.elseStatement) return false;
      const name = this.falsyTest(st.expression);
      if (!name || !this.exitsUnless(name, created)) return false;
      if (ref.pos >= st.thenStatement.pos && ref.end <= st.thenStatement.end) return true;
    }
    return false;
  }

  /** `!x`, `x == null`, `x === undefined`, `x === null` (either side): the local or parameter `x` tested for being falsy or nullish. */
  private falsyTest(cond: TS.Expression): TS.Identifier | undefined {
    const ts = this.ts;
    const e = this.unwrap(cond);
    if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
      const x = this.unwrap(e.operand);
      return ts.isIdentifier(x) ? x : undefined;
    }
    if (!ts.isBinaryExpression(e)) return undefined;
    const op = e.operatorToken.kind;
    if (op !== ts.SyntaxKind.EqualsEqualsToken && op !== ts.SyntaxKind.EqualsEqualsEqualsToken) return undefined;
    const [l, r] = [this.unwrap(e.left), this.unwrap(e.right)];
    const id = ts.isIdentifier(l) && isNullishLiteral(ts, r) ? l : ts.isIdentifier(r) && isNullishLiteral(ts, l) ? r : undefined;
    return id && !this.isUndefined(id) ? id : undefined;
  }

  /**
   * On the way to `site` in its function, a statement `if (!x) return;` (or `throw`; `x == null` too) runs first, and
   * nothing between it and `site` assigns `x` outside a nested function: `x` is truthy when `site` is evaluated.
   */
  private exitsUnless(name: TS.Identifier, site: TS.Node): boolean {
    const ts = this.ts;
    const sym = this.symbolOf(name);
    const decl = sym?.valueDeclaration;
    if (!decl || !(ts.isVariableDeclaration(decl) || ts.isParameter(decl))) return false;
    const fn = enclosingFunction(ts, site);
    if (!fn || enclosingFunction(ts, decl) !== fn) return false;
    const writesIn = (n: TS.Node): boolean => {
      let found = false;
      const visit = (c: TS.Node): void => {
        if (found || isFunctionLike(ts, c)) return;
        if (ts.isIdentifier(c) && c.text === name.text && this.symbolOf(c) === sym && this.isWrite(c)) found = true;
        else ts.forEachChild(c, visit);
      };
      visit(n);
      return found;
    };
    for (let node: TS.Node = site; node !== fn && node.parent; node = node.parent) {
      const list = ts.isBlock(node.parent) || ts.isSourceFile(node.parent) ? node.parent.statements : undefined;
      if (!list) continue;
      const at = list.indexOf(node as TS.Statement);
      if (at < 0) continue;
      // A write in the statement holding `site` (or in a loop around it) may run before it.
      if (writesIn(node)) return false;
      for (let i = at - 1; i >= 0; i--) {
        const st = list[i]!;
        const tested = ts.isIfStatement(st) && !st.elseStatement ? this.falsyTest(st.expression) : undefined;
        if (tested && tested.text === name.text && this.symbolOf(tested) === sym && this.exits((st as TS.IfStatement).thenStatement)) return true;
        if (writesIn(st)) return false;
      }
    }
    return false;
  }

  /** The statement (or a block's last one) is a `return` or a `throw`. */
  private exits(st: TS.Statement): boolean {
    const ts = this.ts;
    const last = ts.isBlock(st) ? st.statements[st.statements.length - 1] : st;
    return last !== undefined && (ts.isReturnStatement(last) || ts.isThrowStatement(last));
  }

  private mentions(scope: TS.Node, text: string): boolean {
    let found = false;
    const visit = (n: TS.Node): void => {
      if (found) return;
      if (this.ts.isIdentifier(n) && n.text === text) found = true;
      else this.ts.forEachChild(n, visit);
    };
    this.ts.forEachChild(scope, visit);
    return found;
  }

  private isNullish(node: TS.Expression): boolean {
    const e = this.unwrap(node);
    return e.kind === this.ts.SyntaxKind.NullKeyword || (this.ts.isIdentifier(e) && this.isUndefined(e));
  }

  /** Calling this handler can neither throw nor return a promise that rejects. */
  private handlerCannotFail(node: TS.Expression): boolean {
    const e = this.unwrap(node);
    const fns = this.ts.isArrowFunction(e) || this.ts.isFunctionExpression(e) ? (this.readable(e) ? [e] : undefined) : this.functionsOf(e);
    return fns !== undefined && fns.length > 0 && fns.every((f) => this.fnOutcome(f, EMPTY).never && (this.isAsync(f) || !this.syncMayThrow(f)));
  }

  private isAsync(fn: Fn): boolean {
    return hasModifier(this.ts, fn, this.ts.SyntaxKind.AsyncKeyword);
  }

  /** The promise a call of `fn` returns (with its parameters bound as in `env`). */
  private fnOutcome(fn: Fn, env: Env): Outcome {
    if (!this.readable(fn)) return UNKNOWN;
    if (fn.asteriskToken) return SAFE; // a generator returns an iterator, not a promise
    if (this.isAsync(fn)) {
      // Judged on its own (memoised), and, when that fails, once more with the call's arguments bound: an `if` they
      // settle skips its branch (colyseus' `setMetadata(meta, false)` does not reach its `if (persist) await …`).
      const mark = this.causes?.length ?? 0;
      if (this.memo(this.asyncMemo, fn, false, () => this.asyncNeverRejects(fn, EMPTY))) return SAFE;
      if (!decides(env)) return { drop: false, never: false };
      const unbound = this.causes?.length ?? 0;
      const never = this.neverRejectsBound(fn, env);
      // Explaining: what the walk without the arguments named (ethers' `if (_event == null) throw` for `emit("debug")`)
      // explains nothing once the bound walk has its own answer: all of it goes when that one finds no rejection,
      // and it gives way to the bound walk's causes when that one names some.
      if (this.causes && (never || this.causes.length > unbound)) this.causes.splice(mark, never ? this.causes.length - mark : unbound - mark);
      return { drop: never, never };
    }
    return this.memo(this.returnMemo, fn, UNKNOWN, () => this.returnOutcome(fn, env), !decides(env));
  }

  /**
   * The async function judged once more with the call's arguments bound. Not memoised (the answer depends on the
   * arguments), so guarded here: a function already being judged this way further up (a call cycle through bound
   * arguments, each level judging its callees afresh) is not judged again, and these walks count toward MAX_DEPTH.
   * Without the guard, nodejs-storage's resumable upload recursed until the stack overflowed.
   */
  private neverRejectsBound(fn: Fn, env: Env): boolean {
    if (this.boundActive.has(fn) || this.depth >= MAX_DEPTH) {
      this.cuts++;
      return false;
    }
    this.boundActive.add(fn);
    this.depth++;
    try {
      return this.asyncNeverRejects(fn, env);
    } finally {
      this.depth--;
      this.boundActive.delete(fn);
    }
  }

  // ------------------------------------------------------------ resolving calls

  /** Binds `fn`'s simple parameters to the call's arguments (evaluated in `env`; the first `shift` are not `fn`'s). */
  private bind(fn: Fn, call: TS.CallExpression, env: Env, shift = 0): Env {
    const ts = this.ts;
    if (env.calls >= MAX_BOUND_CALLS) return EMPTY;
    const args = call.arguments.slice(shift);
    const params = new Map<TS.Node, Binding>();
    let offset = 0;
    fn.parameters.forEach((p, i) => {
      if (i === 0 && ts.isIdentifier(p.name) && p.name.text === 'this') {
        offset = 1;
        return;
      }
      if (p.dotDotDotToken) {
        // The arguments a rest parameter collects, when no spread hides how many there are.
        const from = i - offset;
        if (ts.isIdentifier(p.name) && !args.some((a) => ts.isSpreadElement(a))) params.set(p, { expr: undefined, env, rest: args.slice(from) });
        return;
      }
      // `{ ...options }: T = {}` copies the argument's properties: the copy reads as the argument.
      const only = ts.isObjectBindingPattern(p.name) && p.name.elements.length === 1 ? p.name.elements[0]! : undefined;
      const key: TS.Node | undefined = ts.isIdentifier(p.name) ? p : only?.dotDotDotToken && ts.isIdentifier(only.name) ? only : undefined;
      if (!key) return;
      const index = i - offset;
      if (args.slice(0, index + 1).some((a) => ts.isSpreadElement(a))) return;
      const arg = args[index];
      if (arg) params.set(key, { expr: arg, env });
      else if (p.initializer) params.set(key, { expr: p.initializer, env: EMPTY });
      else params.set(key, { expr: undefined, env: EMPTY });
    });
    const readsArguments = !ts.isArrowFunction(fn) && this.readsArguments(fn);
    if (params.size === 0 && !readsArguments) return EMPTY;
    return { params, calls: env.calls + 1, ...(readsArguments ? { args: { fn, exprs: args, env } } : {}) };
  }

  /**
   * The readable function bodies a callee (or a function reference) runs:
   * a declared function, method or const-bound arrow, or, for a method declared
   * on an interface, the member of every object the receiver can hold (a const,
   * a private field, what a function returns). Undefined when unknown.
   */
  private functionsOf(calleeOrRef: TS.Expression): Fn[] | undefined {
    const ts = this.ts;
    const e = this.unwrap(calleeOrRef);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return this.readable(e) ? [e] : undefined;
    // `this.poll.bind(this)`: Function.prototype.bind makes a function that runs the same body.
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(e.expression) && e.expression.name.text === 'bind' && this.isBuiltinMethod(e.expression, SAFE_METHODS)) return this.functionsOf(e.expression.expression);
    // `client["warnMetadata"]`: an element access by a literal names the member as `client.warnMetadata` does.
    const literalKey = ts.isElementAccessExpression(e) && ts.isStringLiteralLike(e.argumentExpression) ? e.argumentExpression : undefined;
    const name = ts.isIdentifier(e) ? e : ts.isPropertyAccessExpression(e) ? e.name : literalKey;
    if (!name) return undefined;
    const sym = this.symbolOf(name);
    if (sym) {
      // `super.m()` runs exactly the base's method; any other call of a method may run a subclass's override.
      const viaSuper = ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.SuperKeyword;
      const own = this.implementationsOf(sym, !viaSuper);
      if (own) return own;
      // A private or readonly field declared without a function: the functions its class stores in it (ethers'
      // `this.#poller = this.#poll.bind(this)` in the constructor).
      const field = sym.valueDeclaration;
      if (field && ts.isPropertyDeclaration(field) && ts.isPropertyAccessExpression(e)) {
        const stored = this.memo(this.fieldFunctionsMemo, field, undefined, () => this.storedFunctions(e));
        if (stored) return stored;
      }
      const param = sym.valueDeclaration;
      if (param && ts.isParameter(param) && ts.isIdentifier(param.name)) return this.memo(this.argumentMemo, param, undefined, () => this.argumentsFor(param));
      // `const exec = pipeline.exec`: the function the alias was initialised with.
      const decl = sym.valueDeclaration;
      if (decl && ts.isVariableDeclaration(decl) && this.isConst(decl) && decl.initializer && this.readable(decl)) {
        const init = this.unwrap(decl.initializer);
        if ((ts.isIdentifier(init) || ts.isPropertyAccessExpression(init)) && init !== e) return this.memo(this.aliasMemo, decl, undefined, () => this.functionsOf(init));
      }
    }
    if (!ts.isPropertyAccessExpression(e)) return undefined;
    const assigned = sym && this.prototypeImplementation(e, sym);
    if (assigned) return [assigned];
    const origins = this.originsOf(e.expression, 0);
    if (!origins || origins.length === 0) return undefined;
    const out: Fn[] = [];
    for (const o of origins) {
      const fn = this.memberOf(o, e.name.text);
      if (!fn) return undefined;
      out.push(fn);
    }
    return out;
  }

  /**
   * A method declared without a body (on a class merged with an interface, or an
   * interface) and implemented by `C.prototype.m = function …` at the top level of a
   * file in scope, where `C` is the receiver's class or the declaration's owner.
   */
  private prototypeImplementation(access: TS.PropertyAccessExpression, sym: TS.Symbol): Fn | undefined {
    const ts = this.ts;
    const decls = sym.getDeclarations() ?? [];
    if (decls.length === 0 || !decls.every((d) => ts.isMethodSignature(d) || ts.isMethodDeclaration(d) || ts.isPropertySignature(d) || ts.isPropertyDeclaration(d))) return undefined;
    const candidates = this.prototypeMethods().get(access.name.text);
    if (!candidates) return undefined;
    const owners = new Set<TS.Symbol>();
    const receiver = this.checker.getNonNullableType(this.checker.getTypeAtLocation(access.expression)).getSymbol();
    if (receiver) owners.add(receiver);
    for (const d of decls) {
      const owner = d.parent && (ts.isClassDeclaration(d.parent) || ts.isInterfaceDeclaration(d.parent)) && d.parent.name ? this.checker.getSymbolAtLocation(d.parent.name) : undefined;
      if (owner) owners.add(owner);
    }
    const found = candidates.filter((c) => {
      const s = this.symbolOf(c.owner);
      return s !== undefined && owners.has(s);
    });
    return found.length === 1 ? found[0]!.fn : undefined;
  }

  private prototypeMethods(): Map<string, { owner: TS.Identifier; fn: Fn }[]> {
    if (this.indexes.prototypeAssignments) return this.indexes.prototypeAssignments;
    const ts = this.ts;
    const out = new Map<string, { owner: TS.Identifier; fn: Fn }[]>();
    for (const sf of this.scopeFiles()) {
      for (const st of sf.statements) {
        if (!ts.isExpressionStatement(st)) continue;
        const x = this.unwrap(st.expression);
        if (!ts.isBinaryExpression(x) || x.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
        const left = this.unwrap(x.left);
        const fn = this.unwrap(x.right);
        if (!ts.isPropertyAccessExpression(left) || !(ts.isFunctionExpression(fn) || ts.isArrowFunction(fn))) continue;
        const proto = this.unwrap(left.expression);
        if (!ts.isPropertyAccessExpression(proto) || proto.name.text !== 'prototype' || !ts.isIdentifier(proto.expression)) continue;
        const list = out.get(left.name.text) ?? [];
        list.push({ owner: proto.expression, fn });
        out.set(left.name.text, list);
      }
    }
    return (this.indexes.prototypeAssignments = out);
  }

  private readonly argumentMemo = new Map<TS.ParameterDeclaration, Fn[] | undefined>();

  /** The functions a private or readonly field can hold (fieldValues): undefined unless every value is one known here. */
  private storedFunctions(access: TS.PropertyAccessExpression): Fn[] | undefined {
    const values = this.fieldValues(access);
    if (!values || values.length === 0) return undefined;
    const out: Fn[] = [];
    for (const v of values) {
      const fns = this.functionsOf(v);
      if (!fns || fns.length === 0) return undefined;
      out.push(...fns);
    }
    return out;
  }

  /**
   * The functions a parameter can hold, when its function is private to its file and only ever called there
   * directly: the function literals every call passes at that position (graphile-worker's `batch(…, errorHandler)`,
   * typed `void | Promise<void>` and given two plain arrows). Any other use of the function (exported, passed on,
   * stored) or any other argument (a variable, a spread, a missing one) and nothing is known.
   */
  private argumentsFor(param: TS.ParameterDeclaration): Fn[] | undefined {
    const ts = this.ts;
    if (!this.readable(param)) return undefined;
    const args = privateCallArguments(ts, this.checker, param);
    if (!args) return undefined;
    const out: Fn[] = [];
    for (const arg of args) {
      const fn = arg && this.unwrap(arg);
      if (!fn || !(ts.isArrowFunction(fn) || ts.isFunctionExpression(fn))) return undefined;
      out.push(fn);
    }
    return out;
  }

  /** The bodies a symbol stands for, when its declarations have them. */
  private implementationsOf(sym: TS.Symbol, withOverrides = false): Fn[] | undefined {
    const out: Fn[] = [];
    for (const d of sym.getDeclarations() ?? []) {
      const fn = this.functionOfDeclaration(d);
      if (fn) out.push(fn);
    }
    if (out.length === 0 || !out.every((f) => this.readable(f))) return undefined;
    // Overloads: the declarations without a body are the signatures of the one that has it.
    if (!withOverrides) return out;
    for (const d of sym.getDeclarations() ?? []) {
      const overrides = this.overridesOf(d);
      if (overrides === undefined) return undefined;
      out.push(...overrides);
    }
    return out;
  }

  private readonly overridesMemo = new Map<TS.Node, Fn[] | undefined>();

  /**
   * The members of the program's subclasses that override a class's method (ethers' `FilterIdSubscriber#_subscribe`
   * throws "subclasses must override this"; its subclasses' async overrides are what `this._subscribe()` runs).
   * Undefined when an override's body is not known (a field holding some function value).
   */
  private overridesOf(d: TS.Declaration): Fn[] | undefined {
    const ts = this.ts;
    const owner = d.parent;
    if (!owner || !ts.isClassLike(owner) || !(ts.isMethodDeclaration(d) || ts.isPropertyDeclaration(d))) return [];
    if (ts.isPrivateIdentifier(d.name) || hasModifier(ts, d, ts.SyntaxKind.StaticKeyword) || hasModifier(ts, d, ts.SyntaxKind.PrivateKeyword)) return [];
    const name = ts.isIdentifier(d.name) || ts.isStringLiteral(d.name) ? d.name.text : undefined;
    if (name === undefined) return undefined;
    if (this.overridesMemo.has(d)) return this.overridesMemo.get(d);
    let out: Fn[] | undefined = [];
    for (const { member, cls } of this.subclassMembers().get(name) ?? []) {
      if (cls === owner || !this.extendsClass(cls, owner)) continue;
      if (hasModifier(ts, member, ts.SyntaxKind.StaticKeyword)) continue;
      if (ts.isMethodDeclaration(member) && !member.body) continue; // an overload signature or an abstract re-declaration
      // `protected override fetch!: ReplaceReturnType<…>` (query-core's InfiniteQueryObserver): a re-typing, no value.
      if (ts.isPropertyDeclaration(member) && !member.initializer && (member.exclamationToken || hasModifier(ts, member, ts.SyntaxKind.DeclareKeyword))) continue;
      const fn = this.functionOfDeclaration(member);
      if (!fn || !this.readable(fn)) {
        out = undefined;
        break;
      }
      out.push(fn);
    }
    this.overridesMemo.set(d, out);
    return out;
  }

  /** `cls` extends `base`, directly or through classes of the program. */
  private extendsClass(cls: TS.ClassLikeDeclaration, base: TS.ClassLikeDeclaration): boolean {
    const ts = this.ts;
    const seen = new Set<TS.Node>();
    for (let c: TS.ClassLikeDeclaration | undefined = cls; c && !seen.has(c); ) {
      seen.add(c);
      const heritage: TS.ExpressionWithTypeArguments | undefined = c.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      if (!heritage) return false;
      const decl: TS.Declaration | undefined = this.symbolOf(heritage.expression)?.getDeclarations()?.find((x) => ts.isClassLike(x));
      if (decl === base) return true;
      c = decl && ts.isClassLike(decl) ? decl : undefined;
    }
    return false;
  }

  /** The members of the scope's classes that extend another, by name. */
  private subclassMembers(): Map<string, { member: TS.ClassElement; cls: TS.ClassLikeDeclaration }[]> {
    if (this.indexes.subclassMembers) return this.indexes.subclassMembers;
    const ts = this.ts;
    const out = new Map<string, { member: TS.ClassElement; cls: TS.ClassLikeDeclaration }[]>();
    for (const sf of this.scopeFiles()) {
      for (const cls of indexFile(ts, sf).classes) {
        if (!cls.heritageClauses?.some((h) => h.token === ts.SyntaxKind.ExtendsKeyword)) continue;
        for (const member of cls.members) {
          const name = member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : undefined;
          if (name === undefined) continue;
          const list = out.get(name);
          if (list) list.push({ member, cls });
          else out.set(name, [{ member, cls }]);
        }
      }
    }
    return (this.indexes.subclassMembers = out);
  }

  private functionOfDeclaration(d: TS.Node): Fn | undefined {
    const ts = this.ts;
    if (ts.isFunctionDeclaration(d) || ts.isMethodDeclaration(d) || ts.isFunctionExpression(d) || ts.isArrowFunction(d)) return d.body ? d : undefined;
    if (ts.isShorthandPropertyAssignment(d)) {
      const value = this.checker.getShorthandAssignmentValueSymbol(d);
      return value?.valueDeclaration && value.valueDeclaration !== d ? this.functionOfDeclaration(value.valueDeclaration) : undefined;
    }
    let init: TS.Expression | undefined;
    if (ts.isVariableDeclaration(d) && this.isConst(d)) init = d.initializer;
    else if ((ts.isPropertyDeclaration(d) && (this.isReadonlyOrPrivate(d) || !this.reassigned(d))) || (ts.isPropertyAssignment(d) && !this.reassigned(d))) init = d.initializer;
    if (!init) return undefined;
    const value = this.unwrap(init);
    if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return value;
    return undefined;
  }

  /**
   * A property of an object literal that something in scope assigns again (`this.callbacks.onMessage = callback`
   * over a field initialised with `{ onMessage: () => Promise.resolve() }`), or a public field the same way: its
   * initializer is not what it calls (another file of the program may assign a public field).
   */
  private reassigned(p: TS.ObjectLiteralElementLike | TS.PropertyDeclaration): boolean {
    const ts = this.ts;
    const name = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name) || ts.isPrivateIdentifier(p.name)) ? p.name.text : undefined;
    if (name === undefined) return true;
    const targets = this.assignedProperties().get(name);
    if (!targets) return false;
    return targets.some((t) => {
      const key = ts.isPropertyAccessExpression(t) ? t.name : ts.isElementAccessExpression(t) ? t.argumentExpression : undefined;
      const sym = key && this.checker.getSymbolAtLocation(key);
      return sym !== undefined && (sym.getDeclarations() ?? []).includes(p as TS.Declaration);
    });
  }

  private assignedProperties(): Map<string, TS.Expression[]> {
    if (this.indexes.assignedProperties) return this.indexes.assignedProperties;
    const ts = this.ts;
    const out = new Map<string, TS.Expression[]>();
    const visit = (n: TS.Node): void => {
      if (ts.isBinaryExpression(n) && isAssignmentOperator(ts, n.operatorToken.kind)) {
        const left = this.unwrap(n.left);
        const name = ts.isPropertyAccessExpression(left) ? left.name.text : ts.isElementAccessExpression(left) && ts.isStringLiteralLike(left.argumentExpression) ? left.argumentExpression.text : undefined;
        if (name !== undefined) {
          const list = out.get(name);
          if (list) list.push(left);
          else out.set(name, [left]);
        }
      }
      ts.forEachChild(n, visit);
    };
    for (const sf of this.scopeFiles()) visit(sf);
    return (this.indexes.assignedProperties = out);
  }

  private isReadonlyOrPrivate(d: TS.PropertyDeclaration): boolean {
    const ts = this.ts;
    if (ts.isPrivateIdentifier(d.name)) return true;
    const flags = ts.getCombinedModifierFlags(d);
    return (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Readonly)) !== 0;
  }

  /**
   * A field holding a deferred (a promise with its `resolve` and `reject` attached, made by a helper such as
   * nats.js' `deferred()`) whose `reject` nothing in scope ever names: the promise never rejects. Every use of the
   * field must be seen: an assignment of a fresh deferred, `.then`/`.catch`/`.finally`/`.resolve`, `await`, or a
   * return from a function declared to return a plain promise; anything else (passed on, stored elsewhere) may
   * reject it.
   * Assumed: code outside the project does not reject the project's own deferreds (the rule pages say so).
   */
  private deferredNobodyRejects(access: TS.PropertyAccessExpression): boolean {
    const ts = this.ts;
    const sym = this.checker.getSymbolAtLocation(access.name);
    const decl = sym?.valueDeclaration;
    if (!sym || !decl || !ts.isPropertyDeclaration(decl) || !this.readable(decl)) return false;
    const cached = this.deferredFieldMemo.get(sym);
    if (cached !== undefined) return cached;
    const name = access.name.text;
    let ok = decl.initializer === undefined || this.isDeferredCall(decl.initializer);
    const uses: TS.PropertyAccessExpression[] = [];
    if (ts.isPrivateIdentifier(decl.name)) {
      // `#field` is named only inside its class.
      const visit = (n: TS.Node): void => {
        if (ts.isPropertyAccessExpression(n) && ts.isPrivateIdentifier(n.name) && n.name.text === name) uses.push(n);
        ts.forEachChild(n, visit);
      };
      visit(decl.parent);
    } else {
      for (const file of this.scopeFiles()) {
        if (!file.text.includes(name)) continue;
        for (const id of indexFile(ts, file).identifiersByText.get(name) ?? []) {
          if (ts.isPropertyAccessExpression(id.parent) && id.parent.name === id && this.checker.getSymbolAtLocation(id) === sym) uses.push(id.parent);
        }
      }
    }
    ok &&= uses.every((u) => this.checker.getSymbolAtLocation(u.name) !== sym || this.deferredUseKeepsIt(u));
    this.deferredFieldMemo.set(sym, ok);
    return ok;
  }

  /** One use of a deferred field that cannot reject it (see deferredNobodyRejects). */
  private deferredUseKeepsIt(use: TS.PropertyAccessExpression): boolean {
    const ts = this.ts;
    let node: TS.Node = use;
    while (ts.isParenthesizedExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
    const up = node.parent;
    if (ts.isPropertyAccessExpression(up) && up.expression === node) return ['then', 'catch', 'finally', 'resolve'].includes(up.name.text);
    if (ts.isBinaryExpression(up) && up.left === node) return up.operatorToken.kind === ts.SyntaxKind.EqualsToken && this.isDeferredCall(up.right);
    if (ts.isAwaitExpression(up)) return true;
    // Collected into a local array only ever awaited together: nobody gets the deferred itself (nats.js' close()
    // awaits its listeners' iterClosed with Promise.all).
    if (ts.isCallExpression(up) && up.arguments.some((a) => a === node) && ts.isPropertyAccessExpression(up.expression) && up.expression.name.text === 'push') {
      return this.pushedInto(up.expression.expression) !== undefined;
    }
    let ret: TS.Node = up;
    while (ts.isAsExpression(ret) || ts.isParenthesizedExpression(ret) || ts.isSatisfiesExpression(ret)) ret = ret.parent;
    if (ts.isReturnStatement(ret)) {
      const fn = enclosingFunction(ts, ret);
      const type = fn?.type ? this.checker.getTypeFromTypeNode(fn.type) : undefined;
      // Handed out as a plain promise (`Promise<void>`): callers cannot reach its reject.
      return type !== undefined && unionParts(type).every((t) => this.checker.getApparentType(t).getProperty('reject') === undefined);
    }
    return false;
  }

  /**
   * `const proms = []` in a function, whose every other mention is `proms.push(…)`, `proms.length` or the argument of
   * `Promise.all`/`allSettled`/`race`/`any`: what it holds reaches no one who could reject it. The values pushed into
   * it, or undefined when it is not such an array.
   */
  private pushedInto(expr: TS.Expression): TS.Expression[] | undefined {
    const ts = this.ts;
    const arr = this.unwrap(expr);
    if (!ts.isIdentifier(arr)) return undefined;
    const decl = this.symbolOf(arr)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !ts.isIdentifier(decl.name) || !this.isConst(decl) || !decl.initializer) return undefined;
    const init = this.unwrap(decl.initializer);
    if (!ts.isArrayLiteralExpression(init) || init.elements.length > 0) return undefined;
    const scope = enclosingFunction(ts, decl)?.body;
    if (!scope) return undefined;
    const pushed: TS.Expression[] = [];
    const onlyPushedAndAwaited = referencesIn(ts, this.checker, scope, decl.name).every((ref) => {
      const p = ref.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === ref) {
        if (p.name.text === 'length') return true;
        if (p.name.text !== 'push' || !ts.isCallExpression(p.parent) || p.parent.expression !== p) return false;
        pushed.push(...p.parent.arguments);
        return true;
      }
      return this.isCombinatorArgument(ref);
    });
    return onlyPushedAndAwaited ? pushed : undefined;
  }

  private readonly storedOutcomeMemo = new Map<TS.Node, Outcome>();

  /** A read of an element (perhaps absent: undefined) of the collection `expr` names: every value it is ever given. */
  private storedOutcome(expr: TS.Expression): Outcome | undefined {
    const values = this.storedValues(expr);
    if (!values) return undefined;
    const decl = this.symbolOf(this.unwrap(expr))!.valueDeclaration!;
    // A value read from the collection itself (`m.set(k, m.get(k).then(…))`) is a cycle: unknown there.
    return this.memo(this.storedOutcomeMemo, decl, UNKNOWN, () => values.reduce<Outcome>((acc, v) => and(acc, this.outcome(v, EMPTY)), SAFE));
  }

  private readonly storedValuesMemo = new Map<TS.Node, TS.Expression[] | null>();

  /**
   * Every value a collection can hold, when all of them are seen: a `const` made empty (`[]`, `new Map()`) whose every
   * use in its scope is a read (`.length`, `.size`, `get`, `has`, `at`, `shift`, `pop`, `x[i]`, iteration methods, a
   * combinator's argument), a removal (`delete`, `clear`) or an addition whose values are written there (`push(v)`,
   * `unshift(v)`, `set(k, v)`). Handed anywhere else (an argument, a return, an alias), others may add to it: undefined.
   * vercel/ai's `ongoingStreamPromises.push(p.catch(…))` … `await ongoingStreamPromises.shift()`; hocuspocus' debounce
   * `runningExecutions.set(id, execution)` … `await runningExecutions.get(id)`.
   */
  private storedValues(expr: TS.Expression): TS.Expression[] | undefined {
    const ts = this.ts;
    const c = this.unwrap(expr);
    if (!ts.isIdentifier(c)) return undefined;
    const decl = this.symbolOf(c)?.valueDeclaration;
    if (!decl || !ts.isVariableDeclaration(decl) || !this.isConst(decl) || !decl.initializer || !this.readable(decl)) return undefined;
    // An exported one may be added to by other modules.
    const statement = decl.parent.parent;
    if (ts.isVariableStatement(statement) && hasModifier(ts, statement, ts.SyntaxKind.ExportKeyword)) return undefined;
    const cached = this.storedValuesMemo.get(decl);
    if (cached !== undefined) return cached ?? undefined;
    let values: TS.Expression[] | undefined;
    const init = this.unwrap(decl.initializer);
    const isArray = ts.isArrayLiteralExpression(init) && init.elements.length === 0;
    const ctor = ts.isNewExpression(init) ? this.unwrap(init.expression) : undefined;
    const isMap = ctor !== undefined && ts.isIdentifier(ctor) && (ctor.text === 'Map' || ctor.text === 'WeakMap') && this.isGlobal(ctor) && (init as TS.NewExpression).arguments?.length === 0;
    const scope = enclosingFunction(ts, decl)?.body ?? decl.getSourceFile();
    if (isArray || isMap) {
      const reads = isArray ? ARRAY_READS : MAP_READS;
      const found: TS.Expression[] = [];
      const ok = referencesIn(ts, this.checker, scope, decl.name as TS.Identifier).every((ref) => {
        const p = parentSkippingParens(ts, ref);
        if (ts.isElementAccessExpression(p) && this.unwrap(p.expression) === ref) return isArray && !this.isWrite(p) && !ts.isDeleteExpression(parentSkippingParens(ts, p));
        if (!ts.isPropertyAccessExpression(p) || this.unwrap(p.expression) !== ref) return this.isCombinatorArgument(ref);
        const name = p.name.text;
        const call = parentSkippingParens(ts, p);
        const called = ts.isCallExpression(call) && this.unwrap(call.expression) === p;
        if (!called) return name === (isArray ? 'length' : 'size') && !this.isWrite(p);
        const args = (call as TS.CallExpression).arguments;
        if (args.some((a) => ts.isSpreadElement(a))) return false;
        const added = isArray && (name === 'push' || name === 'unshift') ? args : !isArray && name === 'set' && args.length === 2 ? [args[1]!] : undefined;
        if (added) found.push(...added);
        return added !== undefined || reads.has(name);
      });
      if (ok) values = found;
    }
    this.storedValuesMemo.set(decl, values ?? null);
    return values;
  }

  /** `Promise.all(ref)` (or allSettled, race, any): the reference is the one argument of a combinator. */
  private isCombinatorArgument(ref: TS.Node): boolean {
    const ts = this.ts;
    const p = ref.parent;
    if (!ts.isCallExpression(p) || p.arguments.length !== 1 || p.arguments[0] !== ref) return false;
    const callee = this.unwrap(p.expression);
    return (
      ts.isPropertyAccessExpression(callee) &&
      ['all', 'allSettled', 'race', 'any'].includes(callee.name.text) &&
      ts.isIdentifier(callee.expression) &&
      callee.expression.text === 'Promise' &&
      this.isGlobal(callee.expression)
    );
  }

  /** A const local whose every use in its function is `.length` or the argument of a combinator: it holds what it was given. */
  private onlyAwaitedTogether(decl: TS.VariableDeclaration): boolean {
    const ts = this.ts;
    const scope = enclosingFunction(ts, decl)?.body;
    if (!scope || !ts.isIdentifier(decl.name)) return false;
    return referencesIn(ts, this.checker, scope, decl.name).every((ref) => {
      const p = ref.parent;
      if (ts.isPropertyAccessExpression(p) && p.expression === ref) return p.name.text === 'length';
      return this.isCombinatorArgument(ref);
    });
  }

  /** A call of a helper that makes a deferred: a `new Promise` whose executor only stores its resolve and reject, returned (or `Object.assign`ed onto). */
  private isDeferredCall(expr: TS.Expression): boolean {
    const ts = this.ts;
    const e = this.unwrap(expr);
    if (!ts.isCallExpression(e)) return false;
    const fns = this.functionsOf(e.expression);
    return fns !== undefined && fns.length === 1 && this.memo(this.deferredHelperMemo, fns[0]!, false, () => this.isDeferredHelper(fns[0]!));
  }

  private isDeferredHelper(fn: Fn): boolean {
    const ts = this.ts;
    if (!fn.body || !ts.isBlock(fn.body) || !this.readable(fn)) return false;
    let promise: TS.Identifier | undefined;
    for (const s of fn.body.statements) {
      if (!ts.isVariableStatement(s)) continue;
      for (const d of s.declarationList.declarations) {
        const init = d.initializer && this.unwrap(d.initializer);
        if (ts.isIdentifier(d.name) && init && ts.isNewExpression(init) && this.onlyStoresSettlers(init)) promise = d.name;
      }
    }
    if (!promise) return false;
    const returns = fn.body.statements.filter(ts.isReturnStatement);
    const isPromise = (x: TS.Expression | undefined): boolean => {
      const v = x && this.unwrap(x);
      if (!v) return false;
      if (ts.isIdentifier(v)) return v.text === promise!.text;
      // Object.assign(p, methods) returns p.
      return ts.isCallExpression(v) && ts.isPropertyAccessExpression(v.expression) && v.expression.name.text === 'assign' && ts.isIdentifier(v.expression.expression) && v.expression.expression.text === 'Object' && isPromise(v.arguments[0]);
    };
    return returns.length === 1 && isPromise(returns[0]!.expression);
  }

  /** `new Promise((resolve, reject) => { methods = { resolve, reject }; })`: the executor only stores its two functions. */
  private onlyStoresSettlers(n: TS.NewExpression): boolean {
    const ts = this.ts;
    const ctor = this.unwrap(n.expression);
    const executor = n.arguments?.[0] && this.unwrap(n.arguments[0]);
    if (!ts.isIdentifier(ctor) || ctor.text !== 'Promise' || !this.isGlobal(ctor) || n.arguments!.length !== 1) return false;
    if (!executor || !(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) || this.isAsync(executor) || !ts.isBlock(executor.body)) return false;
    const params = new Set(executor.parameters.map((p) => (ts.isIdentifier(p.name) ? p.name.text : '')));
    const stored = (x: TS.Expression): boolean => {
      const v = this.unwrap(x);
      if (ts.isIdentifier(v)) return params.has(v.text);
      return ts.isObjectLiteralExpression(v) && v.properties.every((p) => (ts.isShorthandPropertyAssignment(p) ? params.has(p.name.text) : ts.isPropertyAssignment(p) && stored(p.initializer)));
    };
    return executor.body.statements.every((st) => {
      if (!ts.isExpressionStatement(st)) return false;
      const a = this.unwrap(st.expression);
      return ts.isBinaryExpression(a) && a.operatorToken.kind === ts.SyntaxKind.EqualsToken && stored(a.right);
    });
  }

  /** The object literals and classes (`new C`) an expression can evaluate to, when all are known. */
  private originsOf(expr: TS.Expression, depth: number): (TS.ObjectLiteralExpression | TS.ClassLikeDeclaration)[] | undefined {
    const ts = this.ts;
    if (depth > 4) return undefined;
    const e = this.unwrap(expr);
    if (ts.isObjectLiteralExpression(e)) return this.readable(e) ? [e] : undefined;
    if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.EqualsToken) return this.originsOf(e.right, depth + 1);
    if (ts.isNewExpression(e)) {
      const sym = this.symbolOf(e.expression);
      const cls = sym?.valueDeclaration;
      return cls && ts.isClassDeclaration(cls) && this.readable(cls) ? [cls] : undefined;
    }
    if (ts.isIdentifier(e)) {
      const decl = this.symbolOf(e)?.valueDeclaration;
      if (decl && ts.isVariableDeclaration(decl) && this.isConst(decl) && decl.initializer && this.readable(decl)) return this.originsOf(decl.initializer, depth + 1);
      return undefined;
    }
    const all: (TS.ObjectLiteralExpression | TS.ClassLikeDeclaration)[] = [];
    const add = (values: readonly TS.Expression[]): boolean => {
      for (const v of values) {
        if (this.isNullish(v)) continue; // calls on it are `?.` calls, or throw: no promise either way
        const o = this.originsOf(v, depth + 1);
        if (!o) return false;
        all.push(...o);
      }
      return all.length > 0;
    };
    if (ts.isPropertyAccessExpression(e) && e.expression.kind === ts.SyntaxKind.ThisKeyword) {
      const values = this.fieldValues(e);
      return values && add(values) ? all : undefined;
    }
    if (ts.isCallExpression(e)) {
      const fns = this.functionsOf(e.expression);
      if (!fns || fns.length === 0) return undefined;
      const returned: TS.Expression[] = [];
      for (const fn of fns) {
        const r = this.returnedExpressions(fn);
        if (!r) return undefined;
        returned.push(...r);
      }
      return add(returned) ? all : undefined;
    }
    return undefined;
  }

  /** Every expression a non-async function returns (undefined for async functions, generators and bodiless ones). */
  private returnedExpressions(fn: Fn): TS.Expression[] | undefined {
    const ts = this.ts;
    if (!fn.body || fn.asteriskToken || this.isAsync(fn)) return undefined;
    if (!ts.isBlock(fn.body)) return [fn.body];
    const out: TS.Expression[] = [];
    const visit = (n: TS.Node): void => {
      if (ts.isFunctionLike(n) || ts.isClassLike(n)) return;
      if (ts.isReturnStatement(n)) {
        if (n.expression) out.push(n.expression);
        return;
      }
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(fn.body, visit);
    return out;
  }

  /** The function a member name holds in an object literal or a class, when the literal or class says so itself. */
  private memberOf(origin: TS.ObjectLiteralExpression | TS.ClassLikeDeclaration, name: string): Fn | undefined {
    const ts = this.ts;
    if (ts.isObjectLiteralExpression(origin)) {
      // The last definition wins; a spread after it may override it with something we do not see.
      let found: Fn | undefined;
      for (const p of origin.properties) {
        if (ts.isSpreadAssignment(p)) {
          found = undefined;
          continue;
        }
        const pName = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isPrivateIdentifier(p.name)) ? p.name.text : undefined;
        if (pName !== name) continue;
        if (this.reassigned(p)) found = undefined;
        else if (ts.isMethodDeclaration(p)) found = p.body ? p : undefined;
        else if (ts.isShorthandPropertyAssignment(p)) found = this.functionOfDeclaration(p);
        else if (ts.isPropertyAssignment(p)) {
          const v = this.unwrap(p.initializer);
          const sym = ts.isIdentifier(v) ? this.symbolOf(v) : undefined;
          const fns = sym ? this.implementationsOf(sym) : undefined;
          found = ts.isArrowFunction(v) || ts.isFunctionExpression(v) ? v : fns?.length === 1 ? fns[0] : undefined;
        } else found = undefined;
      }
      return found && this.readable(found) ? found : undefined;
    }
    for (const m of origin.members) {
      const mName = m.name && (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name) || ts.isStringLiteral(m.name)) ? m.name.text : undefined;
      if (mName !== name) continue;
      if (ts.isMethodDeclaration(m) && m.body) return m;
      if (ts.isPropertyDeclaration(m)) return this.functionOfDeclaration(m);
      return undefined;
    }
    return undefined;
  }

  /**
   * Every value a private or readonly field of the enclosing class can hold: its
   * initializer and each assignment to it in the class body (only the class can
   * write it). Undefined when that is not known (public mutable fields, parameter properties).
   */
  private fieldValues(access: TS.PropertyAccessExpression): TS.Expression[] | undefined {
    const ts = this.ts;
    const sym = this.checker.getSymbolAtLocation(access.name);
    const decl = sym?.valueDeclaration;
    if (!decl || !ts.isPropertyDeclaration(decl) || !this.isReadonlyOrPrivate(decl) || !this.readable(decl)) return undefined;
    const cached = this.fieldMemo.get(decl);
    if (cached !== undefined) return cached ?? undefined;
    const cls = decl.parent;
    const values: TS.Expression[] = decl.initializer ? [decl.initializer] : [];
    let known = true;
    const SK = ts.SyntaxKind;
    const visit = (n: TS.Node): void => {
      if (!known) return;
      if (ts.isBinaryExpression(n) && isAssignmentOperator(ts, n.operatorToken.kind)) {
        const left = this.unwrap(n.left);
        if (ts.isPropertyAccessExpression(left) && left.name.text === access.name.text && this.checker.getSymbolAtLocation(left.name) === sym) {
          const op = n.operatorToken.kind;
          if (op === SK.EqualsToken || op === SK.QuestionQuestionEqualsToken || op === SK.BarBarEqualsToken || op === SK.AmpersandAmpersandEqualsToken) values.push(n.right);
          else known = false;
        }
      }
      if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && ts.isPropertyAccessExpression(n.operand) && n.operand.name.text === access.name.text) known = false;
      ts.forEachChild(n, visit);
    };
    ts.forEachChild(cls, visit);
    this.fieldMemo.set(decl, known ? values : null);
    return known ? values : undefined;
  }

  // ------------------------------------------------------------ non-async functions: what they return

  /**
   * The outcome of every promise a non-async function can return. Locals declared
   * with `let` are followed through the function's own straight-line code and
   * `if` statements (whose conditions are decided when the call's arguments
   * say so: `if (!options?.throwOnError) promise = promise.catch(noop)`).
   */
  private returnOutcome(fn: Fn, env: Env): Outcome {
    const ts = this.ts;
    if (!fn.body) return UNKNOWN;
    if (!ts.isBlock(fn.body)) return this.outcome(fn.body, env);
    const tracked = this.trackedLets(fn);
    let result = SAFE;
    const evalIn = (e: TS.Expression, locals: Map<TS.Node, Outcome>) => this.outcome(e, { params: env.params, calls: env.calls, locals });
    /**
     * What a node gives the tracked locals, outside nested functions: `x = v` (and `x ??= v`: v; `x += v`: the
     * whole expression); with `declarations`, also `let x = v` declared in it (no value: undefined).
     */
    const writesIn = (n: TS.Node, declarations = false): { decl: TS.Node; value: TS.Expression | undefined }[] => {
      const out: { decl: TS.Node; value: TS.Expression | undefined }[] = [];
      const SK = ts.SyntaxKind;
      const visit = (x: TS.Node): void => {
        if (ts.isFunctionLike(x)) return;
        if (ts.isBinaryExpression(x) && isAssignmentOperator(ts, x.operatorToken.kind) && ts.isIdentifier(x.left)) {
          const d = this.symbolOf(x.left)?.valueDeclaration;
          const op = x.operatorToken.kind;
          const plain = op === SK.EqualsToken || op === SK.QuestionQuestionEqualsToken || op === SK.BarBarEqualsToken || op === SK.AmpersandAmpersandEqualsToken;
          if (d && tracked.has(d)) out.push({ decl: d, value: plain ? x.right : x });
        } else if (declarations && ts.isVariableDeclaration(x) && tracked.has(x)) {
          out.push({ decl: x, value: x.initializer });
        }
        ts.forEachChild(x, visit);
      };
      visit(n);
      return out;
    };
    const assigned = (n: TS.Node): TS.Node[] => writesIn(n).map((w) => w.decl);
    const returnsIn = (n: TS.Node): TS.ReturnStatement[] => {
      const out: TS.ReturnStatement[] = [];
      const visit = (x: TS.Node): void => {
        if (ts.isFunctionLike(x) || ts.isClassLike(x)) return;
        if (ts.isReturnStatement(x)) out.push(x);
        ts.forEachChild(x, visit);
      };
      visit(n);
      return out;
    };
    // Runs one statement on the states of the tracked locals; null when the path ends.
    const exec = (s: TS.Statement, locals: Map<TS.Node, Outcome>): Map<TS.Node, Outcome> | null => {
      if (ts.isBlock(s)) {
        let cur: Map<TS.Node, Outcome> | null = locals;
        for (const x of s.statements) {
          cur = exec(x, cur);
          if (!cur) return null;
        }
        return cur;
      }
      if (ts.isReturnStatement(s)) {
        result = and(result, s.expression ? evalIn(s.expression, locals) : SAFE);
        return null;
      }
      if (ts.isThrowStatement(s)) return null;
      if (ts.isVariableStatement(s)) {
        const next = new Map(locals);
        for (const d of assigned(s)) next.set(d, UNKNOWN);
        for (const d of s.declarationList.declarations) if (tracked.has(d)) next.set(d, d.initializer ? evalIn(d.initializer, locals) : SAFE);
        return next;
      }
      if (ts.isExpressionStatement(s)) {
        const x = this.unwrap(s.expression);
        if (ts.isBinaryExpression(x) && ts.isIdentifier(x.left)) {
          const d = this.symbolOf(x.left)?.valueDeclaration;
          if (d && tracked.has(d) && assigned(x.right).length === 0) {
            const value = evalIn(x.right, locals);
            const next = new Map(locals);
            const op = x.operatorToken.kind;
            if (op === ts.SyntaxKind.EqualsToken) next.set(d, value);
            else next.set(d, and(locals.get(d) ?? UNKNOWN, value));
            return next;
          }
        }
      }
      if (ts.isIfStatement(s)) {
        const c = this.truthOf(s.expression, env);
        const then = c === false ? null : exec(s.thenStatement, new Map(locals));
        const otherwise = c === true ? null : s.elseStatement ? exec(s.elseStatement, new Map(locals)) : locals;
        if (c === true) return then;
        if (c === false) return otherwise;
        if (!then) return otherwise;
        if (!otherwise) return then;
        const joined = new Map(then);
        for (const [d, o] of otherwise) joined.set(d, and(joined.get(d) ?? UNKNOWN, o));
        return joined;
      }
      if (isFunctionOrTypeDeclaration(ts, s)) return locals;
      if (ts.isTryStatement(s)) {
        // The try block runs in order; a catch starts from any point of it; a finally runs after either.
        const tried = exec(s.tryBlock, new Map(locals));
        let out = tried;
        if (s.catchClause) {
          const caughtIn = new Map(locals);
          for (const d of assigned(s.tryBlock)) caughtIn.set(d, UNKNOWN);
          const caught = exec(s.catchClause.block, caughtIn);
          if (!tried) out = caught;
          else if (caught) {
            out = new Map(tried);
            for (const [d, o] of caught) out.set(d, and(out.get(d) ?? UNKNOWN, o));
          }
        }
        if (!s.finallyBlock) return out;
        // A path that threw goes through the finally too, but does not reach what follows.
        return out ? exec(s.finallyBlock, out) : (exec(s.finallyBlock, new Map(locals)), null);
      }
      // Anything else (loops, switch): a local assigned inside holds, after it and in its returns, what it held
      // before or any value assigned there, each judged with the locals so joined (grpc-js' filter stack:
      // `for (…) result = filter.sendMessage(result)`). Outcomes only ever lose safety, so this settles.
      const next = new Map(locals);
      const writes = writesIn(s, true);
      // Each local changes at most three times (unset, then drop and never lost one by one): a round without a change ends it.
      const maxRounds = 3 * new Set(writes.map((w) => w.decl)).size + 1;
      let changed = writes.length > 0;
      for (let round = 0; changed && round < maxRounds; round++) {
        changed = false;
        for (const w of writes) {
          const value = w.value ? evalIn(w.value, next) : SAFE;
          const cur = next.get(w.decl);
          const joined = cur === undefined ? value : and(cur, value);
          if (cur === undefined || joined.drop !== cur.drop || joined.never !== cur.never) {
            next.set(w.decl, joined);
            changed = true;
          }
        }
      }
      for (const r of returnsIn(s)) result = and(result, r.expression ? evalIn(r.expression, next) : SAFE);
      return next;
    };
    let locals: Map<TS.Node, Outcome> | null = new Map();
    for (const s of fn.body.statements) {
      locals = exec(s, locals);
      if (!locals) break;
    }
    return result;
  }

  /** `let` locals of the function's own body that only its own code (not a closure) assigns. */
  private trackedLets(fn: Fn): Set<TS.Node> {
    const ts = this.ts;
    const lets = new Set<TS.Node>();
    const collect = (n: TS.Node): void => {
      if (ts.isFunctionLike(n) && n !== fn) return;
      if (ts.isVariableDeclarationList(n) && !(n.flags & (ts.NodeFlags.Const | ts.NodeFlags.Using))) {
        for (const d of n.declarations) if (ts.isIdentifier(d.name)) lets.add(d);
      }
      ts.forEachChild(n, collect);
    };
    collect(fn.body!);
    if (lets.size === 0) return lets;
    const inClosure = (n: TS.Node, inside: boolean): void => {
      if (ts.isFunctionLike(n)) inside = true;
      if (inside && ts.isBinaryExpression(n) && ts.isIdentifier(n.left) && isAssignmentOperator(ts, n.operatorToken.kind)) {
        const d = this.symbolOf(n.left)?.valueDeclaration;
        if (d) lets.delete(d);
      }
      ts.forEachChild(n, (c) => inClosure(c, inside));
    };
    ts.forEachChild(fn.body!, (c) => inClosure(c, false));
    return lets;
  }

  // ------------------------------------------------------------ conditions from the call's arguments

  /** Truthiness of a known value (undefined when unknown). */
  /** The condition's truth as the env decides it: undefined when the env binds nothing or it is not known. */
  private decided(cond: TS.Expression, env: Env): boolean | undefined {
    return decides(env) ? this.truthOf(cond, env) : undefined;
  }

  /**
   * The truth of a condition, where `&&` and `||` are settled by either side: `sub.type === "event" && args.length > 0`
   * is false when the arguments are known to be none, whatever `sub` is.
   */
  private truthOf(expr: TS.Expression, env: Env): boolean | undefined {
    const ts = this.ts;
    const e = this.unwrap(expr);
    const SK = ts.SyntaxKind;
    if (ts.isPrefixUnaryExpression(e) && e.operator === SK.ExclamationToken) {
      const t = this.truthOf(e.operand, env);
      return t === undefined ? undefined : !t;
    }
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === SK.AmpersandAmpersandToken || e.operatorToken.kind === SK.BarBarToken)) {
      const isAnd = e.operatorToken.kind === SK.AmpersandAmpersandToken;
      const l = this.truthOf(e.left, env);
      if (l === !isAnd) return l; // false && …, true || …
      const r = this.truthOf(e.right, env);
      if (l === isAnd) return r;
      return r === !isAnd ? r : undefined; // … && false, … || true
    }
    return this.truth(this.value(e, env));
  }

  private truth(v: Known): boolean | undefined {
    if (v.kind === 'undefined') return false;
    if (v.kind === 'object' || v.kind === 'array') return true;
    if (v.kind === 'primitive') return Boolean(v.value);
    return undefined;
  }

  private value(expr: TS.Expression, env: Env): Known {
    const ts = this.ts;
    const e = this.unwrap(expr);
    const SK = ts.SyntaxKind;
    if (ts.isPrefixUnaryExpression(e) && e.operator === SK.ExclamationToken) {
      const t = this.truthOf(e.operand, env);
      return t === undefined ? UNKNOWN_VALUE : { kind: 'primitive', value: !t };
    }
    if (ts.isBinaryExpression(e) && (e.operatorToken.kind === SK.AmpersandAmpersandToken || e.operatorToken.kind === SK.BarBarToken)) {
      const l = this.value(e.left, env);
      const t = this.truth(l);
      if (t === undefined) return UNKNOWN_VALUE;
      const isAnd = e.operatorToken.kind === SK.AmpersandAmpersandToken;
      return isAnd === t ? this.value(e.right, env) : l;
    }
    if (e.kind === SK.TrueKeyword) return { kind: 'primitive', value: true };
    if (e.kind === SK.FalseKeyword) return { kind: 'primitive', value: false };
    if (e.kind === SK.NullKeyword) return { kind: 'undefined', isNull: true };
    if (ts.isNumericLiteral(e)) return { kind: 'primitive', value: Number(e.text) };
    if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { kind: 'primitive', value: e.text };
    if (ts.isObjectLiteralExpression(e)) return { kind: 'object', literal: e, env };
    if (ts.isIdentifier(e)) {
      if (this.isUndefined(e)) return { kind: 'undefined' };
      const decl = this.symbolOf(e)?.valueDeclaration;
      const bound = decl && env.params.get(decl);
      // A parameter the body assigns holds the argument only until then.
      if (bound && (!this.paramWritten(decl) || env.flow?.has(decl))) {
        if (bound.rest) return this.arrayMutated(decl) ? UNKNOWN_VALUE : { kind: 'array', elements: bound.rest, env: bound.env };
        if (!bound.expr) return { kind: 'undefined' };
        const v = this.value(bound.expr, bound.env);
        // An array handed on reads as the caller's only while this function does not change it either.
        return v.kind === 'array' && this.arrayMutated(decl) ? UNKNOWN_VALUE : v;
      }
      return UNKNOWN_VALUE;
    }
    if (ts.isBinaryExpression(e)) return this.comparison(e, env);
    if (ts.isTypeOfExpression(e)) {
      const v = this.value(e.expression, env);
      if (v.kind === 'undefined') return { kind: 'primitive', value: v.isNull ? 'object' : 'undefined' };
      if (v.kind === 'object' || v.kind === 'array') return { kind: 'primitive', value: 'object' };
      return v.kind === 'primitive' ? { kind: 'primitive', value: typeof v.value } : UNKNOWN_VALUE;
    }
    // `Array.isArray(x)` of a known primitive, undefined or object literal: false; of a rest parameter's arguments: true.
    if (ts.isCallExpression(e) && e.arguments.length === 1 && this.isArrayIsArray(e.expression)) {
      const v = this.value(e.arguments[0]!, env);
      return v.kind === 'unknown' ? UNKNOWN_VALUE : { kind: 'primitive', value: v.kind === 'array' };
    }
    if (ts.isElementAccessExpression(e)) return this.elementValue(e, env);
    if (ts.isPropertyAccessExpression(e) && e.expression.kind === SK.ThisKeyword) return env.facts?.get(e.name.text) ?? UNKNOWN_VALUE;
    if (ts.isPropertyAccessExpression(e) && ts.isIdentifier(e.name)) {
      const obj = this.value(e.expression, env);
      if (obj.kind === 'undefined') return e.questionDotToken ? { kind: 'undefined' } : UNKNOWN_VALUE;
      if (obj.kind === 'object') return this.property(obj.literal, e.name.text, obj.env);
      if (obj.kind === 'array' && e.name.text === 'length') return { kind: 'primitive', value: obj.elements.length };
      return UNKNOWN_VALUE;
    }
    return UNKNOWN_VALUE;
  }

  /** `a === b`, `a !== b`, `a == b`, `a != b` of two known primitives (an object's identity is not followed); `<`, `>`, `<=`, `>=` of two numbers. */
  private comparison(e: TS.BinaryExpression, env: Env): Known {
    const SK = this.ts.SyntaxKind;
    const op = e.operatorToken.kind;
    if (op === SK.GreaterThanToken || op === SK.LessThanToken || op === SK.GreaterThanEqualsToken || op === SK.LessThanEqualsToken) {
      // Of two known numbers only (`args.length > 0`).
      const l = this.value(e.left, env);
      const r = this.value(e.right, env);
      if (l.kind !== 'primitive' || r.kind !== 'primitive' || typeof l.value !== 'number' || typeof r.value !== 'number') return UNKNOWN_VALUE;
      const value = op === SK.GreaterThanToken ? l.value > r.value : op === SK.LessThanToken ? l.value < r.value : op === SK.GreaterThanEqualsToken ? l.value >= r.value : l.value <= r.value;
      return { kind: 'primitive', value };
    }
    const strict = op === SK.EqualsEqualsEqualsToken || op === SK.ExclamationEqualsEqualsToken;
    const negated = op === SK.ExclamationEqualsEqualsToken || op === SK.ExclamationEqualsToken;
    if (!strict && !negated && op !== SK.EqualsEqualsToken) return UNKNOWN_VALUE;
    const equal = this.equals(this.value(e.left, env), this.value(e.right, env), strict);
    return equal === undefined ? UNKNOWN_VALUE : { kind: 'primitive', value: equal !== negated };
  }

  /** `l === r` (`strict`) or `l == r` of two known values; undefined when it cannot be told. */
  private equals(l: Known, r: Known, strict: boolean): boolean | undefined {
    // An object's (or array's) identity is not followed.
    if (l.kind === 'unknown' || r.kind === 'unknown') return undefined;
    const lRef = l.kind === 'object' || l.kind === 'array';
    const rRef = r.kind === 'object' || r.kind === 'array';
    if (lRef && rRef) return undefined;
    if (l.kind === 'undefined' && r.kind === 'undefined') return !strict || Boolean(l.isNull) === Boolean(r.isNull);
    // An object literal is never null or undefined, nor `===` a primitive (`==` may convert it: not followed).
    if (lRef || rRef) return strict || l.kind === 'undefined' || r.kind === 'undefined' ? false : undefined;
    if (l.kind === 'undefined' || r.kind === 'undefined') return false;
    if (typeof l.value === typeof r.value) return l.value === r.value;
    return strict ? false : undefined;
  }

  private isArrayIsArray(callee: TS.Expression): boolean {
    const e = this.unwrap(callee);
    if (!this.ts.isPropertyAccessExpression(e) || e.name.text !== 'isArray') return false;
    const receiver = this.unwrap(e.expression);
    return this.ts.isIdentifier(receiver) && receiver.text === 'Array' && this.isGlobal(receiver);
  }

  /**
   * `arguments[i]` in the body of the function whose call is followed, or `args[i]` of a rest parameter's arguments:
   * the argument, or undefined past the last.
   */
  private elementValue(e: TS.ElementAccessExpression, env: Env): Known {
    const ts = this.ts;
    const target = this.unwrap(e.expression);
    const index = this.unwrap(e.argumentExpression);
    if (!ts.isNumericLiteral(index)) return UNKNOWN_VALUE;
    if (!ts.isIdentifier(target) || target.text !== 'arguments') {
      const list = this.value(target, env);
      if (list.kind !== 'array') return UNKNOWN_VALUE;
      const el = list.elements[Number(index.text)];
      return el ? this.value(el, list.env) : { kind: 'undefined' };
    }
    if (!env.args) return UNKNOWN_VALUE;
    if (this.argumentsOwner(target) !== env.args.fn) return UNKNOWN_VALUE;
    const i = Number(index.text);
    const { exprs } = env.args;
    if (exprs.slice(0, i + 1).some((a) => ts.isSpreadElement(a))) return UNKNOWN_VALUE;
    const arg = exprs[i];
    return arg ? this.value(arg, env.args.env) : { kind: 'undefined' };
  }

  /** The function whose `arguments` an identifier names (arrows have none of their own). */
  private argumentsOwner(node: TS.Node): Fn | undefined {
    for (let f = enclosingFunction(this.ts, node); f; f = enclosingFunction(this.ts, f)) if (!this.ts.isArrowFunction(f)) return f;
    return undefined;
  }

  private readonly argumentsMemo = new Map<Fn, boolean>();

  /** The body reads its own `arguments` and never writes into it (`arguments[0] = …`). */
  private readsArguments(fn: Fn): boolean {
    const ts = this.ts;
    let memo = this.argumentsMemo.get(fn);
    if (memo !== undefined) return memo;
    let reads = false;
    let writes = false;
    const visit = (n: TS.Node): void => {
      if (ts.isIdentifier(n) && n.text === 'arguments' && this.argumentsOwner(n) === fn) {
        reads = true;
        const p = parentSkippingParens(ts, n);
        if (p && ts.isElementAccessExpression(p)) {
          const up = parentSkippingParens(ts, p);
          if (up && ts.isBinaryExpression(up) && up.left === p && isAssignmentOperator(ts, up.operatorToken.kind)) writes = true;
        } else if (p && !ts.isPropertyAccessExpression(p)) writes = true; // handed on or aliased: its elements may change
      }
      ts.forEachChild(n, visit);
    };
    if (fn.body) visit(fn.body);
    memo = reads && !writes;
    this.argumentsMemo.set(fn, memo);
    return memo;
  }

  private readonly paramWrittenMemo = new Map<TS.Node, boolean>();

  /** The reference (a name, `x[i]`, `x.length`) is written: assigned (any operator), incremented, a destructuring target, a for-in/of head. */
  private isWrite(ref: TS.Expression): boolean {
    const p = parentSkippingParens(this.ts, ref);
    return (this.ts.isBinaryExpression(p) && this.unwrap(p.left) === ref && isAssignmentOperator(this.ts, p.operatorToken.kind)) || this.isOtherWrite(ref);
  }

  /** The parameter is written somewhere in its function: assigned, incremented, destructured into (isOtherWrite). */
  private paramWritten(decl: TS.Node): boolean {
    const ts = this.ts;
    if (!ts.isParameter(decl) || !ts.isIdentifier(decl.name)) return false;
    const fn = decl.parent;
    const name = decl.name;
    const cached = this.paramWrittenMemo.get(decl);
    if (cached !== undefined) return cached;
    const body = ts.isFunctionLike(fn) && 'body' in fn ? fn.body : undefined;
    const written =
      body !== undefined &&
      referencesIn(ts, this.checker, body, name).some((ref) => this.isWrite(ref));
    this.paramWrittenMemo.set(decl, written);
    return written;
  }

  private readonly arrayMutatedMemo = new Map<TS.Node, boolean>();

  /**
   * The parameter holding an array may be changed in its function: an element or its length assigned, a mutating
   * method called (`args.push(…)`, `args.splice(…)`). Where it is handed on is not followed, as for object literals.
   */
  private arrayMutated(decl: TS.Node): boolean {
    const ts = this.ts;
    if (!ts.isParameter(decl) || !ts.isIdentifier(decl.name)) return true;
    const cached = this.arrayMutatedMemo.get(decl);
    if (cached !== undefined) return cached;
    const fn = decl.parent;
    const body = ts.isFunctionLike(fn) && 'body' in fn ? fn.body : undefined;
    const mutated =
      body !== undefined &&
      referencesIn(ts, this.checker, body, decl.name).some((ref) => {
        const p = parentSkippingParens(ts, ref);
        if (ts.isElementAccessExpression(p) && this.unwrap(p.expression) === ref) return this.isWrite(p) || ts.isDeleteExpression(parentSkippingParens(ts, p));
        if (!ts.isPropertyAccessExpression(p) || this.unwrap(p.expression) !== ref) return false;
        if (p.name.text === 'length') return this.isWrite(p);
        const call = parentSkippingParens(ts, p);
        return ts.isCallExpression(call) && this.unwrap(call.expression) === p && ARRAY_MUTATORS.has(p.name.text);
      });
    this.arrayMutatedMemo.set(decl, mutated);
    return mutated;
  }

  /** The value of `literal[name]`, spreads included. */
  private property(literal: TS.ObjectLiteralExpression, name: string, env: Env): Known {
    const ts = this.ts;
    for (let i = literal.properties.length - 1; i >= 0; i--) {
      const p = literal.properties[i]!;
      if (ts.isSpreadAssignment(p)) {
        const v = this.value(p.expression, env);
        if (v.kind === 'undefined') continue;
        if (v.kind !== 'object') return UNKNOWN_VALUE;
        const inner = this.property(v.literal, name, v.env);
        if (inner.kind === 'undefined' && !this.declares(v.literal, name)) continue;
        return inner;
      }
      const pName = p.name && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) ? p.name.text : undefined;
      if (p.name && ts.isComputedPropertyName(p.name)) return UNKNOWN_VALUE;
      if (pName !== name) continue;
      if (ts.isPropertyAssignment(p)) return this.value(p.initializer, env);
      if (ts.isShorthandPropertyAssignment(p)) return this.value(p.name, env);
      return UNKNOWN_VALUE;
    }
    return { kind: 'undefined' };
  }

  private declares(literal: TS.ObjectLiteralExpression, name: string): boolean {
    const ts = this.ts;
    return literal.properties.some((p) => p.name !== undefined && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name)) && p.name.text === name);
  }

  // ------------------------------------------------------------ async functions: can the body throw?

  private asyncNeverRejects(fn: Fn, env: Env = EMPTY): boolean {
    const ts = this.ts;
    if (!fn.body || !this.readable(fn)) return false;
    if (!ts.isBlock(fn.body)) return !this.exprMayThrow(fn.body, true) && this.outcome(fn.body, EMPTY).never;
    return !this.stmtMayThrow(fn.body, true, this.startFlow(fn, env));
  }

  /** The bound parameters a straight walk of `fn`'s body may follow past their writes: those no nested function writes. */
  private startFlow(fn: Fn, env: Env): Env {
    if (env.params.size === 0) return env;
    const flow = new Set<TS.Node>();
    for (const p of env.params.keys()) if (this.paramWritten(p) && !this.writtenInClosure(p, fn)) flow.add(p);
    return flow.size === 0 ? env : { ...env, flow };
  }

  /** A nested function of `fn` writes the parameter (it may run at any time). */
  private writtenInClosure(param: TS.Node, fn: Fn): boolean {
    const ts = this.ts;
    if (!ts.isParameter(param) || !ts.isIdentifier(param.name) || !fn.body) return true;
    return referencesIn(ts, this.checker, fn.body, param.name).some((ref) => this.isWrite(ref) && enclosingFunction(ts, ref) !== fn);
  }


  /**
   * Iterating the value may throw or reject, unless it is a call of generator functions of the code (`async *` or
   * `*`) whose bodies cannot throw: a generator's `next()` throws (or, async, rejects) only with what its body throws.
   * A for-await loop never calls `throw()` into it; `yield` in an async generator awaits what it yields.
   */
  private generatorsMayThrow(expr: TS.Expression, awaited: boolean): boolean {
    const ts = this.ts;
    const e = this.unwrap(expr);
    if (!ts.isCallExpression(e)) return true;
    const fns = this.functionsOf(e.expression);
    if (!fns || fns.length === 0 || fns.some((f) => !f.asteriskToken || !f.body || !this.readable(f))) return true;
    // A for-await loop awaits what even a sync generator yields, and turns its throws into a rejection.
    const memo = awaited ? this.awaitedGeneratorMemo : this.generatorMemo;
    return fns.some((f) => this.memo(memo, f, true, () => (ts.isBlock(f.body!) ? this.stmtMayThrow(f.body, awaited || this.isAsync(f)) : true)));
  }

  /** Calling the non-async function may throw synchronously. */
  private syncMayThrow(fn: Fn): boolean {
    if (fn.asteriskToken || this.isAsync(fn)) return false; // the body runs later, or its throw becomes a rejection
    return this.memo(this.throwMemo, fn, true, () => {
      const ts = this.ts;
      if (!fn.body || !this.readable(fn)) {
        this.cause('body-out-of-view', fn);
        return true;
      }
      if (!ts.isBlock(fn.body)) return this.exprMayThrow(fn.body, false);
      return this.stmtMayThrow(fn.body, false);
    });
  }

  /** `env`: the parameters bound at the call followed, which decide the `if`s they settle (expressions are judged unbound). */
  private stmtMayThrow(s: TS.Statement, inAsync: boolean, env: Env = EMPTY): boolean {
    if (!this.causes) return this.stmtThrows(s, inAsync, env);
    // A try whose catch cannot throw drops the causes found in its block.
    const mark = this.causes.length;
    const r = this.stmtThrows(s, inAsync, env);
    if (!r) this.causes.length = mark;
    return r;
  }

  private stmtThrows(s: TS.Statement, inAsync: boolean, env: Env): boolean {
    const ts = this.ts;
    const ex = (e: TS.Expression | undefined) => e !== undefined && this.exprMayThrow(e, inAsync, env);
    const st = (x: TS.Statement | undefined) => x !== undefined && this.stmtMayThrow(x, inAsync, env);
    // A loop's body may run after itself, a catch or finally after part of the try, a case clause's statements are
    // not a block: known fields are not carried in.
    const fresh = env.facts || env.flow ? { ...env, facts: undefined, flow: undefined } : env;
    const stFresh = (x: TS.Statement | undefined) => x !== undefined && this.stmtMayThrow(x, inAsync, fresh);
    if (ts.isBlock(s)) {
      if (env.params.size === 0 && !env.args) return s.statements.some((x) => this.stmtMayThrow(x, inAsync, env));
      let here = env;
      for (const x of s.statements) {
        if (this.stmtMayThrow(x, inAsync, here)) return true;
        // What follows a statement that returns on the path the arguments decide is not reached.
        if (this.completes(x, here)) return false;
        here = this.flowAfter(x, this.factsAfter(x, here));
      }
      return false;
    }
    if (ts.isExpressionStatement(s)) return ex(s.expression);
    if (ts.isVariableStatement(s)) return this.declarationsMayThrow(s.declarationList, inAsync, env);
    if (ts.isReturnStatement(s)) return ex(s.expression) || (inAsync && s.expression !== undefined && !this.outcome(s.expression, env).never);
    if (ts.isThrowStatement(s)) return this.throwing('throws', s);
    if (ts.isIfStatement(s)) {
      const c = this.decided(s.expression, env);
      return ex(s.expression) || (c !== false && st(s.thenStatement)) || (c !== true && st(s.elseStatement));
    }
    if (ts.isTryStatement(s)) {
      const mark = this.causes?.length ?? 0;
      const tryThrows = st(s.tryBlock);
      // What the try block throws goes to the catch: only what escapes the catch explains a rejection.
      if (this.causes && s.catchClause) this.causes.length = mark;
      const caught = s.catchClause ? tryThrows && (this.bindingMayThrow(s.catchClause.variableDeclaration?.name) || stFresh(s.catchClause.block)) : tryThrows;
      // A finally that always returns or exits the process discards what the try or catch threw.
      if (s.finallyBlock && this.endsAbruptly(s.finallyBlock)) {
        if (this.causes) this.causes.length = mark;
        return stFresh(s.finallyBlock);
      }
      return caught || stFresh(s.finallyBlock);
    }
    if (ts.isForStatement(s)) {
      const init = s.initializer && (ts.isVariableDeclarationList(s.initializer) ? this.declarationsMayThrow(s.initializer, inAsync) : ex(s.initializer));
      return Boolean(init) || ex(s.condition) || ex(s.incrementor) || stFresh(s.statement);
    }
    if (ts.isWhileStatement(s) || ts.isDoStatement(s)) return ex(s.expression) || stFresh(s.statement);
    if (ts.isForInStatement(s)) return ex(s.expression) || stFresh(s.statement);
    if (ts.isForOfStatement(s)) {
      // `for await (const chunk of this.upstreamIterator(n))`: only a generator of the code, judged by its body.
      if (s.awaitModifier && this.generatorsMayThrow(s.expression, true)) {
        this.cause('iterates', s.expression);
        return true;
      }
      const head = ts.isVariableDeclarationList(s.initializer) ? s.initializer.declarations.some((d) => this.bindingMayThrow(d.name)) : true;
      return head || ex(s.expression) || (!s.awaitModifier && !this.iteratesSafelyOrCause(s.expression)) || stFresh(s.statement);
    }
    if (ts.isSwitchStatement(s)) {
      // A discriminant the arguments decide runs from the matching clause on (fall-through included).
      const from = (decides(env) ? this.matchingClause(s, env) : undefined) ?? 0;
      return ex(s.expression) || s.caseBlock.clauses.some((c, i) => i >= from && ((ts.isCaseClause(c) && ex(c.expression)) || c.statements.some((x) => this.stmtMayThrow(x, inAsync, fresh))));
    }
    if (ts.isLabeledStatement(s)) return st(s.statement);
    if (ts.isEmptyStatement(s) || ts.isBreakStatement(s) || ts.isContinueStatement(s) || ts.isDebuggerStatement(s)) return false;
    return !isFunctionOrTypeDeclaration(ts, s);
  }

  /**
   * The env after statement `s` ran: `this.x = v` with a known `v` records it; a statement that may run other code
   * (a call, `new`, an await, a yield, a tagged template) forgets every field, one that writes `this.x` forgets x.
   */
  private factsAfter(s: TS.Statement, env: Env): Env {
    const ts = this.ts;
    const SK = ts.SyntaxKind;
    const assigned = ts.isExpressionStatement(s) ? this.unwrap(s.expression) : undefined;
    if (assigned && ts.isBinaryExpression(assigned) && assigned.operatorToken.kind === SK.EqualsToken) {
      const left = this.unwrap(assigned.left);
      if (ts.isPropertyAccessExpression(left) && left.expression.kind === SK.ThisKeyword && !this.runsCode(assigned.right) && !this.isAccessor(left)) {
        const facts = new Map(env.facts);
        const v = this.value(assigned.right, env);
        if (v.kind === 'unknown') facts.delete(left.name.text);
        else facts.set(left.name.text, v);
        return { ...env, facts };
      }
    }
    if (!env.facts || env.facts.size === 0) return env;
    if (this.runsCode(s)) return { ...env, facts: undefined };
    const facts = new Map(env.facts);
    const forget = (target: TS.Expression): void => {
      const t = this.unwrap(target);
      if (ts.isPropertyAccessExpression(t) && t.expression.kind === SK.ThisKeyword) facts.delete(t.name.text);
      // `[this.a, this.b] = pair`, `({ a: this.a } = o)`: any field may be among the targets.
      else if (ts.isArrayLiteralExpression(t) || ts.isObjectLiteralExpression(t)) facts.clear();
    };
    const visit = (n: TS.Node): void => {
      if (ts.isBinaryExpression(n) && isAssignmentOperator(ts, n.operatorToken.kind)) forget(n.left);
      else if ((ts.isPrefixUnaryExpression(n) || ts.isPostfixUnaryExpression(n)) && (n.operator === SK.PlusPlusToken || n.operator === SK.MinusMinusToken)) forget(n.operand);
      ts.forEachChild(n, visit);
    };
    visit(s);
    return { ...env, facts };
  }

  /**
   * The index of the clause a switch starts at: the first case equal to a known discriminant, else the default
   * clause, else past the last; undefined when the discriminant or a case before the match is not known.
   */
  private matchingClause(s: TS.SwitchStatement, env: Env): number | undefined {
    const ts = this.ts;
    const d = this.value(s.expression, env);
    if (d.kind === 'unknown' || d.kind === 'object' || d.kind === 'array') return undefined;
    const clauses = s.caseBlock.clauses;
    for (let i = 0; i < clauses.length; i++) {
      const c = clauses[i]!;
      if (!ts.isCaseClause(c)) continue;
      const equal = this.equals(d, this.value(c.expression, env), true);
      if (equal === undefined) return undefined;
      if (equal) return i;
    }
    const def = clauses.findIndex((c) => ts.isDefaultClause(c));
    return def >= 0 ? def : clauses.length;
  }

  /**
   * The statement always leaves the function by a `return` or `throw` on the path the env decides (an `if` whose
   * condition it settles, a switch on a known discriminant, a block), never by `break` or `continue` first.
   */
  private completes(s: TS.Statement, env: Env): boolean {
    const ts = this.ts;
    if (ts.isReturnStatement(s) || ts.isThrowStatement(s)) return true;
    if (ts.isBlock(s)) return this.sequenceCompletes(s.statements, env);
    if (ts.isIfStatement(s)) {
      const c = this.decided(s.expression, env);
      const then = () => this.completes(s.thenStatement, env);
      const otherwise = () => s.elseStatement !== undefined && this.completes(s.elseStatement, env);
      return c === true ? then() : c === false ? otherwise() : then() && otherwise();
    }
    if (ts.isSwitchStatement(s) && decides(env)) {
      const from = this.matchingClause(s, env);
      if (from === undefined) return false;
      return this.sequenceCompletes(s.caseBlock.clauses.slice(from).flatMap((c) => [...c.statements]), env);
    }
    return false;
  }

  /** Statements run in order until one leaves the function; a `break`/`continue` that may run first ends it. */
  private sequenceCompletes(statements: readonly TS.Statement[], env: Env): boolean {
    for (const x of statements) {
      if (this.mayJump(x)) return false;
      if (this.completes(x, env)) return true;
    }
    return false;
  }

  /** A `break` or `continue` that may leave the statement (not one inside a loop or switch of its own, or a function). */
  private mayJump(s: TS.Node): boolean {
    const ts = this.ts;
    let found = false;
    const visit = (n: TS.Node, inner: boolean): void => {
      if (found || isFunctionLike(ts, n)) return;
      if ((ts.isBreakStatement(n) || ts.isContinueStatement(n)) && (n.label !== undefined || !inner)) {
        found = true;
        return;
      }
      const own = ts.isIterationStatement(n, false) || ts.isSwitchStatement(n);
      ts.forEachChild(n, (c) => visit(c, inner || own));
    };
    visit(s, false);
    return found;
  }

  /** The env after `s` ran: a parameter `s` writes (on a path the env does not rule out) no longer holds its argument. */
  private flowAfter(s: TS.Statement, env: Env): Env {
    if (!env.flow || env.flow.size === 0) return env;
    const ts = this.ts;
    const flow = new Set(env.flow);
    const visit = (n: TS.Node): void => {
      if (isFunctionLike(ts, n)) return;
      if (ts.isIfStatement(n)) {
        const c = this.decided(n.expression, env);
        visit(n.expression);
        if (c !== false) visit(n.thenStatement);
        if (c !== true && n.elseStatement) visit(n.elseStatement);
        return;
      }
      if (ts.isIdentifier(n) && this.isWrite(n)) {
        const decl = this.symbolOf(n)?.valueDeclaration;
        if (decl) flow.delete(decl);
      }
      ts.forEachChild(n, visit);
    };
    visit(s);
    return flow.size === env.flow.size ? env : { ...env, flow };
  }

  /** The node may run code other than its own operators: a call, `new`, await, yield, a tagged template, `delete` (outside nested functions). */
  private runsCode(node: TS.Node): boolean {
    const ts = this.ts;
    let runs = false;
    const visit = (n: TS.Node): void => {
      if (runs || isFunctionOrTypeDeclaration(ts, n as TS.Statement) || ts.isArrowFunction(n) || ts.isFunctionExpression(n) || ts.isClassExpression(n)) return;
      if (ts.isCallExpression(n) || ts.isNewExpression(n) || ts.isAwaitExpression(n) || ts.isYieldExpression(n) || ts.isTaggedTemplateExpression(n) || ts.isDeleteExpression(n)) {
        runs = true;
        return;
      }
      ts.forEachChild(n, visit);
    };
    visit(node);
    return runs;
  }

  /** `this.x` names a get/set accessor: writing it runs code. */
  private isAccessor(access: TS.PropertyAccessExpression): boolean {
    return (this.symbolOf(access.name)?.getDeclarations() ?? []).some((d) => this.ts.isGetAccessorDeclaration(d) || this.ts.isSetAccessorDeclaration(d));
  }

  /** The block's last statement is a `return` or `process.exit(…)`: control never leaves it normally. */
  private endsAbruptly(block: TS.Block): boolean {
    const last = block.statements[block.statements.length - 1];
    return (last !== undefined && this.ts.isReturnStatement(last)) || this.exitsAtEnd(block);
  }

  /** The block's last statement is `process.exit(…)`. */
  private exitsAtEnd(block: TS.Block): boolean {
    const ts = this.ts;
    const last = block.statements[block.statements.length - 1];
    if (!last || !ts.isExpressionStatement(last)) return false;
    const call = this.unwrap(last.expression);
    if (!ts.isCallExpression(call)) return false;
    const callee = this.unwrap(call.expression);
    if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'exit') return false;
    const receiver = this.unwrap(callee.expression);
    return ts.isIdentifier(receiver) && receiver.text === 'process' && this.isGlobal(receiver);
  }

  private declarationsMayThrow(list: TS.VariableDeclarationList, inAsync: boolean, env: Env = EMPTY): boolean {
    if (list.flags & this.ts.NodeFlags.Using) return true; // disposal runs code
    return list.declarations.some((d) => this.bindingMayThrow(d.name) || (d.initializer !== undefined && this.exprMayThrow(d.initializer, inAsync, env)));
  }

  /**
   * Destructuring an array runs the value's iterator: built in for an array or tuple, user code otherwise;
   * object patterns only read properties. Either may throw where a default value does.
   */
  private bindingMayThrow(name: TS.BindingName | undefined): boolean {
    const ts = this.ts;
    if (!name || ts.isIdentifier(name)) return false;
    if (ts.isArrayBindingPattern(name) && !this.callThrowsIgnored && !this.isArray(name)) {
      this.cause('iterates', name);
      return true;
    }
    return (name.elements as readonly (TS.BindingElement | TS.OmittedExpression)[]).some(
      (el) => ts.isBindingElement(el) && (this.bindingMayThrow(el.name) || (el.initializer !== undefined && this.exprMayThrow(el.initializer, false))),
    );
  }

  private iteratesSafelyOrCause(expr: TS.Expression): boolean {
    if (this.callThrowsIgnored || this.iteratesSafely(expr) || !this.generatorsMayThrow(expr, false)) return true;
    this.cause('iterates', expr);
    return false;
  }

  /**
   * Iterating the value runs no code of the user's: an array or tuple, a built-in Map, Set or
   * string, or the iterator of an array's, Map's or Set's keys()/values()/entries().
   */
  private iteratesSafely(expr: TS.Expression): boolean {
    const ts = this.ts;
    const e = this.unwrap(expr);
    if (ts.isCallExpression(e) && ts.isPropertyAccessExpression(this.unwrap(e.expression))) {
      const callee = this.unwrap(e.expression) as TS.PropertyAccessExpression;
      if (['keys', 'values', 'entries'].includes(callee.name.text) && this.isBuiltinMethod(callee, SAFE_METHODS)) return true;
    }
    if (this.isArray(e)) return true;
    const type = this.checker.getNonNullableType(this.checker.getTypeAtLocation(e));
    return unionParts(type).every((t) => {
      if (t.flags & ts.TypeFlags.StringLike) return true;
      const sym = t.getSymbol();
      return sym !== undefined && ['Map', 'ReadonlyMap', 'Set', 'ReadonlySet'].includes(sym.getName()) && (sym.getDeclarations() ?? []).every((d) => d.getSourceFile().isDeclarationFile);
    });
  }

  private isArray(expr: TS.Node): boolean {
    const type = this.checker.getTypeAtLocation(expr);
    return unionParts(this.checker.getNonNullableType(type)).every((t) => this.checker.isArrayType(t) || this.checker.isTupleType(t));
  }

  /**
   * Evaluating the expression may throw. Reading properties, operators and
   * assignments are taken not to throw (types rule out null receivers; getters and
   * valueOf are not followed); calls, `new` and iteration may, unless shown otherwise.
   */
  private exprMayThrow(expr: TS.Expression, inAsync: boolean, env: Env = EMPTY): boolean {
    if (!this.causes) return this.exprThrows(expr, inAsync, env);
    const mark = this.causes.length;
    const r = this.exprThrows(expr, inAsync, env);
    if (!r) this.causes.length = mark;
    return r;
  }

  /** `env`: what a followed call bound; an awaited call is judged with it (its own arguments may come from them). */
  private exprThrows(expr: TS.Expression, inAsync: boolean, env: Env = EMPTY): boolean {
    const ts = this.ts;
    const e = this.unwrap(expr);
    const ex = (x: TS.Expression | undefined) => x !== undefined && this.exprMayThrow(x, inAsync, env);
    if (ts.isIdentifier(e) || ts.isLiteralExpression(e) || ts.isNoSubstitutionTemplateLiteral(e) || ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return false;
    const SK = ts.SyntaxKind;
    if (e.kind === SK.TrueKeyword || e.kind === SK.FalseKeyword || e.kind === SK.NullKeyword || e.kind === SK.ThisKeyword || e.kind === SK.SuperKeyword) return false;
    if (ts.isTemplateExpression(e)) return e.templateSpans.some((sp) => ex(sp.expression));
    if (ts.isPropertyAccessExpression(e)) return ex(e.expression);
    if (ts.isElementAccessExpression(e)) return ex(e.expression) || ex(e.argumentExpression);
    if (ts.isBinaryExpression(e)) return ex(e.left) || ex(e.right);
    if (ts.isPrefixUnaryExpression(e) || ts.isPostfixUnaryExpression(e)) return ex(e.operand);
    if (ts.isTypeOfExpression(e) || ts.isVoidExpression(e) || ts.isDeleteExpression(e)) return ex(e.expression);
    if (ts.isConditionalExpression(e)) return ex(e.condition) || ex(e.whenTrue) || ex(e.whenFalse);
    if (ts.isAwaitExpression(e)) return ex(e.expression) || (this.maybePromise(e.expression) && !this.outcome(e.expression, env).never);
    // `yield x` in a generator iterated by a loop (see generatorsMayThrow): an async generator awaits `x`; `yield*`
    // runs another iterator, which may throw.
    if (ts.isYieldExpression(e)) return !!e.asteriskToken || ex(e.expression) || (inAsync && !!e.expression && this.maybePromise(e.expression) && !this.outcome(e.expression, EMPTY).never);
    if (ts.isObjectLiteralExpression(e)) {
      return e.properties.some((p) => {
        if (p.name && ts.isComputedPropertyName(p.name) && ex(p.name.expression)) return true;
        if (ts.isPropertyAssignment(p)) return ex(p.initializer);
        if (ts.isSpreadAssignment(p)) return ex(p.expression);
        return false;
      });
    }
    if (ts.isArrayLiteralExpression(e)) return e.elements.some((x) => (ts.isSpreadElement(x) ? ex(x.expression) || !this.iteratesSafelyOrCause(x.expression) : ex(x)));
    if (ts.isCallExpression(e)) return this.callMayThrow(e, inAsync);
    if (ts.isNewExpression(e)) return this.newMayThrow(e, inAsync);
    return true;
  }

  private argumentsMayThrow(args: readonly TS.Expression[] | undefined, inAsync: boolean): boolean {
    const ts = this.ts;
    return (args ?? []).some((a) => (ts.isSpreadElement(a) ? this.exprMayThrow(a.expression, inAsync) || !this.iteratesSafelyOrCause(a.expression) : this.exprMayThrow(a, inAsync)));
  }

  private callMayThrow(call: TS.CallExpression, inAsync: boolean): boolean {
    const ts = this.ts;
    const callee = this.unwrap(call.expression);
    if (callee.kind === ts.SyntaxKind.SuperKeyword || callee.kind === ts.SyntaxKind.ImportKeyword) return true;
    if (this.argumentsMayThrow(call.arguments, inAsync)) return true;
    if ((ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) && this.exprMayThrow(callee.expression, inAsync)) return true;
    if (ts.isPropertyAccessExpression(callee) && this.isBuiltinMethod(callee, STATE_THROWING_METHODS)) return this.throwing('state-throws', call);
    if (this.isSafeBuiltinCall(call, callee)) return false;
    const target = this.invokedFunction(callee);
    const fns = this.functionsOf(target);
    if (fns && fns.length > 0 && !fns.some((f) => this.syncMayThrow(f))) return false;
    // Assumed (the rule pages say so): a function value the code was handed does not throw,
    // and a function declared to return a promise reports its failures through the promise.
    if ((!fns || fns.length === 0) && this.isReceivedFunction(target)) return false;
    if (this.declaredToReturnPromise(call)) return false;
    return this.throwing(fns && fns.length > 0 ? 'callee-throws' : 'unseen-throws', call);
  }

  private isSafeBuiltinCall(call: TS.CallExpression, callee: TS.Expression): boolean {
    const ts = this.ts;
    if (ts.isIdentifier(callee)) {
      if (SAFE_GLOBAL_CALLS.has(callee.text) && this.isGlobal(callee)) return true;
      return this.isPathFunction(callee) || this.isExecutorSettle(callee);
    }
    if (!ts.isPropertyAccessExpression(callee)) return false;
    if (ts.isIdentifier(callee.name) && this.isPathFunction(callee.name)) return true;
    const method = callee.name.text;
    const receiver = this.unwrap(callee.expression);
    if (ts.isIdentifier(receiver)) {
      const safe = SAFE_STATIC_CALLS[receiver.text];
      if (safe && (safe === 'all' || safe.has(method)) && this.isGlobal(receiver)) return true;
    }
    if (method === 'then' || method === 'catch' || method === 'finally') return isPromiseType(ts, this.program, this.checker.getTypeAtLocation(receiver));
    if (this.isBuiltinMethod(callee, SAFE_METHODS) || this.isReadlineMethod(callee)) return true;
    if (this.isBuiltinMethod(callee, PATTERN_METHODS)) return method === 'test' || method === 'exec' || (call.arguments[0] !== undefined && ts.isRegularExpressionLiteral(this.unwrap(call.arguments[0])));
    if (this.isBuiltinMethod(callee, CALLBACK_METHODS)) {
      if ((method === 'reduce' || method === 'reduceRight') && call.arguments.length < 2) return false;
      return !call.arguments.some((a) => ts.isSpreadElement(a) || this.callbackMayThrow(a));
    }
    return false;
  }

  /** Calling this argument (when it is a function) may throw. */
  private callbackMayThrow(arg: TS.Expression): boolean {
    const ts = this.ts;
    const e = this.unwrap(arg);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return !this.readable(e) || this.syncMayThrow(e);
    if (this.checker.getTypeAtLocation(e).getCallSignatures().length === 0) return false; // a thisArg or an initial value
    const fns = this.functionsOf(e);
    if (fns && fns.length > 0) return fns.some((f) => this.syncMayThrow(f));
    return !this.isReceivedFunction(e);
  }

  /** `path.join(…)`, `sp.normalize(…)`, an imported `join(…)`: a string function of node:path (its posix/win32 twins too). */
  private isPathFunction(name: TS.Identifier): boolean {
    if (!PATH_FUNCTIONS.has(name.text)) return false;
    const decls = this.symbolOf(name)?.getDeclarations() ?? [];
    return decls.length > 0 && decls.every((d) => d.getSourceFile().isDeclarationFile && declarationPackage(this.ts, d) === 'path');
  }

  /** `rl.question(…)`, `rl.close()` on node:readline's Interface. */
  private isReadlineMethod(callee: TS.PropertyAccessExpression): boolean {
    const ts = this.ts;
    if (!READLINE_METHODS.has(callee.name.text)) return false;
    return (this.symbolOf(callee.name)?.getDeclarations() ?? []).some((d) => {
      const owner = d.parent;
      return d.getSourceFile().isDeclarationFile && owner !== undefined && ts.isClassDeclaration(owner) && owner.name?.text === 'Interface' && READLINE_MODULES.has(declarationPackage(ts, d) ?? '');
    });
  }

  /**
   * A function value the code was handed rather than a function or method it
   * names: a parameter, a destructured option, a field or option of function
   * type declared in the project (`this.onerror?.(e)`, `config.onPause?.()`), a
   * variable holding a value made elsewhere (`const debug = Debug('x')`,
   * `let continueFn`), an entry of an array or map (`handlers[i](…)`, `map.get(k)!(…)`).
   */
  private isReceivedFunction(callee: TS.Expression): boolean {
    const ts = this.ts;
    const e = this.unwrap(callee);
    if (ts.isElementAccessExpression(e) || ts.isCallExpression(e)) return true;
    const name = ts.isIdentifier(e) ? e : ts.isPropertyAccessExpression(e) ? e.name : undefined;
    const decls = name ? (this.symbolOf(name)?.getDeclarations() ?? []) : [];
    return (
      decls.length > 0 &&
      decls.every((d) => {
        if (ts.isParameter(d) || ts.isBindingElement(d)) return true;
        // In a declaration file a function-typed property or variable is a library's API (`require.resolve`), not a value handed over.
        if (d.getSourceFile().isDeclarationFile) return false;
        if (ts.isPropertySignature(d)) return true;
        // The method form of the same member (`reject(error: unknown): void`) on a module-private interface or a type
        // literal that no class implements: its values are the objects the module builds, as for a property.
        if (ts.isMethodSignature(d)) return this.isPrivateShape(d.parent);
        if (!ts.isVariableDeclaration(d) && !ts.isPropertyDeclaration(d)) return false;
        // A field or variable defined as a function is a function written elsewhere, not a value handed over.
        const init = d.initializer && this.unwrap(d.initializer);
        return !init || !(ts.isArrowFunction(init) || ts.isFunctionExpression(init));
      })
    );
  }

  /** A type literal, or an interface its file does not export and no class of its file implements. */
  private isPrivateShape(owner: TS.Node): boolean {
    const ts = this.ts;
    if (ts.isTypeLiteralNode(owner)) return true;
    if (!ts.isInterfaceDeclaration(owner) || hasModifier(ts, owner, ts.SyntaxKind.ExportKeyword)) return false;
    return !this.publicOrImplementedNames(owner.getSourceFile()).has(owner.name.text);
  }

  private readonly shapeNames = new WeakMap<TS.SourceFile, Set<string>>();

  /** Names a file exports in an `export { … }` list or implements with a class: read once per file. */
  private publicOrImplementedNames(file: TS.SourceFile): Set<string> {
    const ts = this.ts;
    let names = this.shapeNames.get(file);
    if (names) return names;
    const found = new Set<string>();
    const visit = (n: TS.Node): void => {
      if (ts.isExportDeclaration(n) && n.exportClause && ts.isNamedExports(n.exportClause)) for (const el of n.exportClause.elements) found.add((el.propertyName ?? el.name).text);
      else if (ts.isHeritageClause(n) && n.token === ts.SyntaxKind.ImplementsKeyword) {
        for (const t of n.types) if (ts.isIdentifier(t.expression)) found.add(t.expression.text);
      } else ts.forEachChild(n, visit);
    };
    visit(file);
    this.shapeNames.set(file, (names = found));
    return names;
  }

  /** The call's resolved signature returns a promise (every part of it, nullish aside). */
  private declaredToReturnPromise(call: TS.CallExpression): boolean {
    const F = this.ts.TypeFlags;
    const ret = this.checker.getResolvedSignature(call)?.getReturnType();
    if (!ret || ret.flags & (F.Any | F.Unknown | F.Never | F.Void)) return false;
    const parts = unionParts(this.checker.getNonNullableType(ret));
    return parts.length > 0 && parts.every((t) => isPromiseLikeType(this.ts, this.program, t, call));
  }

  /** `x.m(…)` where `m` is declared, in a declaration file, by a class or interface the table lists it for. */
  private isBuiltinMethod(callee: TS.PropertyAccessExpression, table: Record<string, ReadonlySet<string>>): boolean {
    const ts = this.ts;
    const method = callee.name.text;
    if (!Object.values(table).some((methods) => methods.has(method))) return false;
    const sym = this.symbolOf(callee.name);
    return (sym?.getDeclarations() ?? []).some((d) => {
      const owner = d.parent;
      return (
        d.getSourceFile().isDeclarationFile &&
        owner !== undefined &&
        (ts.isInterfaceDeclaration(owner) || ts.isClassDeclaration(owner)) &&
        owner.name !== undefined &&
        table[owner.name.text]?.has(method) === true
      );
    });
  }

  /** `resolve(…)` / `reject(…)`: a parameter of the executor of `new Promise(…)`; settling never throws. */
  private isExecutorSettle(id: TS.Identifier): boolean {
    const ts = this.ts;
    const decl = this.symbolOf(id)?.valueDeclaration;
    if (!decl || !ts.isParameter(decl)) return false;
    const executor = decl.parent;
    const created = executor.parent;
    if (!(ts.isArrowFunction(executor) || ts.isFunctionExpression(executor)) || !created || !ts.isNewExpression(created) || created.arguments?.[0] !== executor) return false;
    const ctor = this.unwrap(created.expression);
    return ts.isIdentifier(ctor) && ctor.text === 'Promise' && this.isGlobal(ctor) && executor.parameters.indexOf(decl) <= 1;
  }

  private newMayThrow(n: TS.NewExpression, inAsync: boolean): boolean {
    const ts = this.ts;
    if (this.argumentsMayThrow(n.arguments, inAsync)) return true;
    const ctor = this.unwrap(n.expression);
    if (ts.isIdentifier(ctor) && ((SAFE_CONSTRUCTORS.has(ctor.text) && this.isGlobal(ctor)) || this.isNodeEventEmitter(ctor))) return false;
    const decl = ts.isIdentifier(ctor) ? this.symbolOf(ctor)?.valueDeclaration : undefined;
    const cls = decl && ts.isClassDeclaration(decl) ? decl : undefined;
    if (cls && !this.constructionMayThrow(cls)) return false;
    // A throw found inside the class is named first; this names the construction itself.
    return this.throwing(cls && this.readable(cls) ? 'callee-throws' : 'unseen-throws', n);
  }

  /**
   * Node's EventEmitter (`events`, `node:events`, under any import name): its constructor only reads the options
   * object its types allow, so constructing one, or a class extending it, runs nothing that throws.
   */
  private isNodeEventEmitter(id: TS.Identifier): boolean {
    const sym = this.checker.getSymbolAtLocation(id);
    const resolved = sym && resolveAlias(this.ts, this.checker, sym);
    return resolved?.getName() === 'EventEmitter' && isDeclaredInPackage(this.ts, resolved, ['events']);
  }

  /** Constructing the class may throw: its base, its field initializers or its constructor body. */
  private constructionMayThrow(cls: TS.ClassDeclaration): boolean {
    const ts = this.ts;
    if (!this.readable(cls)) return true;
    const ctor = cls.members.find((m): m is TS.ConstructorDeclaration => ts.isConstructorDeclaration(m) && m.body !== undefined);
    return this.memo(this.throwMemo, (ctor ?? cls) as Fn, true, () => {
      if (ts.getDecorators(cls)?.length) return true;
      const base = cls.heritageClauses?.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0]?.expression;
      if (base) {
        const b = this.unwrap(base);
        if (!ts.isIdentifier(b)) return true;
        const bDecl = this.symbolOf(b)?.valueDeclaration;
        const builtin = (SAFE_CONSTRUCTORS.has(b.text) && this.isGlobal(b)) || this.isNodeEventEmitter(b);
        if (!builtin && (!bDecl || !ts.isClassDeclaration(bDecl) || this.constructionMayThrow(bDecl))) return true;
      }
      for (const m of cls.members) {
        if (ts.isPropertyDeclaration(m) && m.initializer && !(ts.getCombinedModifierFlags(m) & ts.ModifierFlags.Static) && this.exprMayThrow(m.initializer, false)) return true;
        if (ts.getDecorators(m as TS.HasDecorators)?.length) return true;
      }
      if (!ctor?.body) return false;
      return ctor.body.statements.some((s) => {
        // super(...) is the base's construction, judged above; its arguments are not.
        if (ts.isExpressionStatement(s) && ts.isCallExpression(s.expression) && s.expression.expression.kind === ts.SyntaxKind.SuperKeyword) {
          return this.argumentsMayThrow(s.expression.arguments, false);
        }
        return this.stmtMayThrow(s, false);
      });
    });
  }
}

function isFunctionOrTypeDeclaration(ts: TypeScript, s: TS.Statement): boolean {
  return ts.isFunctionDeclaration(s) || ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s) || ts.isEnumDeclaration(s) || ts.isEmptyStatement(s);
}

const perProgram = new WeakMap<object, Rejections>();

/** The summaries of a program, shared by every file a front end checks in it (ESLint's or the analyser's). */
export function rejectionsFor(ts: TypeScript, program: TS.Program): Rejections {
  let r = perProgram.get(program);
  if (!r) perProgram.set(program, (r = new Rejections(ts, program)));
  return r;
}
