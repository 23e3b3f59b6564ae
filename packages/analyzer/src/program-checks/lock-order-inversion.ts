/**
 * lock-order-inversion: two async critical sections anywhere in the program
 * take the same two locks in opposite orders. Run concurrently, each holds
 * the lock the other waits for: a deadlock that only shows under load.
 *
 * A lock is a module-level binding or a class field whose type has
 * `runExclusive`, or `acquire` with `release` (async-mutex's Mutex and
 * Semaphore, or a lock class of your own); it is named by its declaration, so
 * the same lock is recognised across files and through imports. Locks made per
 * call (locals, parameters) have no stable identity and are left alone.
 *
 * Summaries (per file that takes a lock): every acquisition made while another
 * lock is held, and every call made while a lock is held together with the
 * locks that call takes, directly or through any depth of calls in any file
 * (found by walking the call graph from that call only, so a program with few
 * critical sections pays for few resolutions). Conclusion: every "holds L
 * while taking M" is an edge L -> M; a pair of edges L -> M and M -> L is
 * reported once, on the acquisition (or the call that leads to it) of one
 * path, with the other path as related locations.
 */
import type { ts } from 'ts-morph';
import { callGraphFixpoint } from './call-graph.js';
import { compareSpans, functionName, isFunctionLike, nodeKey, referenceName, resolveCallee, resolveSymbol, spanOf, type FunctionLike } from './functions.js';
import { defineProgramCheck, perProgram, type ProgramReport, type Span, type SummaryContext } from './program-check.js';

interface HeldLock {
  lock: string;
  /** Where it was taken. */
  site: Span;
}

interface LockEvent {
  /** The function the event is in, for messages. */
  fn: string;
  held: HeldLock[];
  /** The acquisition, or the call that leads to acquisitions. */
  site: Span;
  /** Locks taken at `site`: one for an acquisition; for a call, each with where it is finally taken. */
  takes: { lock: string; site: Span }[];
  call: boolean;
}

export interface LockSummary {
  /** Lock key -> readable name (`accounts`, `Ledger.lock`). */
  locks: Record<string, string>;
  events: LockEvent[];
}

// Callbacks passed to these run later, outside the caller's critical section.
const DEFERRING_CALLS = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask', 'nextTick', 'on', 'once', 'addListener', 'addEventListener', 'prependListener']);

// Files that can hold a lock mention one of these (lock helpers like `withLock(lock, fn)` included).
const MENTIONS_LOCK = /runExclusive|acquire|lock|mutex|semaphore/i;

interface Acquired {
  lock: string;
  site: Span;
  /** Names bound to the releaser (`const release = await m.acquire()`). */
  releasers: Set<string>;
}

interface LockRef {
  key: string;
  label: string;
}

/** What one function does about locks, ignoring what is held: its acquisitions and the project functions it calls. */
interface FunctionFacts {
  acquisitions: { lock: LockRef; site: Span }[];
  callees: FunctionLike[];
}

function unwrapCall(t: typeof ts, e: ts.Expression): ts.CallExpression | undefined {
  while (t.isParenthesizedExpression(e) || t.isAwaitExpression(e)) e = e.expression;
  return t.isCallExpression(e) ? e : undefined;
}

function isInlineCallback(t: typeof ts, fn: ts.Node): boolean {
  if (!t.isArrowFunction(fn) && !t.isFunctionExpression(fn)) return false;
  let p = fn.parent;
  let child: ts.Node = fn;
  while (p && t.isParenthesizedExpression(p)) {
    child = p;
    p = p.parent;
  }
  return !!p && t.isCallExpression(p) && p.arguments.includes(child as ts.Expression);
}

function isDeferredCallback(t: typeof ts, fn: ts.Node): boolean {
  let p = fn.parent;
  while (p && t.isParenthesizedExpression(p)) p = p.parent;
  if (!p || !t.isCallExpression(p)) return false;
  const name = referenceName(t, p.expression);
  return !!name && t.isIdentifier(name) && DEFERRING_CALLS.has(name.text);
}

/**
 * Lock facts for one Program, memoised: each function is walked at most once
 * per Program, whichever file's summary asks first.
 */
class ProgramLocks {
  private readonly facts = new Map<FunctionLike, FunctionFacts>();
  private readonly takesMemo = new Map<FunctionLike, Map<string, { site: Span; label: string }>>();
  private readonly wrappers = new Map<FunctionLike, { lock: number; callback: number } | null>();

  constructor(private readonly ctx: Omit<SummaryContext, 'sourceFile'>) {}

  /** The lock a receiver expression denotes, if it is one with a stable identity. */
  lockOf(receiver: ts.Expression, method: 'runExclusive' | 'acquire' | 'release'): LockRef | undefined {
    const t = this.ctx.ts;
    const name = referenceName(t, receiver);
    if (!name) return undefined;
    const sym = resolveSymbol(this.ctx as SummaryContext, name);
    const decl = sym?.valueDeclaration;
    if (!decl) return undefined;
    let label: string | undefined;
    if (t.isVariableDeclaration(decl) && t.isIdentifier(decl.name)) {
      const statement = decl.parent?.parent;
      if (statement && t.isVariableStatement(statement) && t.isSourceFile(statement.parent)) label = decl.name.text;
    } else if (t.isPropertyDeclaration(decl) || (t.isParameter(decl) && t.isParameterPropertyDeclaration(decl, decl.parent))) {
      const cls = t.isPropertyDeclaration(decl) ? decl.parent : decl.parent.parent;
      const field = t.isIdentifier(decl.name) || t.isPrivateIdentifier(decl.name) ? decl.name.text : undefined;
      if (field && (t.isClassDeclaration(cls) || t.isClassExpression(cls))) label = `${cls.name?.text ?? 'class'}.${field}`;
    }
    if (!label) return undefined;
    // The type decides whether this is a lock: runExclusive, or acquire with release.
    const type = this.ctx.checker.getTypeAtLocation(receiver);
    const has = (p: string) => type.getProperty(p) !== undefined;
    const isLock = method === 'runExclusive' ? has('runExclusive') : has('runExclusive') || (has('acquire') && has('release'));
    return isLock ? { key: nodeKey(decl), label } : undefined;
  }

  /** The lock a `x.runExclusive(…)` / `x.acquire(…)` call takes. */
  acquisitionOf(call: ts.CallExpression): { lock: LockRef; method: 'runExclusive' | 'acquire' } | undefined {
    const t = this.ctx.ts;
    const callee = call.expression;
    if (!t.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    if (method !== 'runExclusive' && method !== 'acquire') return undefined;
    const lock = this.lockOf(callee.expression, method);
    return lock ? { lock, method } : undefined;
  }

  /**
   * A helper that runs a callback parameter under a lock parameter:
   * `withLock(lock, fn) { return lock.runExclusive(fn) }`, or `await lock.acquire()`
   * followed by a call of the callback. Returns the two parameter positions.
   */
  wrapperOf(fn: FunctionLike): { lock: number; callback: number } | undefined {
    if (this.wrappers.has(fn)) return this.wrappers.get(fn) ?? undefined;
    this.wrappers.set(fn, null);
    const t = this.ctx.ts;
    const params = new Map<string, number>();
    fn.parameters.forEach((p, i) => {
      if (t.isIdentifier(p.name)) params.set(p.name.text, i);
    });
    if (params.size < 2 || !fn.body) return undefined;
    const paramOf = (e: ts.Node | undefined) => (e && t.isIdentifier(e) ? params.get(e.text) : undefined);
    let lock: number | undefined;
    let callback: number | undefined;
    let acquired: number | undefined;
    const called = new Set<number>();
    const visit = (n: ts.Node): void => {
      if (lock !== undefined) return;
      if (t.isCallExpression(n)) {
        const callee = n.expression;
        const calledParam = paramOf(callee);
        if (calledParam !== undefined) called.add(calledParam);
        if (t.isPropertyAccessExpression(callee) && (callee.name.text === 'runExclusive' || callee.name.text === 'acquire')) {
          const l = paramOf(callee.expression);
          if (l !== undefined) {
            if (callee.name.text === 'acquire') acquired = l;
            else {
              const cb = n.arguments[0];
              let c = paramOf(cb);
              // `lock.runExclusive(() => fn())`
              if (c === undefined && cb && (t.isArrowFunction(cb) || t.isFunctionExpression(cb))) {
                const body = t.isBlock(cb.body) ? undefined : unwrapCall(t, cb.body);
                c = body ? paramOf(body.expression) : undefined;
              }
              if (c !== undefined && c !== l) [lock, callback] = [l, c];
            }
          }
        }
      }
      t.forEachChild(n, visit);
    };
    visit(fn.body);
    if (lock === undefined && acquired !== undefined) {
      const c = [...called].find((i) => i !== acquired);
      if (c !== undefined) [lock, callback] = [acquired, c];
    }
    if (lock === undefined || callback === undefined) return undefined;
    // The lock parameter's type must be a lock.
    const type = this.ctx.checker.getTypeAtLocation(fn.parameters[lock]!);
    const has = (p: string) => type.getProperty(p) !== undefined;
    if (!has('runExclusive') && !(has('acquire') && has('release'))) return undefined;
    const found = { lock, callback };
    this.wrappers.set(fn, found);
    return found;
  }

  /** A call of a lock wrapper with a lock that has an identity: the lock, and the callback argument. */
  wrapperCall(call: ts.CallExpression): { lock: LockRef; callback: ts.Expression | undefined } | undefined {
    const t = this.ctx.ts;
    if (call.arguments.length < 2) return undefined;
    // Arguments first (a name is cheap to resolve); the callee only when one of them is a lock.
    let lock: LockRef | undefined;
    let at = -1;
    call.arguments.forEach((arg, i) => {
      // A module-level lock by name, or a class-field lock through `this`: resolving either needs no inference.
      const candidate = t.isIdentifier(arg) || (t.isPropertyAccessExpression(arg) && arg.expression.kind === t.SyntaxKind.ThisKeyword);
      if (lock || !candidate || !this.mayBeLock(arg)) return;
      lock = this.lockOf(arg, 'acquire');
      at = i;
    });
    if (!lock) return undefined;
    const callee = resolveCallee(this.ctx as SummaryContext, call.expression);
    const w = callee && this.wrapperOf(callee);
    if (!w || w.lock !== at) return undefined;
    return { lock, callback: call.arguments[w.callback] };
  }

  /** Cheap syntactic test before asking the checker: a declaration that looks like it makes a lock. */
  private mayBeLock(arg: ts.Expression): boolean {
    const t = this.ctx.ts;
    const name = referenceName(t, arg);
    const sym = name && resolveSymbol(this.ctx as SummaryContext, name);
    const decl = sym?.valueDeclaration;
    if (!decl || !(t.isVariableDeclaration(decl) || t.isPropertyDeclaration(decl) || t.isParameter(decl))) return false;
    if (decl.initializer && t.isNewExpression(decl.initializer)) return true;
    const text = (decl.type ?? decl.initializer)?.getText() ?? '';
    return /lock|mutex|semaphore/i.test(text);
  }

  factsOf(fn: FunctionLike): FunctionFacts {
    let f = this.facts.get(fn);
    if (f) return f;
    const t = this.ctx.ts;
    const sf = fn.getSourceFile();
    f = { acquisitions: [], callees: [] };
    const facts = f;
    const visit = (node: ts.Node): void => {
      if (isFunctionLike(t, node)) {
        // Nested functions run when called; inline callbacks run now, unless deferred.
        if (!isInlineCallback(t, node) || isDeferredCallback(t, node)) return;
      } else if (t.isCallExpression(node)) {
        const acq = this.acquisitionOf(node) ?? this.wrapperCall(node);
        if (acq) {
          facts.acquisitions.push({ lock: acq.lock, site: spanOf(sf, node.expression) });
          // A callback passed by name to a wrapper runs under its lock.
          const cb = 'callback' in acq ? acq.callback : undefined;
          const passed = cb && (t.isIdentifier(cb) || t.isPropertyAccessExpression(cb)) ? resolveCallee(this.ctx as SummaryContext, cb) : undefined;
          if (passed) facts.callees.push(passed);
        } else {
          const callee = resolveCallee(this.ctx as SummaryContext, node.expression);
          if (callee) facts.callees.push(callee);
          // A function passed to runExclusive-like wrappers by name still runs.
          for (const a of node.arguments) {
            if (t.isIdentifier(a) || t.isPropertyAccessExpression(a)) {
              const passed = resolveCallee(this.ctx as SummaryContext, a);
              if (passed) facts.callees.push(passed);
            }
          }
        }
      }
      t.forEachChild(node, visit);
    };
    if (fn.body) visit(fn.body);
    this.facts.set(fn, f);
    return f;
  }

  /** Every lock `fn` takes, directly or through calls, with the first place (by position) it is taken. */
  takes(fn: FunctionLike): Map<string, { site: Span; label: string }> {
    return callGraphFixpoint(fn, this.takesMemo, {
      edges: (f) => this.factsOf(f).callees,
      callee: (c) => c,
      own: (f) => {
        const own = new Map<string, { site: Span; label: string }>();
        for (const a of this.factsOf(f).acquisitions) {
          const prev = own.get(a.lock.key);
          if (!prev || compareSpans(a.site, prev.site) < 0) own.set(a.lock.key, { site: a.site, label: a.lock.label });
        }
        return own;
      },
      join: (mine, _call, theirs) => {
        let grew = false;
        for (const [lock, v] of theirs) {
          const prev = mine.get(lock);
          if (!prev || compareSpans(v.site, prev.site) < 0) {
            mine.set(lock, v);
            grew = true;
          }
        }
        return grew;
      },
    });
  }
}

const programLocks = perProgram((ctx) => new ProgramLocks(ctx));

/** Walks one file's functions with the set of locks held at each point. */
class LockSummarizer {
  readonly locks: Record<string, string> = {};
  readonly events: LockEvent[] = [];
  private readonly t: typeof ts;
  private readonly sf: ts.SourceFile;
  private readonly program: ProgramLocks;
  private fn = '';

  constructor(private readonly ctx: SummaryContext) {
    this.t = ctx.ts;
    this.sf = ctx.sourceFile;
    this.program = programLocks(ctx);
  }

  summarizeFile(): LockSummary {
    const t = this.t;
    this.fn = 'module top level';
    this.statements(this.sf.statements, []);
    const visit = (node: ts.Node): void => {
      if (isFunctionLike(t, node) && node.body && !isInlineCallback(t, node)) {
        this.fn = functionName(t, node);
        this.functionBody(node.body, []);
      }
      t.forEachChild(node, visit);
    };
    visit(this.sf);
    return { locks: this.locks, events: this.events };
  }

  private lockOf(receiver: ts.Expression, method: 'runExclusive' | 'acquire' | 'release'): string | undefined {
    const lock = this.program.lockOf(receiver, method);
    if (!lock) return undefined;
    this.locks[lock.key] = lock.label;
    return lock.key;
  }

  private functionBody(body: ts.ConciseBody, held: HeldLock[]): void {
    if (this.t.isBlock(body)) this.statements(body.statements, held);
    else this.visit(body, held, []);
  }

  /** Walks a statement list; `acquire()` keeps its lock held until the statement that releases it. */
  private statements(list: readonly ts.Statement[], outer: HeldLock[]): void {
    const t = this.t;
    let held = outer;
    let active: Acquired[] = [];
    for (const stmt of list) {
      if (active.length > 0 && t.isTryStatement(stmt) && stmt.finallyBlock) {
        const released = this.releasedIn(stmt.finallyBlock, active);
        if (released.size > 0) {
          this.statements(stmt.tryBlock.statements, held);
          if (stmt.catchClause) this.statements(stmt.catchClause.block.statements, held);
          held = held.filter((h) => !released.has(h.lock));
          active = active.filter((a) => !released.has(a.lock));
          this.statements(stmt.finallyBlock.statements, held);
          continue;
        }
      }
      const released = active.length > 0 ? this.releasedIn(stmt, active) : new Set<string>();
      const acquired: Acquired[] = [];
      this.visit(stmt, held, acquired);
      if (released.size > 0) {
        held = held.filter((h) => !released.has(h.lock));
        active = active.filter((a) => !released.has(a.lock));
      }
      for (const a of acquired) {
        held = [...held, { lock: a.lock, site: a.site }];
        active.push(a);
      }
    }
  }

  /** Locks among `active` that `node` releases (`m.release()`, or a call of the bound releaser). */
  private releasedIn(node: ts.Node, active: readonly Acquired[]): Set<string> {
    const t = this.t;
    const out = new Set<string>();
    const visit = (n: ts.Node): void => {
      if (isFunctionLike(t, n)) return;
      if (t.isCallExpression(n)) {
        const callee = n.expression;
        if (t.isIdentifier(callee)) {
          for (const a of active) if (a.releasers.has(callee.text)) out.add(a.lock);
        } else if (t.isPropertyAccessExpression(callee) && callee.name.text === 'release') {
          const lock = this.lockOf(callee.expression, 'release');
          if (lock && active.some((a) => a.lock === lock)) out.add(lock);
        }
      }
      t.forEachChild(n, visit);
    };
    visit(node);
    return out;
  }

  /** Names a `const release = await m.acquire()` (or `const [, release] = …`) binds. */
  private releaserNames(call: ts.CallExpression): Set<string> {
    const t = this.t;
    const names = new Set<string>();
    let p: ts.Node = call.parent;
    while (t.isAwaitExpression(p) || t.isParenthesizedExpression(p)) p = p.parent;
    if (t.isVariableDeclaration(p)) {
      const collect = (b: ts.BindingName): void => {
        if (t.isIdentifier(b)) names.add(b.text);
        else for (const el of b.elements) if (t.isBindingElement(el)) collect(el.name);
      };
      collect(p.name);
    }
    return names;
  }

  /** A call made while locks are held: record the locks it takes, however deep. */
  private heldCall(fn: FunctionLike, held: HeldLock[], site: ts.Node): void {
    const takes = [...this.program.takes(fn)]
      .map(([lock, v]) => {
        this.locks[lock] = v.label;
        return { lock, site: v.site };
      })
      .sort((a, b) => (a.lock < b.lock ? -1 : a.lock > b.lock ? 1 : 0));
    if (takes.length > 0) this.events.push({ fn: this.fn, held, site: spanOf(this.sf, site), takes, call: true });
  }

  private visit(node: ts.Node, held: HeldLock[], acquired: Acquired[]): void {
    const t = this.t;
    if (isFunctionLike(t, node)) {
      // Only callbacks handed to a call run here; other nested functions are walked on their own.
      if (node.body && isInlineCallback(t, node)) this.functionBody(node.body, isDeferredCallback(t, node) ? [] : held);
      return;
    }
    if (t.isBlock(node)) {
      this.statements(node.statements, held);
      return;
    }
    if (t.isCallExpression(node)) {
      const callee = node.expression;
      const acq = t.isPropertyAccessExpression(callee) && (callee.name.text === 'runExclusive' || callee.name.text === 'acquire')
        ? this.lockOf(callee.expression, callee.name.text)
        : undefined;
      if (acq && t.isPropertyAccessExpression(callee)) {
        const site = spanOf(this.sf, callee);
        if (held.length > 0) this.events.push({ fn: this.fn, held, site, takes: [{ lock: acq, site }], call: false });
        this.visit(callee.expression, held, acquired);
        if (callee.name.text === 'runExclusive') {
          const inner = [...held, { lock: acq, site }];
          const [cb, ...rest] = node.arguments;
          if (cb) {
            if ((t.isArrowFunction(cb) || t.isFunctionExpression(cb)) && cb.body) this.functionBody(cb.body, inner);
            else {
              const fn = resolveCallee(this.ctx, cb);
              if (fn) this.heldCall(fn, inner, cb);
              this.visit(cb, held, acquired);
            }
          }
          for (const a of rest) this.visit(a, held, acquired);
        } else {
          acquired.push({ lock: acq, site, releasers: this.releaserNames(node) });
          for (const a of node.arguments) this.visit(a, held, acquired);
        }
        return;
      }
      const wrapped = this.program.wrapperCall(node);
      if (wrapped) {
        this.locks[wrapped.lock.key] = wrapped.lock.label;
        const lock = wrapped.lock.key;
        const site = spanOf(this.sf, callee);
        if (held.length > 0) this.events.push({ fn: this.fn, held, site, takes: [{ lock, site }], call: false });
        const inner = [...held, { lock, site }];
        for (const a of node.arguments) {
          if (a === wrapped.callback && (t.isArrowFunction(a) || t.isFunctionExpression(a)) && a.body) this.functionBody(a.body, inner);
          else if (a === wrapped.callback) {
            const fn = resolveCallee(this.ctx, a);
            if (fn) this.heldCall(fn, inner, a);
          } else this.visit(a, held, acquired);
        }
        return;
      }
      if (held.length > 0) {
        const fn = resolveCallee(this.ctx, callee);
        if (fn) this.heldCall(fn, held, callee);
      }
    }
    t.forEachChild(node, (c) => this.visit(c, held, acquired));
  }
}

interface Witness {
  fn: string;
  outer: HeldLock;
  /** The acquisition of the inner lock, or the call that leads to it. */
  inner: Span;
  /** Through a call: where the inner lock is finally taken. */
  final?: Span;
}

function better(a: Witness | undefined, b: Witness): boolean {
  return !a || compareSpans(b.inner, a.inner) < 0 || (compareSpans(b.inner, a.inner) === 0 && compareSpans(b.outer.site, a.outer.site) < 0);
}

export const lockOrderInversion = defineProgramCheck<LockSummary>({
  id: 'lock-order-inversion',
  // The other path of an inversion may lie outside the analysed paths.
  needsAllFiles: true,
  messages: {
    inversion:
      '{{inner}} is taken here while {{outer}} is held, but {{otherFn}} takes {{outer}} while holding {{inner}}: run concurrently, each waits for the other forever',
    cycle:
      '{{inner}} is taken here while {{outer}} is held, and other sections close a cycle of locks ({{cycle}}): run concurrently, each waits for the next forever',
    inversionThroughCall:
      'This call takes {{inner}} while {{outer}} is held, but {{otherFn}} takes {{outer}} while holding {{inner}}: run concurrently, each waits for the other forever',
  },

  summarize(ctx) {
    // A file that never mentions a lock holds none: nothing to record (its functions are reached through calls if needed).
    if (!MENTIONS_LOCK.test(ctx.sourceFile.text)) return undefined;
    const s = new LockSummarizer(ctx).summarizeFile();
    return s.events.length > 0 ? s : undefined;
  },

  conclude(summaries, ctx) {
    const locks = new Map<string, string>();
    // Edges "outer held while inner taken", keeping the first witness by position.
    const edges = new Map<string, { any?: Witness; analyzed?: Witness }>();
    const addEdge = (outer: HeldLock, innerLock: string, w: Witness) => {
      if (outer.lock === innerLock) return;
      const key = `${outer.lock}\n${innerLock}`;
      let entry = edges.get(key);
      if (!entry) edges.set(key, (entry = {}));
      if (better(entry.any, w)) entry.any = w;
      if (ctx.isAnalyzed(w.inner.file) && better(entry.analyzed, w)) entry.analyzed = w;
    };
    for (const s of summaries.values()) {
      for (const [k, v] of Object.entries(s.locks)) locks.set(k, v);
      for (const e of s.events) {
        for (const taken of e.takes) {
          for (const h of e.held) {
            addEdge(h, taken.lock, e.call ? { fn: e.fn, outer: h, inner: e.site, final: taken.site } : { fn: e.fn, outer: h, inner: e.site });
          }
        }
      }
    }

    const reports: ProgramReport[] = [];
    const done = new Set<string>();
    for (const key of [...edges.keys()].sort()) {
      const [a, b] = key.split('\n') as [string, string];
      const pair = a < b ? `${a}\n${b}` : `${b}\n${a}`;
      if (done.has(pair)) continue;
      const reverse = edges.get(`${b}\n${a}`);
      if (!reverse) continue;
      done.add(pair);
      const forward = edges.get(key)!;
      // Report on the first analysed acquisition of either path; the other path goes in related.
      const candidates = [
        forward.analyzed && { here: forward.analyzed, hereOuter: a, hereInner: b, other: reverse.any! },
        reverse.analyzed && { here: reverse.analyzed, hereOuter: b, hereInner: a, other: forward.any! },
      ].filter((c): c is NonNullable<typeof c> => !!c);
      if (candidates.length === 0) continue;
      candidates.sort((x, y) => compareSpans(x.here.inner, y.here.inner));
      const { here, hereOuter, hereInner, other } = candidates[0]!;
      const name = (k: string) => locks.get(k) ?? 'a lock';
      const inner = name(hereInner);
      const outer = name(hereOuter);
      const related: { label: string; location: Span }[] = [{ label: `${outer} taken here`, location: here.outer.site }];
      if (here.final) related.push({ label: `${inner} taken here, inside that call`, location: here.final });
      related.push({ label: `${other.fn} takes ${inner} here`, location: other.outer.site });
      if (other.final) {
        related.push({ label: `then calls into code that takes ${outer}, while holding ${inner}`, location: other.inner });
        related.push({ label: `${outer} taken here, inside that call`, location: other.final });
      } else {
        related.push({ label: `then takes ${outer} here, while holding ${inner}`, location: other.inner });
      }
      reports.push({
        messageId: here.final ? 'inversionThroughCall' : 'inversion',
        data: { inner, outer, otherFn: other.fn },
        location: here.inner,
        related,
      });
    }
    reports.push(...cycleReports(edges, done, locks));
    return reports;
  },
});

type Edges = Map<string, { any?: Witness; analyzed?: Witness }>;

/**
 * Cycles through three or more locks (a -> b -> c -> a), in groups of locks
 * where no pair is inverted (pairs are reported on their own): the shortest
 * cycle of each group, reported on its first analysed acquisition.
 */
function cycleReports(edges: Edges, pairs: ReadonlySet<string>, locks: ReadonlyMap<string, string>): ProgramReport[] {
  const next = new Map<string, string[]>();
  for (const key of [...edges.keys()].sort()) {
    const [a, b] = key.split('\n') as [string, string];
    next.set(a, [...(next.get(a) ?? []), b]);
  }
  const inPair = new Set([...pairs].flatMap((p) => p.split('\n')));
  const reached = new Set<string>();
  const reports: ProgramReport[] = [];
  const name = (k: string) => locks.get(k) ?? 'a lock';
  for (const start of [...next.keys()].sort()) {
    if (reached.has(start) || inPair.has(start)) continue;
    // Shortest cycle back to `start` (breadth first, neighbours in sorted order).
    const parent = new Map<string, string>();
    const queue = [start];
    let closing: string | undefined;
    while (queue.length > 0 && !closing) {
      const at = queue.shift()!;
      for (const to of next.get(at) ?? []) {
        if (inPair.has(to)) continue;
        if (to === start) {
          closing = at;
          break;
        }
        if (!parent.has(to)) {
          parent.set(to, at);
          queue.push(to);
        }
      }
    }
    if (!closing) continue;
    const cycle = [closing];
    while (cycle[0] !== start) cycle.unshift(parent.get(cycle[0]!)!);
    if (cycle.length < 3) continue;
    for (const k of cycle) reached.add(k);
    const steps = cycle.map((from, i) => ({ from, to: cycle[(i + 1) % cycle.length]!, w: edges.get(`${from}\n${cycle[(i + 1) % cycle.length]}`)! }));
    const analysed = steps.filter((s) => s.w.analyzed).sort((x, y) => compareSpans(x.w.analyzed!.inner, y.w.analyzed!.inner));
    if (analysed.length === 0) continue;
    const first = analysed[0]!;
    const here = first.w.analyzed!;
    const at = steps.indexOf(first);
    const order = [...steps.slice(at), ...steps.slice(0, at)];
    const related: { label: string; location: Span }[] = [{ label: `${name(first.from)} taken here`, location: here.outer.site }];
    for (const s of order.slice(1)) {
      const w = s.w.any!;
      related.push({ label: `${w.fn} takes ${name(s.from)} here`, location: w.outer.site });
      related.push({ label: `then ${name(s.to)} here, while holding ${name(s.from)}`, location: w.inner });
    }
    reports.push({
      messageId: 'cycle',
      data: { inner: name(first.to), outer: name(first.from), cycle: [...order.map((s) => name(s.from)), name(first.from)].join(' -> ') },
      location: here.inner,
      related,
    });
  }
  return reports;
}

