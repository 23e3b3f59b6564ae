/**
 * Await-reachability within one function body: walks the body once, in
 * evaluation order (not source order: `x = x + await f()` reads x, awaits,
 * then writes), and records reads and writes of shared locations, awaits,
 * if-conditions, and which reads each local variable's value derives from.
 * Nested functions are not entered: they run at another time and are
 * analysed on their own. In a coroutine generator (`Effect.gen(function* …)`)
 * a `yield`/`yield*` is a suspension like `await`.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { isAssignmentOperator, isFunctionLike } from '../util/syntax.js';
import { coroutineRunner } from './coroutines.js';
import { type Locator, unwrap } from './locations.js';

export interface ReadEvent {
  kind: 'read';
  order: number;
  key: string;
  text: string;
  node: TS.Expression;
  /**
   * The value reached here only as an argument of an awaited call (`const res = await get({ etag: this.etag })`):
   * what the call answered derives from it, but a test of that answer is no test of the state.
   */
  viaAnswer?: true;
}
export interface AwaitEvent {
  kind: 'await';
  order: number;
  node: TS.Node;
  /** Awaits a shared promise (`await this.pending`): every caller waits for the same work. */
  sharedOperand?: boolean;
}
export interface WriteEvent {
  kind: 'write';
  order: number;
  key: string;
  text: string;
  /** The whole write (`x = …`, `x += …`, `x++`). */
  node: TS.Expression;
  /** The assigned-to location expression. */
  target: TS.Expression;
  /** Reads the written value derives from (through locals too). */
  deps: ReadonlySet<ReadEvent>;
}
/** A mutating method call on a shared location: `this.cache.set(k, v)`, `pending.push(x)`. */
export interface ActEvent {
  kind: 'act';
  order: number;
  key: string;
  text: string;
  node: TS.CallExpression;
  deps: ReadonlySet<ReadEvent>;
}
export type FlowEvent = ReadEvent | AwaitEvent | WriteEvent | ActEvent;

export interface Condition {
  statement: TS.IfStatement;
  /** Reads the condition depends on, directly or through locals. */
  deps: ReadonlySet<ReadEvent>;
  /** Events with order >= this happen after the condition was evaluated. */
  endOrder: number;
}

/** Method names that mutate their receiver (Map, Set, Array). */
export const MUTATORS: ReadonlySet<string> = new Set([
  'set', 'add', 'delete', 'clear', 'push', 'pop', 'shift', 'unshift', 'splice', 'sort', 'reverse', 'fill', 'copyWithin',
]);

const EMPTY: ReadonlySet<ReadEvent> = new Set();

function union(...sets: ReadonlySet<ReadEvent>[]): ReadonlySet<ReadEvent> {
  const nonEmpty = sets.filter((s) => s.size > 0);
  if (nonEmpty.length === 0) return EMPTY;
  if (nonEmpty.length === 1) return nonEmpty[0]!;
  const out = new Set<ReadEvent>();
  for (const s of nonEmpty) for (const r of s) out.add(r);
  return out;
}

export class FunctionFlow {
  readonly events: FlowEvent[] = [];
  readonly conditions: Condition[] = [];
  /** Value dependencies of local variables, updated as assignments are walked. */
  private readonly taint = new Map<TS.Symbol, ReadonlySet<ReadEvent>>();
  private readonly taintedNames = new Set<string>();
  /** A coroutine generator: its yields suspend it. */
  private readonly coroutine: boolean;

  constructor(
    private readonly ts: TypeScript,
    private readonly checker: TS.TypeChecker,
    private readonly locator: Locator,
    fn: TS.FunctionLikeDeclaration,
  ) {
    this.coroutine = coroutineRunner(ts, fn) !== undefined;
    if (fn.body) this.visit(fn.body);
  }

  private push<E extends FlowEvent>(e: Omit<E, 'order'>): E {
    const event = { ...e, order: this.events.length } as E;
    this.events.push(event);
    return event;
  }

  private read(expr: TS.Expression): ReadonlySet<ReadEvent> | undefined {
    const loc = this.locator.locate(expr);
    if (!loc) return undefined;
    return new Set([this.push<ReadEvent>({ kind: 'read', key: loc.key, text: loc.text, node: expr })]);
  }

  private localSymbol(id: TS.Identifier): TS.Symbol | undefined {
    return this.checker.getSymbolAtLocation(id);
  }

  private visitAll(nodes: readonly TS.Node[] | undefined): ReadonlySet<ReadEvent> {
    if (!nodes) return EMPTY;
    return union(...nodes.map((n) => this.visit(n)));
  }

  private visitChildren(node: TS.Node): ReadonlySet<ReadEvent> {
    const parts: ReadonlySet<ReadEvent>[] = [];
    this.ts.forEachChild(node, (c) => {
      parts.push(this.visit(c));
    });
    return union(...parts);
  }

  /** Walks `node`, records events, and returns the reads its value derives from. */
  visit(node: TS.Node): ReadonlySet<ReadEvent> {
    const ts = this.ts;
    const SK = ts.SyntaxKind;
    if (isFunctionLike(ts, node) || ts.isClassLike(node) || ts.isTypeNode(node)) return EMPTY;
    switch (node.kind) {
      case SK.Identifier: {
        const id = node as TS.Identifier;
        const r = this.read(id);
        if (r) return r;
        // Only a local that was assigned a value derived from a read carries one (no symbol lookup otherwise).
        if (!this.taintedNames.has(id.text)) return EMPTY;
        const s = this.localSymbol(id);
        return (s && this.taint.get(s)) ?? EMPTY;
      }
      case SK.PropertyAccessExpression: {
        const pa = node as TS.PropertyAccessExpression;
        const base = this.visit(pa.expression);
        const r = this.read(pa);
        return r ? union(base, r) : base;
      }
      case SK.ElementAccessExpression: {
        const ea = node as TS.ElementAccessExpression;
        const base = union(this.visit(ea.expression), this.visit(ea.argumentExpression));
        const r = this.read(ea);
        return r ? union(base, r) : base;
      }
      case SK.AwaitExpression: {
        const operand = (node as TS.AwaitExpression).expression;
        const d = this.visit(operand);
        this.push<AwaitEvent>({ kind: 'await', node, sharedOperand: this.locator.locate(operand, true) !== undefined });
        const call = unwrap(ts, operand);
        if (!ts.isCallExpression(call) || call.arguments.length === 0) return d;
        const inArguments = (r: ReadEvent) => call.arguments.some((a) => r.node.pos >= a.pos && r.node.end <= a.end);
        return new Set([...d].map((r) => (!r.viaAnswer && inArguments(r) ? { ...r, viaAnswer: true as const } : r)));
      }
      case SK.YieldExpression: {
        if (!this.coroutine) return this.visitChildren(node);
        // The fiber may be suspended here while others run. Unlike a shared promise, a shared effect
        // yielded twice runs twice, so a yield never counts as single flight.
        const operand = (node as TS.YieldExpression).expression;
        const d = operand ? this.visit(operand) : EMPTY;
        // Forking a fiber (`yield* Effect.forkIn(work, scope)`) starts it and returns its handle without waiting.
        if (!(operand && startsFiber(ts, operand))) this.push<AwaitEvent>({ kind: 'await', node });
        return d;
      }
      // A loop's condition runs again after each pass of the body: after an await in the body it is a
      // fresh check (`while (this.queue.length === 0) await this.wait(); return this.queue.shift()`).
      case SK.WhileStatement: {
        const w = node as TS.WhileStatement;
        this.visit(w.expression);
        this.visit(w.statement);
        this.visit(w.expression);
        return EMPTY;
      }
      case SK.ForStatement: {
        const f = node as TS.ForStatement;
        if (f.initializer) this.visit(f.initializer);
        if (f.condition) this.visit(f.condition);
        this.visit(f.statement);
        if (f.incrementor) this.visit(f.incrementor);
        if (f.condition) this.visit(f.condition);
        return EMPTY;
      }
      case SK.ForOfStatement: {
        const f = node as TS.ForOfStatement;
        const d = this.visit(f.expression);
        if (f.awaitModifier) this.push<AwaitEvent>({ kind: 'await', node: f.awaitModifier });
        this.bindLocals(f.initializer, d);
        this.visit(f.statement);
        return EMPTY;
      }
      case SK.VariableDeclaration: {
        const v = node as TS.VariableDeclaration;
        if (!v.initializer) return EMPTY;
        const d = this.visit(v.initializer);
        if (ts.isObjectBindingPattern(v.name)) this.bindPattern(v.name, v.initializer, d);
        else this.bindLocals(v.name, d);
        return EMPTY;
      }
      case SK.BinaryExpression: {
        const b = node as TS.BinaryExpression;
        const op = b.operatorToken.kind;
        if (isAssignmentOperator(ts, op)) return this.assignment(b, op !== SK.EqualsToken);
        return this.visitChildren(node);
      }
      case SK.PrefixUnaryExpression:
      case SK.PostfixUnaryExpression: {
        const u = node as TS.PrefixUnaryExpression | TS.PostfixUnaryExpression;
        if (u.operator === SK.PlusPlusToken || u.operator === SK.MinusMinusToken) {
          const loc = this.locator.locate(u.operand);
          if (loc) {
            const r = this.push<ReadEvent>({ kind: 'read', key: loc.key, text: loc.text, node: u.operand });
            this.push<WriteEvent>({ kind: 'write', key: loc.key, text: loc.text, node: u, target: u.operand, deps: new Set([r]) });
            return new Set([r]);
          }
        }
        return this.visitChildren(node);
      }
      case SK.CallExpression: {
        const c = node as TS.CallExpression;
        const callee = unwrap(ts, c.expression);
        if ((ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) && MUTATORS.has(methodName(ts, callee) ?? '')) {
          const loc = this.locator.isCell(callee.expression) ? this.locator.locate(callee.expression) : undefined;
          if (loc) {
            // The receiver is evaluated (its prefix read), then the arguments, then the act.
            const inner = unwrap(ts, callee.expression);
            const base =
              ts.isPropertyAccessExpression(inner) || ts.isElementAccessExpression(inner) ? this.visit(inner.expression) : EMPTY;
            const args = this.visitAll(c.arguments);
            this.push<ActEvent>({ kind: 'act', key: loc.key, text: loc.text, node: c, deps: args });
            return union(base, args);
          }
        }
        return this.visitChildren(node);
      }
      case SK.PropertyAssignment: {
        const p = node as TS.PropertyAssignment;
        return union(ts.isComputedPropertyName(p.name) ? this.visit(p.name) : EMPTY, this.visit(p.initializer));
      }
      case SK.ShorthandPropertyAssignment:
        return this.visit((node as TS.ShorthandPropertyAssignment).name);
      case SK.IfStatement: {
        const s = node as TS.IfStatement;
        const deps = this.visit(s.expression);
        this.conditions.push({ statement: s, deps, endOrder: this.events.length });
        this.visit(s.thenStatement);
        if (s.elseStatement) this.visit(s.elseStatement);
        return EMPTY;
      }
      case SK.LabeledStatement:
        return this.visit((node as TS.LabeledStatement).statement);
      case SK.BreakStatement:
      case SK.ContinueStatement:
        return EMPTY;
      default:
        return this.visitChildren(node);
    }
  }

  private assignment(b: TS.BinaryExpression, compound: boolean): ReadonlySet<ReadEvent> {
    const ts = this.ts;
    const target = unwrap(ts, b.left);
    const loc = this.locator.locate(target);
    if (loc) {
      // Evaluate the target's object first (`this.a.b = …` reads this.a), then the implicit read of `x += …`.
      let prefix: ReadonlySet<ReadEvent> = EMPTY;
      if (ts.isPropertyAccessExpression(target)) prefix = this.visit(target.expression);
      else if (ts.isElementAccessExpression(target)) prefix = union(this.visit(target.expression), this.visit(target.argumentExpression));
      let own: ReadonlySet<ReadEvent> = EMPTY;
      if (compound) own = new Set([this.push<ReadEvent>({ kind: 'read', key: loc.key, text: loc.text, node: target })]);
      const value = this.visit(b.right);
      const deps = union(own, value);
      this.push<WriteEvent>({ kind: 'write', key: loc.key, text: loc.text, node: b, target, deps });
      return union(prefix, deps);
    }
    if (ts.isIdentifier(target)) {
      const value = this.visit(b.right);
      if (value.size === 0 && !this.taintedNames.has(target.text)) return value;
      const s = this.localSymbol(target);
      if (s) this.setTaint(target, s, compound ? union(this.taint.get(s) ?? EMPTY, value) : value);
      return value;
    }
    return union(this.visit(b.left), this.visit(b.right));
  }

  private setTaint(name: TS.Identifier, symbol: TS.Symbol, deps: ReadonlySet<ReadEvent>): void {
    this.taint.set(symbol, deps);
    if (deps.size > 0) this.taintedNames.add(name.text);
  }

  private bindLocals(name: TS.Node | undefined, deps: ReadonlySet<ReadEvent>): void {
    if (!name) return;
    const ts = this.ts;
    if (ts.isIdentifier(name)) {
      if (deps.size === 0 && !this.taintedNames.has(name.text)) return;
      const s = this.localSymbol(name);
      if (s) this.setTaint(name, s, deps);
    } else if (ts.isVariableDeclarationList(name)) {
      for (const d of name.declarations) this.bindLocals(d.name, deps);
    } else if (ts.isObjectBindingPattern(name) || ts.isArrayBindingPattern(name)) {
      for (const el of name.elements) if (ts.isBindingElement(el)) this.bindLocals(el.name, deps);
    }
  }

  /** `const { balance } = this` reads `this.balance`. */
  private bindPattern(pattern: TS.ObjectBindingPattern, init: TS.Expression, deps: ReadonlySet<ReadEvent>): void {
    const ts = this.ts;
    const source = unwrap(ts, init);
    const base = source.kind === ts.SyntaxKind.ThisKeyword ? { key: 'this', text: 'this' } : this.locator.locate(source);
    for (const el of pattern.elements) {
      const prop = el.propertyName ?? el.name;
      if (base && ts.isIdentifier(prop)) {
        const key = base.key === 'this' ? `this.${prop.text}` : `${base.key}.${prop.text}`;
        const text = `${base.text}.${prop.text}`;
        const r = this.push<ReadEvent>({ kind: 'read', key, text, node: el.name as unknown as TS.Expression });
        this.bindLocals(el.name, union(deps, new Set([r])));
      } else {
        this.bindLocals(el.name, deps);
      }
    }
  }

  /** Awaits strictly between two orders. */
  awaitsBetween(from: number, to: number): AwaitEvent[] {
    const out: AwaitEvent[] = [];
    for (let i = from + 1; i < to; i++) {
      const e = this.events[i]!;
      if (e.kind === 'await') out.push(e);
    }
    return out;
  }

  /** Whether `key` is written or acted on strictly between two orders. */
  writesBetween(key: string, from: number, to: number): boolean {
    for (let i = from + 1; i < to; i++) {
      const e = this.events[i]!;
      if ((e.kind === 'write' || e.kind === 'act') && e.key === key) return true;
    }
    return false;
  }

  /**
   * Whether, after `from`, an if-condition reads fresh state under `root` and
   * either guards `event` or exits early (`if (this.version !== seen) throw …`).
   */
  guardedAfter(root: string, from: number, event: FlowEvent & { node: TS.Node }): boolean {
    return this.conditions.some((c) => {
      if (c.endOrder <= from || c.endOrder > event.order) return false;
      const fresh = [...c.deps].some((r) => r.order > from && (r.key === root || r.key.startsWith(`${root}.`) || r.key.startsWith(`${root}[`)));
      if (!fresh) return false;
      const then = c.statement.thenStatement;
      const guards = event.node.pos >= then.pos && event.node.end <= then.end;
      return guards || exits(this.ts, then);
    });
  }

  /** Whether `key` is read strictly between two orders (a re-read or re-check). */
  readsBetween(key: string, from: number, to: number, except?: TS.Node): boolean {
    for (let i = from + 1; i < to; i++) {
      const e = this.events[i]!;
      if (e.kind === 'read' && e.key === key && e.node !== except) return true;
    }
    return false;
  }
}

function startsFiber(ts: TypeScript, operand: TS.Expression): boolean {
  const call = unwrap(ts, operand);
  if (!ts.isCallExpression(call)) return false;
  const callee = unwrap(ts, call.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  return name !== undefined && /^fork[A-Z]?/.test(name);
}

function methodName(ts: TypeScript, callee: TS.PropertyAccessExpression | TS.ElementAccessExpression): string | undefined {
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return ts.isStringLiteralLike(callee.argumentExpression) ? callee.argumentExpression.text : undefined;
}

/** A statement that always leaves the enclosing block (return, throw, break, continue). */
export function exits(ts: TypeScript, s: TS.Statement): boolean {
  if (ts.isReturnStatement(s) || ts.isThrowStatement(s) || ts.isContinueStatement(s) || ts.isBreakStatement(s)) return true;
  if (ts.isBlock(s)) {
    const last = s.statements[s.statements.length - 1];
    return !!last && exits(ts, last);
  }
  return false;
}
