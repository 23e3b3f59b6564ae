/**
 * The race transform: rewrites a module so the race runtime sees where a task
 * suspends (every `await`), which task runs (every async function body runs in
 * its own frame) and which shared locations it reads and writes (`this.<field>`
 * in class code, module-level `let`/`var` bindings and members of module-level
 * objects, Map/Set entries of those). Locals are never touched: no other task
 * can see them. Edits go through magic-string so source maps stay exact, and
 * every site id maps to the original line and column in a table emitted once.
 */
import { Parser } from 'acorn';
import MagicString, { type SourceMap } from 'magic-string';
import { HANDLE, READ_IN_CONDITION, RUNTIME_GLOBAL, type SiteEntry } from './protocol.js';

export { HANDLE, READ_IN_CONDITION, RUNTIME_GLOBAL, type SiteEntry };

/** An ESTree node as acorn and Rollup produce it (offsets in `start`/`end`). */
interface Node {
  type: string;
  start: number;
  end: number;
  [key: string]: unknown;
}

export interface InstrumentOptions {
  /** The host's ESTree parser (Vite's `this.parse`); acorn otherwise. */
  parse?: (code: string) => unknown;
  /**
   * Maps a position of `code` (1-based line, 0-based column) to the original
   * source when `code` is itself generated (TypeScript stripped by the host).
   */
  originalPosition?: (line: number, column: number) => { line: number; column: number } | undefined;
}

export interface InstrumentResult {
  code: string;
  map: SourceMap;
}


/**
 * Without the runtime installed (a cached transform run elsewhere, a setup file
 * loaded before the host installed it) instrumented code still runs: every call
 * falls through to the plain operation. The letters are ModuleHandle's (protocol.ts documents each).
 */
const NOOP_RUNTIME =
  '(globalThis.__asyncsanRaceNoop ??= { module() { const h = { o: undefined, o2: undefined, ' +
  't: (s, f) => f(), aw: (v) => v, r: (o, k) => o[k], w: (o, k, v) => (o[k] = v), ' +
  'u: (o, k, d, p) => { const r = o[k]; const old = typeof r === \'bigint\' ? r : Number(r); const n = typeof old === \'bigint\' ? old + BigInt(d) : old + d; o[k] = n; return p ? n : old; }, rv: (v) => v, wv: (v) => v, ' +
  'rp: (o, k, v) => v, wp: (o, k, v) => v, mc: (o, m, s, f, ...a) => o[m](...a), lx: (o, m, s, ...a) => o[m](...a), k: (x) => (h.o = x), k2: (x) => (h.o2 = x) }; return h; } })';


/** Map/Set/WeakMap/WeakSet methods: entry reads and writes. */
const ENTRY_METHODS = new Set(['has', 'get', 'set', 'delete', 'add']);
/** async-mutex style lock methods: the runtime tracks what a task holds. */
const LOCK_METHODS = new Set(['runExclusive', 'acquire', 'release']);

/** 'decl': a function or class declaration (its static members are shared); 'other': imports. */
type ModuleKind = 'var' | 'let' | 'const' | 'decl' | 'other';

interface Scope {
  parent: Scope | undefined;
  names: Map<string, ModuleKind>;
  module: boolean;
  /** The function whose activation owns the bindings (undefined at module level). */
  fn: Node | undefined;
  /** Where a per-activation record of captured bindings can be declared (a block body). */
  block: Node | undefined;
  /** Stable across the analysis and the rewrite pass: the owner node's offset. */
  key: string;
}

interface Ctx {
  scope: Scope;
  /** Inside a function body (module-level code runs once, in one task). */
  inFn: boolean;
  /** `this` is a class instance (class method, constructor, field, or an arrow inside them). */
  classThis: boolean;
  /** Inside the test of an if / ternary / loop: reads are checks. */
  cond: boolean;
  /** Name of the enclosing class, for frame names. */
  className: string | undefined;
  /** The function being visited (undefined at module level). */
  fn: Node | undefined;
}


function lineStarts(code: string): number[] {
  const starts = [0];
  for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && typeof (value as Node).type === 'string';
}

function patternNames(p: Node | null | undefined, out: string[]): void {
  if (!p) return;
  switch (p.type) {
    case 'Identifier':
      out.push(p.name as string);
      break;
    case 'ObjectPattern':
      for (const prop of p.properties as Node[]) patternNames(prop.type === 'RestElement' ? prop : (prop.value as Node), out);
      break;
    case 'ArrayPattern':
      for (const el of p.elements as (Node | null)[]) patternNames(el, out);
      break;
    case 'AssignmentPattern':
      patternNames(p.left as Node, out);
      break;
    case 'RestElement':
      patternNames(p.argument as Node, out);
      break;
  }
}

/** `var` names hoisted to a function (or the module), not crossing nested functions. */
function collectVars(node: Node | null | undefined, out: string[]): void {
  if (!node) return;
  switch (node.type) {
    case 'FunctionDeclaration':
    case 'FunctionExpression':
    case 'ArrowFunctionExpression':
    case 'ClassDeclaration':
    case 'ClassExpression':
      return;
    case 'VariableDeclaration':
      if (node.kind === 'var') for (const d of node.declarations as Node[]) patternNames(d.id as Node, out);
      return;
  }
  if (!/Statement|Declaration|SwitchCase|CatchClause|Program|Export/.test(node.type)) return;
  for (const key of Object.keys(node)) {
    const value = node[key];
    if (Array.isArray(value)) for (const v of value) if (isNode(v)) collectVars(v, out);
    else if (isNode(value)) collectVars(value, out);
  }
}

/** Block-scoped declarations made directly in a statement list. */
function collectLexical(statements: readonly Node[], add: (name: string, kind: ModuleKind) => void): void {
  for (let s of statements) {
    if ((s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration') && isNode(s.declaration)) s = s.declaration;
    if (s.type === 'VariableDeclaration') {
      const names: string[] = [];
      for (const d of s.declarations as Node[]) patternNames(d.id as Node, names);
      for (const n of names) add(n, s.kind === 'var' ? 'var' : s.kind === 'let' ? 'let' : 'const');
    } else if ((s.type === 'FunctionDeclaration' || s.type === 'ClassDeclaration') && isNode(s.id)) {
      add(s.id.name as string, 'decl');
    } else if (s.type === 'ImportDeclaration') {
      for (const spec of s.specifiers as Node[]) add((spec.local as Node).name as string, 'other');
    }
  }
}

function newScope(parent: Scope | undefined, key: string, fn: Node | undefined, block: Node | undefined, module = false): Scope {
  return { parent, names: new Map(), module, fn, block, key };
}

/** What an identifier refers to from `scope`: a module binding's kind, 'local', or undefined (a global). */
function resolve(name: string, scope: Scope): ModuleKind | 'local' | undefined {
  const found = resolveScope(name, scope);
  if (!found) return undefined;
  return found.module ? found.names.get(name) : 'local';
}

function resolveScope(name: string, scope: Scope): Scope | undefined {
  for (let s: Scope | undefined = scope; s; s = s.parent) if (s.names.has(name)) return s;
  return undefined;
}

/** The name of the per-activation record that holds a scope's captured bindings. */
const recordName = (scope: Scope) => `__asyncsanV${scope.key}`;

/** Does the member/call chain below `node` contain an optional link (`?.`)? */
function hasOptional(node: Node): boolean {
  let n: Node | undefined = node;
  while (n) {
    if (n.optional === true) return true;
    if (n.type === 'MemberExpression') n = n.object as Node;
    else if (n.type === 'CallExpression') n = n.callee as Node;
    else if (n.type === 'ChainExpression') n = n.expression as Node;
    else return false;
  }
  return false;
}

class Instrumenter {
  readonly s: MagicString;
  readonly sites: SiteEntry[] = [];
  private readonly starts: number[];
  edits = 0;

  /** Bindings (scope key:name) referenced from a function other than the one that declares them. */
  readonly found = new Set<string>();
  private readonly records = new Set<string>();

  constructor(
    private readonly code: string,
    private readonly originalPosition?: InstrumentOptions['originalPosition'],
    /** The `found` set of the analysis pass: locals that other tasks can see. */
    private readonly captured: ReadonlySet<string> = new Set(),
  ) {
    this.s = new MagicString(code);
    this.starts = lineStarts(code);
  }

  site(offset: number, label: string): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    const original = this.originalPosition?.(lo + 1, offset - this.starts[lo]!);
    this.sites.push(original ? [original.line, original.column + 1, label] : [lo + 1, offset - this.starts[lo]! + 1, label]);
    return this.sites.length - 1;
  }

  private text(node: Node): string {
    const t = this.code.slice(node.start, node.end).replace(/\s+/g, ' ');
    return t.length > 60 ? `${t.slice(0, 57)}...` : t;
  }

  /** Offset of the first occurrence of `token` at or after `from` (skipping whitespace and comments). */
  private tokenAfter(from: number, token: string): number {
    let i = from;
    while (i < this.code.length) {
      const c = this.code[i]!;
      if (this.code.startsWith('//', i)) i = this.code.indexOf('\n', i) + 1 || this.code.length;
      else if (this.code.startsWith('/*', i)) i = this.code.indexOf('*/', i + 2) + 2;
      else if (/\s|\(|\)/.test(c) && !token.startsWith(c)) i++;
      else if (this.code.startsWith(token, i)) return i;
      else i++;
    }
    throw new Error(`asyncsan: token ${token} not found after offset ${from}`);
  }

  /** Offset of the last `token` before `before` (the `.` or `[` of a member expression). */
  private tokenBefore(before: number, token: string, notBefore: number): number {
    const at = this.code.lastIndexOf(token, before - 1);
    if (at < notBefore) throw new Error(`asyncsan: token ${token} not found before offset ${before}`);
    return at;
  }

  private prefix(at: number, text: string): void {
    this.s.appendRight(at, text);
    this.edits++;
  }

  private suffix(at: number, text: string): void {
    this.s.prependLeft(at, text);
    this.edits++;
  }

  private replace(start: number, end: number, text: string): void {
    this.s.update(start, end, text);
    this.edits++;
  }

  /** Is this expression a shared object: a class `this`, a module binding, or a member of one? */
  private shared(node: Node, ctx: Ctx): boolean {
    if (!ctx.inFn) return false;
    if (node.type === 'ThisExpression') return ctx.classThis;
    if (node.type === 'Identifier') {
      const kind = resolve(node.name as string, ctx.scope);
      if (kind === 'local') return this.capturedScope(node, ctx) !== undefined;
      return kind === 'var' || kind === 'let' || kind === 'const' || kind === 'decl';
    }
    if (node.type === 'MemberExpression') return this.instrumentableMember(node, ctx);
    return false;
  }

  private instrumentableMember(node: Node, ctx: Ctx): boolean {
    if (node.optional === true || hasOptional(node.object as Node)) return false;
    if ((node.object as Node).type === 'Super') return false;
    // `#x` cannot be reached by a computed key: handled in place (privateRead/privateWrite), on `this` only.
    if ((node.property as Node).type === 'PrivateIdentifier') return false;
    return this.shared(node.object as Node, ctx);
  }

  /**
   * A local binding that a nested function also uses (a closure shared by tasks):
   * its scope when it is one, noting the reference for the analysis pass.
   */
  private capturedScope(node: Node, ctx: Ctx): Scope | undefined {
    const name = node.name as string;
    const scope = resolveScope(name, ctx.scope);
    if (!scope || scope.module) return undefined;
    const key = `${scope.key}:${name}`;
    if (scope.fn !== ctx.fn) this.found.add(key);
    return this.captured.has(key) ? scope : undefined;
  }

  /**
   * A binding other tasks can see, read or written as a variable: a module
   * `let`/`var` (seen from a function), or a mutable local captured by a nested
   * function. Returns the extra runtime argument naming its record ('' for module ones).
   */
  private sharedBinding(node: Node, ctx: Ctx): string | undefined {
    if (!ctx.inFn || node.type !== 'Identifier') return undefined;
    const kind = resolve(node.name as string, ctx.scope);
    if (kind === 'var' || kind === 'let') return '';
    if (kind !== 'local') return undefined;
    const scope = this.capturedScope(node, ctx);
    const localKind = scope?.names.get(node.name as string);
    if (!scope || !scope.block || (localKind !== 'var' && localKind !== 'let')) return undefined;
    return `, ${this.record(scope)}`;
  }

  /** Declares (once) the scope's record at the top of its block: one per activation. */
  private record(scope: Scope): string {
    const name = recordName(scope);
    if (!this.records.has(name)) {
      this.records.add(name);
      this.s.prependRight((scope.block as Node).start + 1, `const ${name} = {};`);
    }
    return name;
  }

  /** The key argument of a member: a string literal for `.name`, the source expression for `[expr]`. */
  private keyText(member: Node): string {
    const prop = member.property as Node;
    if (member.computed) return '';
    return JSON.stringify(prop.name as string);
  }

  /**
   * Rewrites the `.name` / `[expr]` tail of a member so that `obj` becomes the first
   * argument of a call opened elsewhere: `obj.name` -> `obj, "name"<tail>` and
   * `obj[expr]` -> `obj, (expr)<tail>`.
   */
  private memberTail(member: Node, tail: string, keyWrap?: [string, string]): void {
    const object = member.object as Node;
    const prop = member.property as Node;
    if (member.computed) {
      const open = this.tokenBefore(prop.start, '[', object.end);
      this.replace(open, open + 1, `, ${keyWrap ? keyWrap[0] : ''}(`);
      this.replace(member.end - 1, member.end, `)${keyWrap ? keyWrap[1] : ''}${tail}`);
    } else {
      const dot = this.tokenBefore(prop.start, '.', object.end);
      this.replace(dot, prop.end, `, ${this.keyText(member)}${tail}`);
    }
  }

  // ---------------------------------------------------------------- visiting

  visitProgram(program: Node): void {
    const scope = newScope(undefined, 'm', undefined, undefined, true);
    const vars: string[] = [];
    collectVars(program, vars);
    for (const v of vars) scope.names.set(v, 'var');
    collectLexical(program.body as Node[], (n, k) => scope.names.set(n, k));
    const ctx: Ctx = { scope, inFn: false, classThis: false, cond: false, className: undefined, fn: undefined };
    for (const s of program.body as Node[]) this.visit(s, ctx);
  }

  private visitAll(nodes: readonly unknown[], ctx: Ctx): void {
    for (const n of nodes) if (isNode(n)) this.visit(n, ctx);
  }

  private children(node: Node, ctx: Ctx, skip: readonly string[] = []): void {
    for (const key of Object.keys(node)) {
      if (key === 'type' || key === 'start' || key === 'end' || key === 'loc' || key === 'range' || skip.includes(key)) continue;
      const value = node[key];
      if (Array.isArray(value)) this.visitAll(value, ctx);
      else if (isNode(value)) this.visit(value, ctx);
    }
  }

  /** Binding patterns: only their default values and computed keys are expressions. */
  private visitPattern(p: Node | null | undefined, ctx: Ctx): void {
    if (!p) return;
    switch (p.type) {
      case 'Identifier':
        return;
      case 'ObjectPattern':
        for (const prop of p.properties as Node[]) {
          if (prop.type === 'RestElement') this.visitPattern(prop.argument as Node, ctx);
          else {
            if (prop.computed) this.visit(prop.key as Node, ctx);
            this.visitPattern(prop.value as Node, ctx);
          }
        }
        return;
      case 'ArrayPattern':
        for (const el of p.elements as (Node | null)[]) this.visitPattern(el, ctx);
        return;
      case 'AssignmentPattern':
        this.visitPattern(p.left as Node, ctx);
        this.visit(p.right as Node, ctx);
        return;
      case 'RestElement':
        this.visitPattern(p.argument as Node, ctx);
        return;
      case 'MemberExpression':
        // A destructuring target: its object is evaluated, the member itself is written (not tracked).
        this.memberParts(p, ctx);
        return;
      default:
        this.visit(p, ctx);
    }
  }

  /** Visits a member's object and computed key without instrumenting the member itself. */
  private memberParts(member: Node, ctx: Ctx): void {
    this.visit(member.object as Node, ctx);
    if (member.computed) this.visit(member.property as Node, { ...ctx, cond: false });
  }

  private blockScope(statements: readonly Node[], ctx: Ctx, owner: Node, block?: Node): Ctx {
    const scope = newScope(ctx.scope, `b${owner.start}`, ctx.fn, block);
    // `var` belongs to the function scope, even when declared in a block.
    collectLexical(statements, (n, k) => k !== 'var' && scope.names.set(n, k));
    return scope.names.size === 0 ? ctx : { ...ctx, scope };
  }

  visit(node: Node, ctx: Ctx): void {
    switch (node.type) {
      case 'ImportDeclaration':
      case 'ExportAllDeclaration':
      case 'MetaProperty':
      case 'Literal':
      case 'TemplateElement':
      case 'Super':
      case 'PrivateIdentifier':
      case 'DebuggerStatement':
        return;
      case 'ExportNamedDeclaration':
        if (isNode(node.declaration)) this.visit(node.declaration, ctx);
        return;
      case 'ExportDefaultDeclaration':
        this.visit(node.declaration as Node, ctx);
        return;
      case 'LabeledStatement':
        this.visit(node.body as Node, ctx);
        return;
      case 'BreakStatement':
      case 'ContinueStatement':
        return;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
      case 'ArrowFunctionExpression':
        this.visitFunction(node, ctx, false, undefined);
        return;
      case 'ClassDeclaration':
      case 'ClassExpression':
        this.visitClass(node, ctx, isNode(node.id) ? (node.id.name as string) : undefined);
        return;
      case 'VariableDeclaration':
        for (const d of node.declarations as Node[]) {
          this.visitPattern(d.id as Node, ctx);
          if (!isNode(d.init)) continue;
          const name = (d.id as Node).type === 'Identifier' ? ((d.id as Node).name as string) : undefined;
          if (d.init.type === 'ClassExpression') this.visitClass(d.init, ctx, isNode(d.init.id) ? (d.init.id.name as string) : name);
          else if (d.init.type === 'ArrowFunctionExpression' || d.init.type === 'FunctionExpression') this.visitFunction(d.init, ctx, false, name);
          else this.visit(d.init, ctx);
        }
        return;
      case 'BlockStatement':
        this.visitAll(node.body as Node[], this.blockScope(node.body as Node[], ctx, node, node));
        return;
      case 'StaticBlock':
        this.visitAll(node.body as Node[], { ...this.blockScope(node.body as Node[], ctx, node), inFn: true, classThis: true });
        return;
      case 'ForStatement':
      case 'ForInStatement':
      case 'ForOfStatement': {
        const head = (node.type === 'ForStatement' ? node.init : node.left) as Node | null;
        const inner = head && head.type === 'VariableDeclaration' ? this.blockScope([head], ctx, node) : ctx;
        if (head) {
          if (head.type === 'VariableDeclaration' || node.type === 'ForStatement') this.visit(head, inner);
          else this.visitPattern(head, inner);
        }
        if (node.type === 'ForStatement') {
          if (isNode(node.test)) this.visit(node.test, { ...inner, cond: true });
          if (isNode(node.update)) this.visit(node.update, inner);
        } else this.visit(node.right as Node, inner);
        this.visit(node.body as Node, inner);
        return;
      }
      case 'SwitchStatement': {
        this.visit(node.discriminant as Node, ctx);
        const cases = node.cases as Node[];
        const inner = this.blockScope(
          cases.flatMap((c) => c.consequent as Node[]),
          ctx,
          node,
        );
        for (const c of cases) {
          if (isNode(c.test)) this.visit(c.test, inner);
          this.visitAll(c.consequent as Node[], inner);
        }
        return;
      }
      case 'CatchClause': {
        const scope = newScope(ctx.scope, `c${node.start}`, ctx.fn, undefined);
        const names: string[] = [];
        patternNames(node.param as Node | null, names);
        for (const n of names) scope.names.set(n, 'let');
        const inner = { ...ctx, scope };
        this.visitPattern(node.param as Node | null, inner);
        this.visit(node.body as Node, inner);
        return;
      }
      case 'IfStatement':
      case 'WhileStatement':
      case 'DoWhileStatement':
        this.visit(node.test as Node, { ...ctx, cond: true });
        this.children(node, { ...ctx, cond: false }, ['test']);
        return;
      case 'ConditionalExpression':
        this.visit(node.test as Node, { ...ctx, cond: true });
        this.visit(node.consequent as Node, ctx);
        this.visit(node.alternate as Node, ctx);
        return;
      case 'ExpressionStatement': {
        const e = node.expression as Node;
        // `ready || start()` as a statement: the left operand is a check.
        if (e.type === 'LogicalExpression') {
          this.visit(e.left as Node, { ...ctx, cond: true });
          this.visit(e.right as Node, ctx);
        } else this.visit(e, ctx);
        return;
      }
      case 'Property':
        if (node.computed) this.visit(node.key as Node, ctx);
        if (node.method === true || node.kind === 'get' || node.kind === 'set') {
          const name = (node.key as Node).type === 'Identifier' ? ((node.key as Node).name as string) : undefined;
          this.visitFunction(node.value as Node, { ...ctx, className: undefined }, false, name, node);
        } else this.visit(node.value as Node, ctx);
        return;
      case 'Identifier':
        this.identifierRead(node, ctx);
        return;
      case 'ThisExpression':
        return;
      case 'MemberExpression':
        this.memberRead(node, ctx);
        return;
      case 'ChainExpression':
        this.visit(node.expression as Node, ctx);
        return;
      case 'AssignmentExpression':
        this.assignment(node, ctx);
        return;
      case 'UpdateExpression':
        this.update(node, ctx);
        return;
      case 'UnaryExpression':
        if (node.operator === 'delete' && (node.argument as Node).type === 'MemberExpression') this.memberParts(node.argument as Node, ctx);
        else this.visit(node.argument as Node, ctx);
        return;
      case 'CallExpression':
        this.call(node, ctx);
        return;
      case 'NewExpression':
        if ((node.callee as Node).type === 'MemberExpression') this.memberParts(node.callee as Node, ctx);
        else this.visit(node.callee as Node, ctx);
        this.visitAll(node.arguments as Node[], { ...ctx, cond: false });
        return;
      case 'TaggedTemplateExpression':
        if ((node.tag as Node).type === 'MemberExpression') this.memberParts(node.tag as Node, ctx);
        else this.visit(node.tag as Node, ctx);
        this.visit(node.quasi as Node, ctx);
        return;
      case 'AwaitExpression':
        this.awaitPoint(node, ctx);
        return;
      default:
        this.children(node, ctx);
    }
  }

  private visitClass(node: Node, ctx: Ctx, name: string | undefined): void {
    let outer = ctx;
    if (node.type === 'ClassExpression' && isNode(node.id)) {
      const scope = newScope(ctx.scope, `k${node.start}`, ctx.fn, undefined);
      scope.names.set(node.id.name as string, 'other');
      outer = { ...ctx, scope };
    }
    if (isNode(node.superClass)) this.visit(node.superClass, outer);
    const inner: Ctx = { ...outer, className: name ?? 'class', cond: false };
    for (const member of (node.body as Node).body as Node[]) {
      if (member.computed) this.visit(member.key as Node, outer);
      const key = member.key as Node | undefined;
      const memberName = key && (key.type === 'Identifier' || key.type === 'PrivateIdentifier') ? `${key.type === 'PrivateIdentifier' ? '#' : ''}${key.name as string}` : undefined;
      if (member.type === 'MethodDefinition') {
        this.visitFunction(member.value as Node, { ...inner, classThis: true }, true, memberName, member);
      } else if (member.type === 'PropertyDefinition' || member.type === 'AccessorProperty') {
        if (isNode(member.value)) {
          const v = member.value;
          const fieldCtx = { ...inner, inFn: true, classThis: true };
          if (v.type === 'ArrowFunctionExpression' || v.type === 'FunctionExpression') this.visitFunction(v, fieldCtx, false, memberName);
          else this.visit(v, fieldCtx);
        }
      } else if (member.type === 'StaticBlock') {
        this.visit(member, inner);
      }
    }
  }

  private visitFunction(fn: Node, ctx: Ctx, classMethod: boolean, name: string | undefined, method?: Node): void {
    const body = fn.body as Node;
    const scope = newScope(ctx.scope, `f${fn.start}`, fn, body.type === 'BlockStatement' ? body : undefined);
    if (fn.type === 'FunctionExpression' && isNode(fn.id)) scope.names.set(fn.id.name as string, 'other');
    const params: string[] = [];
    for (const p of fn.params as Node[]) patternNames(p, params);
    for (const p of params) scope.names.set(p, 'var');
    if (body.type === 'BlockStatement') {
      const vars: string[] = [];
      collectVars(body, vars);
      for (const v of vars) scope.names.set(v, 'var');
      collectLexical(body.body as Node[], (n, k) => scope.names.set(n, k));
    }
    const arrow = fn.type === 'ArrowFunctionExpression';
    const inner: Ctx = {
      scope,
      inFn: true,
      classThis: arrow ? ctx.classThis : classMethod,
      cond: false,
      className: ctx.className,
      fn,
    };
    const fnName = name ?? (isNode(fn.id) ? (fn.id.name as string) : undefined);
    if (fn.async === true && fn.generator !== true) this.wrapAsync(fn, ctx, fnName, method);
    for (const p of fn.params as Node[]) this.visitPattern(p, inner);
    if (body.type === 'BlockStatement') this.visitAll(body.body as Node[], inner);
    else this.visit(body, inner);
  }

  /**
   * `async function f(a) { body }` -> `function f(a) { return __asyncsan.t(site, async () => { body }); }`:
   * the body runs as its own frame (a task until a caller awaits it), and the
   * promise the caller sees is the frame's own. The arrow keeps `this`, `arguments` and `super`.
   */
  private wrapAsync(fn: Node, ctx: Ctx, name: string | undefined, method: Node | undefined): void {
    const body = fn.body as Node;
    // Where the `async` keyword is: before the key of a method, at the start of other functions.
    const searchFrom = method ? method.start : fn.start;
    const searchTo = method ? ((method.key as Node).start) : body.start;
    const m = /\basync\b/.exec(this.code.slice(searchFrom, searchTo));
    if (!m) return;
    const asyncAt = searchFrom + m.index;
    const label = `${ctx.className && method ? `${ctx.className}.` : ''}${name ?? '<anonymous>'}`;
    const site = this.site(method ? method.start : fn.start, label);
    this.replace(asyncAt, asyncAt + 5, '');
    // A named function keeps its name in stacks (V8 names an arrow after its property key).
    const key = name === undefined ? undefined : JSON.stringify(label);
    const open = key ? `{ ${key}: async () => ` : 'async () => ';
    const close = key ? ` }[${key}]` : '';
    if (body.type === 'BlockStatement') {
      this.prefix(body.start + 1, `return ${HANDLE}.t(${site}, ${open}{`);
      // Right of the index: after the body's last statement (and its suffixes), and after the prefix when the body is empty.
      this.s.appendRight(body.end - 1, `}${close});`);
    } else {
      this.prefix(body.start, `${HANDLE}.t(${site}, ${open}(`);
      this.suffix(body.end, `)${close})`);
    }
  }

  private awaitPoint(node: Node, ctx: Ctx): void {
    const site = this.site(node.start, 'await');
    this.prefix(node.start + 5, ` ${HANDLE}.aw(`);
    this.suffix(node.end, `, ${site})`);
    this.visit(node.argument as Node, { ...ctx, cond: false });
  }

  private identifierRead(node: Node, ctx: Ctx): void {
    const rec = this.sharedBinding(node, ctx);
    if (rec === undefined) return;
    const name = node.name as string;
    const site = this.site(node.start, name);
    const call = `${HANDLE}.rv(${name}, ${JSON.stringify(name)}, ${site}, ${ctx.cond ? READ_IN_CONDITION : 0}${rec})`;
    this.replace(node.start, node.end, node.shorthandValue === true ? `${name}: ${call}` : call);
  }

  /** `this.#x` in class code: the field is read in place and its value handed to the runtime. */
  private isPrivateOnThis(node: Node, ctx: Ctx): boolean {
    return (
      node.type === 'MemberExpression' &&
      (node.property as Node).type === 'PrivateIdentifier' &&
      (node.object as Node).type === 'ThisExpression' &&
      node.optional !== true &&
      ctx.inFn &&
      ctx.classThis
    );
  }

  private privateKey(node: Node): string {
    return JSON.stringify(`#${(node.property as Node).name as string}`);
  }

  private memberRead(node: Node, ctx: Ctx): void {
    if (this.isPrivateOnThis(node, ctx)) {
      const site = this.site(node.start, this.text(node));
      this.prefix(node.start, `${HANDLE}.rp(this, ${this.privateKey(node)}, `);
      this.suffix(node.end, `, ${site}, ${ctx.cond ? READ_IN_CONDITION : 0})`);
      return;
    }
    if (!this.instrumentableMember(node, ctx)) {
      this.memberParts(node, ctx);
      return;
    }
    const site = this.site(node.start, this.text(node));
    this.prefix(node.start, `${HANDLE}.r(`);
    this.memberTail(node, `, ${site}, ${ctx.cond ? READ_IN_CONDITION : 0})`);
    this.memberParts(node, ctx);
  }

  private assignment(node: Node, ctx: Ctx): void {
    const left = node.left as Node;
    const right = node.right as Node;
    const op = node.operator as string;
    const valueCtx = { ...ctx, cond: false };
    const leftRec = left.type === 'Identifier' ? this.sharedBinding(left, ctx) : undefined;
    if (left.type === 'Identifier' && leftRec !== undefined) {
      const name = left.name as string;
      const key = JSON.stringify(name);
      const site = this.site(left.start, name);
      const opAt = this.tokenAfter(left.end, op);
      if (op === '=') {
        this.replace(opAt, opAt + op.length, `= ${HANDLE}.wv(`);
        this.suffix(node.end, `, ${key}, ${site}${leftRec})`);
      } else if (op === '||=' || op === '&&=' || op === '??=') {
        const readSite = this.site(left.start, name);
        this.prefix(node.start, `(${HANDLE}.rv(`);
        this.replace(opAt, opAt + op.length, `, ${key}, ${readSite}, ${READ_IN_CONDITION}${leftRec}) ${op.slice(0, 2)} (${name} = ${HANDLE}.wv(`);
        this.suffix(node.end, `, ${key}, ${site}${leftRec})))`);
      } else {
        const readSite = this.site(left.start, name);
        this.replace(opAt, opAt + op.length, `= ${HANDLE}.wv(${HANDLE}.rv(${name}, ${key}, ${readSite}, 0${leftRec}) ${op.slice(0, -1)} (`);
        this.suffix(node.end, `), ${key}, ${site}${leftRec})`);
      }
      this.visit(right, valueCtx);
      return;
    }
    if (this.isPrivateOnThis(left, ctx)) {
      const key = this.privateKey(left);
      const text = this.code.slice(left.start, left.end);
      const site = this.site(left.start, this.text(left));
      const opAt = this.tokenAfter(left.end, op);
      if (op === '=') {
        this.replace(opAt, opAt + op.length, `= ${HANDLE}.wp(this, ${key}, `);
        this.suffix(node.end, `, ${site})`);
      } else if (op === '||=' || op === '&&=' || op === '??=') {
        const readSite = this.site(left.start, this.text(left));
        this.prefix(node.start, `(${HANDLE}.rp(this, ${key}, `);
        this.replace(opAt, opAt + op.length, `, ${readSite}, ${READ_IN_CONDITION}) ${op.slice(0, 2)} (${text} = ${HANDLE}.wp(this, ${key}, `);
        this.suffix(node.end, `, ${site})))`);
      } else {
        const readSite = this.site(left.start, this.text(left));
        this.replace(opAt, opAt + op.length, `= ${HANDLE}.wp(this, ${key}, ${HANDLE}.rp(this, ${key}, ${text}, ${readSite}, 0) ${op.slice(0, -1)} (`);
        this.suffix(node.end, `), ${site})`);
      }
      this.visit(right, valueCtx);
      return;
    }
    if (left.type === 'MemberExpression' && this.instrumentableMember(left, ctx)) {
      const site = this.site(left.start, this.text(left));
      const opAt = this.tokenAfter(left.end, op);
      const computed = left.computed === true;
      if (op === '=') {
        this.prefix(node.start, `${HANDLE}.w(`);
        this.memberTail(left, '');
        this.replace(opAt, opAt + op.length, ',');
        this.suffix(node.end, `, ${site})`);
      } else {
        // Compound: the object (and a computed key) are evaluated once and stashed on the handle.
        const readSite = this.site(left.start, this.text(left));
        const keyRef = computed ? `${HANDLE}.o2` : this.keyText(left);
        const logical = op === '||=' || op === '&&=' || op === '??=';
        if (logical) {
          this.prefix(node.start, `(${HANDLE}.r(${HANDLE}.k(`);
          this.memberTail(left, `, ${readSite}, ${READ_IN_CONDITION})`, computed ? [`${HANDLE}.k2`, ''] : undefined);
          this.prefixFix(left, ')');
          this.replace(opAt, opAt + op.length, ` ${op.slice(0, 2)} ${HANDLE}.w(${HANDLE}.o, ${keyRef}, `);
          this.suffix(node.end, `, ${site}))`);
        } else {
          this.prefix(node.start, `${HANDLE}.w(${HANDLE}.k(`);
          this.memberTail(left, `, ${HANDLE}.r(${HANDLE}.o, ${keyRef}, ${readSite}, 0)`, computed ? [`${HANDLE}.k2`, ''] : undefined);
          this.prefixFix(left, ')');
          this.replace(opAt, opAt + op.length, ` ${op.slice(0, -1)} (`);
          this.suffix(node.end, `), ${site})`);
        }
      }
      this.memberParts(left, ctx);
      this.visit(right, valueCtx);
      return;
    }
    if (left.type === 'MemberExpression') this.memberParts(left, ctx);
    else if (left.type !== 'Identifier') this.visitPattern(left, ctx);
    this.visit(right, valueCtx);
  }

  /** Closes the `k(` opened before a member's object: right after the object, before its `.`/`[`. */
  private prefixFix(member: Node, text: string): void {
    const object = member.object as Node;
    this.suffix(object.end, text);
  }

  private update(node: Node, ctx: Ctx): void {
    const arg = node.argument as Node;
    const delta = node.operator === '++' ? 1 : -1;
    const argRec = arg.type === 'Identifier' ? this.sharedBinding(arg, ctx) : undefined;
    if (arg.type === 'Identifier' && argRec !== undefined) {
      const name = arg.name as string;
      const key = JSON.stringify(name);
      const readSite = this.site(arg.start, name);
      const site = this.site(arg.start, name);
      this.prefix(node.start, `(${HANDLE}.rv(${name}, ${key}, ${readSite}, 0${argRec}), ${HANDLE}.wv(0, ${key}, ${site}${argRec}), `);
      this.suffix(node.end, ')');
      return;
    }
    if (this.isPrivateOnThis(arg, ctx)) {
      const key = this.privateKey(arg);
      const text = this.code.slice(arg.start, arg.end);
      const readSite = this.site(arg.start, this.text(arg));
      const site = this.site(arg.start, this.text(arg));
      this.prefix(node.start, `(${HANDLE}.rp(this, ${key}, ${text}, ${readSite}, 0), ${HANDLE}.wp(this, ${key}, 0, ${site}), `);
      this.suffix(node.end, ')');
      return;
    }
    if (arg.type === 'MemberExpression' && this.instrumentableMember(arg, ctx)) {
      const site = this.site(arg.start, this.text(arg));
      const prefix = node.prefix === true;
      const opAt = prefix ? node.start : this.tokenAfter(arg.end, node.operator as string);
      if (prefix) this.replace(opAt, opAt + 2, `${HANDLE}.u(`);
      else this.prefix(node.start, `${HANDLE}.u(`);
      this.memberTail(arg, `, ${delta}, ${prefix ? 1 : 0}, ${site}`);
      if (prefix) this.suffix(node.end, ')');
      else this.replace(opAt, opAt + 2, ')');
      this.memberParts(arg, ctx);
      return;
    }
    if (arg.type === 'MemberExpression') this.memberParts(arg, ctx);
    else this.visit(arg, ctx);
  }

  private call(node: Node, ctx: Ctx): void {
    const callee = node.callee as Node;
    const argCtx = { ...ctx, cond: false };
    if (callee.type !== 'MemberExpression') {
      this.visit(callee, ctx);
      this.visitAll(node.arguments as Node[], argCtx);
      return;
    }
    const prop = callee.property as Node;
    const name = !callee.computed && prop.type === 'Identifier' ? (prop.name as string) : undefined;
    const plain = node.optional !== true && !hasOptional(callee);
    const entry = plain && name !== undefined && ENTRY_METHODS.has(name) && this.shared(callee.object as Node, ctx);
    const lock = plain && name !== undefined && LOCK_METHODS.has(name) && (callee.object as Node).type !== 'Super';
    if (entry || lock) {
      const label = entry ? `${this.text(callee.object as Node)}.${name}()` : `${name}()`;
      const site = this.site(node.start, label);
      const args = node.arguments as Node[];
      const paren = this.tokenAfter(prop.end, '(');
      const dot = this.tokenBefore(prop.start, '.', (callee.object as Node).end);
      const flags = entry ? `, ${ctx.cond ? READ_IN_CONDITION : 0}` : '';
      this.prefix(node.start, `${HANDLE}.${entry ? 'mc' : 'lx'}(`);
      this.replace(dot, prop.end, `, ${JSON.stringify(name)}, ${site}${flags}${args.length > 0 ? ', ' : ''}`);
      this.replace(paren, paren + 1, '');
    }
    this.memberParts(callee, ctx);
    this.visitAll(node.arguments as Node[], argCtx);
  }
}

function acornParse(code: string): unknown {
  return Parser.parse(code, { ecmaVersion: 'latest', sourceType: 'module', allowHashBang: true });
}

/**
 * Instruments one ES module. Returns undefined when there is nothing to watch
 * (no await, no async function, no shared access) or the code does not parse.
 */
export function instrument(code: string, filename: string, options: InstrumentOptions = {}): InstrumentResult | undefined {
  let program: Node;
  try {
    program = (options.parse ?? acornParse)(code) as Node;
  } catch {
    return undefined;
  }
  patchShorthand(program);
  // Pass 1 finds the locals that nested functions share; pass 2 rewrites.
  const analysis = new Instrumenter(code, undefined);
  analysis.visitProgram(program);
  const ins = new Instrumenter(code, options.originalPosition, analysis.found);
  ins.visitProgram(program);
  if (ins.edits === 0) return undefined;
  const prelude = `const ${HANDLE} = (globalThis.${RUNTIME_GLOBAL} ?? ${NOOP_RUNTIME}).module(${JSON.stringify(filename)}, ${JSON.stringify(ins.sites)});`;
  // After a hashbang line, which must stay first.
  const at = code.startsWith('#!') ? code.indexOf('\n') + 1 || code.length : 0;
  if (at === 0) ins.s.prepend(prelude);
  else ins.s.appendLeft(at, `${prelude}\n`);
  return {
    code: ins.s.toString(),
    map: ins.s.generateMap({ hires: true, source: filename, includeContent: true, file: filename }),
  };
}

/**
 * A shorthand property `{ count }` whose value gets rewritten must become
 * `{ count: <read> }`: mark those identifier values so the rewrite knows.
 */
function patchShorthand(node: unknown): void {
  if (Array.isArray(node)) {
    for (const n of node) patchShorthand(n);
    return;
  }
  if (!isNode(node)) return;
  if (node.type === 'Property' && node.shorthand === true && !node.method && isNode(node.value) && node.value.type === 'Identifier') {
    node.value = { ...node.value, shorthandValue: true };
  }
  for (const key of Object.keys(node)) {
    if (key === 'type' || key === 'loc') continue;
    const v = node[key];
    if (typeof v === 'object' && v !== null) patchShorthand(v);
  }
}

/** Appends the map as an inline comment, for hosts (the Node loader) that take code only. */
export function withInlineMap(result: InstrumentResult): string {
  return `${result.code}\n//# sourceMappingURL=${result.map.toUrl()}\n`;
}
