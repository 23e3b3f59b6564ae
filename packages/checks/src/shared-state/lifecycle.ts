/**
 * "Does this code run inside something with a lifecycle, and what runs at its
 * teardown?" for leaked-timer and leaked-listener. Two kinds of owner:
 * a class with a close/dispose/stop/destroy/[Symbol.dispose] method (teardown:
 * those methods and the methods they call on `this`), and a function that
 * returns a cleanup function (teardown: the returned function), as React
 * effects and subscription helpers do.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { isFunctionLike } from '../util/syntax.js';
import { unwrap } from './locations.js';

export const BUILTIN_LIFECYCLE_METHODS = ['close', 'dispose', 'stop', 'destroy', 'shutdown', 'terminate', 'teardown'];
const DISPOSE_SYMBOLS = ['Symbol.dispose', 'Symbol.asyncDispose'];

export interface LifecycleOwner {
  kind: 'class' | 'cleanup';
  /** The class, or the function that returns the cleanup. */
  node: TS.Node;
  /** For messages: `class Poller`, `this function`. */
  ownerName: string;
  /** For messages: `close()`, `the returned cleanup function`. */
  teardownName: string;
  /** Code that runs at teardown. */
  teardown: TS.Node[];
}

export const lifecycleOptionsSchema = {
  lifecycleMethods: {
    type: 'array',
    items: { type: 'string' },
    uniqueItems: true,
    description: 'Extra method names that end an object\'s life (besides close, dispose, stop, destroy, shutdown, terminate, teardown and [Symbol.dispose]).',
  },
} as const;

export class LifecycleIndex {
  private readonly classes = new Map<TS.ClassLikeDeclaration, LifecycleOwner | null>();
  private readonly cleanups = new Map<TS.FunctionLikeDeclaration, LifecycleOwner | null>();
  private readonly names: Set<string>;

  constructor(
    private readonly ts: TypeScript,
    extraNames: readonly string[] = [],
  ) {
    this.names = new Set([...BUILTIN_LIFECYCLE_METHODS, ...extraNames]);
  }

  /** The owner whose teardown must undo what `site` sets up, or undefined when there is none. */
  ownerOf(site: TS.Node): LifecycleOwner | undefined {
    const ts = this.ts;
    let fn: TS.FunctionLikeDeclaration | undefined;
    for (let p = site.parent; p; p = p.parent) {
      if (isFunctionLike(ts, p)) {
        fn = p;
        break;
      }
    }
    if (!fn) return undefined;
    const cleanup = this.cleanupOwner(fn);
    if (cleanup && !cleanup.teardown.some((t) => within(site, t))) return cleanup;
    // The class member the site belongs to (through nested callbacks).
    for (let child: TS.Node = site, p = site.parent; p; child = p, p = p.parent) {
      if (ts.isClassLike(p)) {
        const member = child;
        if (ts.canHaveModifiers(member) && (ts.getModifiers(member) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) return undefined;
        const owner = this.classOwner(p);
        if (!owner) return undefined;
        // Set up during teardown itself (a force-exit timer in close()) is not a leak of the owner.
        if (owner.teardown.some((t) => within(site, t))) return undefined;
        return owner;
      }
    }
    return undefined;
  }

  classOwner(cls: TS.ClassLikeDeclaration): LifecycleOwner | undefined {
    let owner = this.classes.get(cls);
    if (owner === undefined) {
      owner = this.buildClassOwner(cls) ?? null;
      this.classes.set(cls, owner);
    }
    return owner ?? undefined;
  }

  private buildClassOwner(cls: TS.ClassLikeDeclaration): LifecycleOwner | undefined {
    const ts = this.ts;
    const byName = new Map<string, TS.Node>();
    for (const m of cls.members) {
      const name = memberName(ts, m);
      if (!name) continue;
      const body = ts.isMethodDeclaration(m) ? m.body : ts.isPropertyDeclaration(m) && m.initializer && isFunctionLike(ts, unwrap(ts, m.initializer)) ? m.initializer : undefined;
      if (body) byName.set(name, body);
    }
    const entry = [...byName.keys()].find((n) => this.names.has(n) || DISPOSE_SYMBOLS.includes(n));
    if (!entry) return undefined;
    const roots = [...byName.keys()].filter((n) => this.names.has(n) || DISPOSE_SYMBOLS.includes(n));
    // Teardown: the lifecycle methods and, transitively, the methods they call on `this`, and the
    // callbacks the class hooked to the end of a resource the teardown ends: close() calls
    // `this.transport.close()`, and `this.transport.onclose = () => this.cleanup()` runs cleanup().
    const hooks = closeHooks(ts, cls);
    const teardown: TS.Node[] = [];
    const seen = new Set<string | TS.Node>();
    const ended = new Set<string>();
    const queue: (string | TS.Node)[] = [...roots];
    const enqueue = (fn: TS.Expression): void => {
      const f = unwrap(ts, fn);
      if (ts.isArrowFunction(f) || ts.isFunctionExpression(f)) queue.push(f);
      else {
        const name = thisMethodName(ts, f);
        if (name) queue.push(name);
      }
    };
    while (queue.length > 0) {
      const item = queue.shift()!;
      if (seen.has(item)) continue;
      seen.add(item);
      const body = typeof item === 'string' ? byName.get(item) : item;
      if (!body) continue;
      teardown.push(body);
      const walk = (n: TS.Node): void => {
        if (ts.isCallExpression(n)) {
          const callee = unwrap(ts, n.expression);
          if (ts.isPropertyAccessExpression(callee) && unwrap(ts, callee.expression).kind === ts.SyntaxKind.ThisKeyword) {
            queue.push(callee.name.text);
          } else if (ts.isPropertyAccessExpression(callee) && ENDING_METHODS.has(callee.name.text)) {
            const target = normalizeText(callee.expression);
            if (!ended.has(target)) {
              ended.add(target);
              for (const h of hooks) if (h.target === target) enqueue(h.callback);
            }
          }
        }
        ts.forEachChild(n, walk);
      };
      walk(body);
    }
    const className = cls.name ? `class ${cls.name.text}` : 'this class';
    const label = entry.startsWith('Symbol.') ? `[${entry}]()` : `${entry}()`;
    return { kind: 'class', node: cls, ownerName: className, teardownName: label, teardown };
  }

  /** A function that returns a cleanup function (or an object with a lifecycle method). */
  cleanupOwner(fn: TS.FunctionLikeDeclaration): LifecycleOwner | undefined {
    let owner = this.cleanups.get(fn);
    if (owner === undefined) {
      owner = this.buildCleanupOwner(fn) ?? null;
      this.cleanups.set(fn, owner);
    }
    return owner ?? undefined;
  }

  private buildCleanupOwner(fn: TS.FunctionLikeDeclaration): LifecycleOwner | undefined {
    const ts = this.ts;
    if (!fn.body || ts.isConstructorDeclaration(fn)) return undefined;
    const teardown: TS.Node[] = [];
    const fromValue = (value: TS.Expression | undefined): void => {
      if (!value) return;
      const v = unwrap(ts, value);
      if (ts.isArrowFunction(v) || ts.isFunctionExpression(v)) teardown.push(v);
      else if (ts.isIdentifier(v) && ts.isBlock(fn.body!)) {
        const local = localFunction(ts, fn.body, v.text);
        if (local) teardown.push(local);
      } else if (ts.isObjectLiteralExpression(v)) {
        for (const p of v.properties) {
          const name = memberName(ts, p);
          if (!name || !(this.names.has(name) || DISPOSE_SYMBOLS.includes(name) || name === 'unsubscribe')) continue;
          if (ts.isMethodDeclaration(p)) teardown.push(p);
          else if (ts.isPropertyAssignment(p)) fromValue(p.initializer);
        }
      }
    };
    if (!ts.isBlock(fn.body)) fromValue(fn.body);
    else {
      const walk = (n: TS.Node): void => {
        if (isFunctionLike(ts, n) || ts.isClassLike(n)) return;
        if (ts.isReturnStatement(n)) fromValue(n.expression);
        ts.forEachChild(n, walk);
      };
      ts.forEachChild(fn.body, walk);
    }
    if (teardown.length === 0) return undefined;
    return { kind: 'cleanup', node: fn, ownerName: 'this function', teardownName: 'the cleanup function it returns', teardown };
  }
}

/** Calls that end a resource (its last events follow). */
const ENDING_METHODS = new Set(['close', 'destroy', 'end', 'kill', 'terminate', 'disconnect', 'abort']);
const CLOSE_EVENTS = new Set(['close', 'end', 'exit', 'finish', 'disconnect']);
const CLOSE_HOOK_PROPERTY = /^on(?:close|end|exit|finish|disconnect)$/i;
const LISTEN_METHODS = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);

interface CloseHook {
  /** The resource's text (`this.transport`). */
  target: string;
  callback: TS.Expression;
}

/** `x.onclose = fn` and `x.on('close', fn)` anywhere in the class: what runs when x ends. */
function closeHooks(ts: TypeScript, cls: TS.ClassLikeDeclaration): CloseHook[] {
  const hooks: CloseHook[] = [];
  const walk = (n: TS.Node): void => {
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      const left = unwrap(ts, n.left);
      if (ts.isPropertyAccessExpression(left) && CLOSE_HOOK_PROPERTY.test(left.name.text)) hooks.push({ target: normalizeText(left.expression), callback: n.right });
    } else if (ts.isCallExpression(n) && n.arguments.length >= 2) {
      const callee = unwrap(ts, n.expression);
      const event = unwrap(ts, n.arguments[0]!);
      if (ts.isPropertyAccessExpression(callee) && LISTEN_METHODS.has(callee.name.text) && ts.isStringLiteralLike(event) && CLOSE_EVENTS.has(event.text)) {
        hooks.push({ target: normalizeText(callee.expression), callback: n.arguments[1]! });
      }
    }
    ts.forEachChild(n, walk);
  };
  cls.members.forEach(walk);
  return hooks;
}

/** `this.cleanup` or `this.cleanup.bind(this)`: the method's name. */
function thisMethodName(ts: TypeScript, e: TS.Expression): string | undefined {
  let x = e;
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && x.expression.name.text === 'bind') x = unwrap(ts, x.expression.expression);
  if (ts.isPropertyAccessExpression(x) && unwrap(ts, x.expression).kind === ts.SyntaxKind.ThisKeyword) return x.name.text;
  return undefined;
}

function memberName(ts: TypeScript, m: TS.Node): string | undefined {
  const name = (m as { name?: TS.PropertyName }).name;
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name)) return name.text;
  if (ts.isComputedPropertyName(name)) return name.expression.getText().replace(/\s+/g, '');
  return undefined;
}

function localFunction(ts: TypeScript, body: TS.Block, name: string): TS.Node | undefined {
  for (const s of body.statements) {
    if (ts.isFunctionDeclaration(s) && s.name?.text === name) return s;
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (ts.isIdentifier(d.name) && d.name.text === name && d.initializer && isFunctionLike(ts, unwrap(ts, d.initializer))) return d.initializer;
      }
    }
  }
  return undefined;
}

export function within(node: TS.Node, outer: TS.Node): boolean {
  return node.pos >= outer.pos && node.end <= outer.end;
}

/** Source text of a handle or target, normalised for comparison (`this.#timer!` -> `this.#timer`). */
export function normalizeText(node: TS.Node): string {
  return node.getText().replace(/\s+/g, '').replace(/\?\./g, '.').replace(/!/g, '').replace(/^\((.*)\)$/, '$1');
}

/** Every call in the given code, nested functions included. */
export function callsIn(ts: TypeScript, roots: readonly TS.Node[]): TS.CallExpression[] {
  const out: TS.CallExpression[] = [];
  const walk = (n: TS.Node): void => {
    if (ts.isCallExpression(n)) out.push(n);
    ts.forEachChild(n, walk);
  };
  for (const r of roots) walk(r);
  return out;
}
