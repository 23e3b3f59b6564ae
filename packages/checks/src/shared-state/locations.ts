/**
 * "Is this expression a location another task can see?" for lost-update and
 * check-then-act. A shared location is a path rooted at `this`, at a
 * module-level binding, or at a variable captured from an outer function;
 * locals of the function under analysis (and its parameters) are never
 * shared. That one rule removes the bulk of require-atomic-updates' false
 * positives.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { indexFile } from '../util/file-index.js';
import { isFunctionLike, skipParens } from '../util/syntax.js';
import { isOwnedByOneTask } from './ownership.js';

export interface Location {
  /** Identity of the location: same key, same memory cell (as far as syntax can tell). */
  key: string;
  /** Source text of the location, for messages (`this.balance`, `count`). */
  text: string;
}

/** Resolves locations inside one function under analysis; caches symbol decisions. */
export class Locator {
  private readonly symbolIds = new Map<TS.Symbol, number>();
  private readonly sharedRoot = new Map<TS.Symbol, boolean>();

  constructor(
    private readonly ts: TypeScript,
    private readonly checker: TS.TypeChecker,
    private readonly fn: TS.FunctionLikeDeclaration,
    /**
     * The names the function writes or mutates through (`this` for `this.x`). A read under any other
     * name can never match a write, so it is not resolved (resolving every name of a large generator
     * is most of the cost). Undefined: resolve everything.
     */
    private readonly roots?: ReadonlySet<string>,
  ) {}

  /** The shared location an expression denotes, or undefined (a local, a call result, …). `everywhere`: ignore `roots`. */
  locate(expr: TS.Expression, everywhere = false): Location | undefined {
    const ts = this.ts;
    const e = unwrap(ts, expr);
    if (e.kind === ts.SyntaxKind.ThisKeyword) return undefined; // `this` alone is not a cell; `this.x` is
    if (ts.isIdentifier(e)) {
      if (!everywhere && this.roots && !this.roots.has(e.text)) return undefined;
      const id = this.sharedIdentifier(e);
      return id === undefined ? undefined : { key: `#${id}`, text: e.text };
    }
    if (ts.isPropertyAccessExpression(e)) {
      const name = e.name.text;
      const base = unwrap(ts, e.expression);
      if (base.kind === ts.SyntaxKind.ThisKeyword) return { key: `this.${name}`, text: `this.${name}` };
      // `const self = this`: the instance under another name (common around generator callbacks).
      if (this.mayBeThis(base, everywhere) && this.isThisAlias(base)) return { key: `this.${name}`, text: `${base.getText()}.${name}` };
      const loc = this.locate(base, everywhere);
      return loc && { key: `${loc.key}.${name}`, text: `${loc.text}.${name}` };
    }
    if (ts.isElementAccessExpression(e)) {
      const arg = unwrap(ts, e.argumentExpression);
      let index: string | undefined;
      if (ts.isStringLiteralLike(arg) || ts.isNumericLiteral(arg)) index = JSON.stringify(arg.text);
      else if (ts.isIdentifier(arg)) index = arg.text;
      if (index === undefined) return undefined;
      const base = unwrap(ts, e.expression);
      const loc =
        base.kind === ts.SyntaxKind.ThisKeyword
          ? { key: 'this', text: 'this' }
          : this.mayBeThis(base, everywhere) && this.isThisAlias(base)
            ? { key: 'this', text: base.getText() }
            : this.locate(base, everywhere);
      return loc && { key: `${loc.key}[${index}]`, text: `${loc.text}[${arg.getText()}]` };
    }
    return undefined;
  }

  /**
   * Whether a located expression is itself a cell whose contents a method can mutate
   * (`cache.set(k, v)`), rather than a function, class or enum whose properties are the
   * state (`Registry.set(k, v)` calls a static function; `Registry.count` is a cell).
   */
  isCell(expr: TS.Expression): boolean {
    const ts = this.ts;
    const e = unwrap(ts, expr);
    if (!ts.isIdentifier(e)) return true;
    const symbol = this.checker.getSymbolAtLocation(e);
    if (!symbol) return true;
    return !(aliased(ts, this.checker, symbol).flags & (ts.SymbolFlags.Function | ts.SymbolFlags.Class | ts.SymbolFlags.Enum | ts.SymbolFlags.Module));
  }

  /** Whether an alias of `this` named like `base` could matter here (see `roots`). */
  private mayBeThis(base: TS.Expression, everywhere: boolean): boolean {
    return everywhere || !this.roots || this.roots.has('this') || (this.ts.isIdentifier(base) && this.roots.has(base.text));
  }

  /** An identifier bound by `const self = this`. */
  private isThisAlias(e: TS.Expression): boolean {
    const ts = this.ts;
    if (!ts.isIdentifier(e) || !thisAliasNames(ts, e.getSourceFile()).has(e.text)) return false;
    const decl = this.checker.getSymbolAtLocation(e)?.valueDeclaration;
    return !!decl && ts.isVariableDeclaration(decl) && isThisAliasDeclaration(ts, decl);
  }

  /** A numeric id for a shared variable, or undefined when it is local to the function. */
  private sharedIdentifier(id: TS.Identifier): number | undefined {
    const symbol = this.checker.getSymbolAtLocation(id);
    if (!symbol) return undefined;
    let shared = this.sharedRoot.get(symbol);
    if (shared === undefined) {
      shared = this.decide(symbol);
      this.sharedRoot.set(symbol, shared);
    }
    if (!shared) return undefined;
    let n = this.symbolIds.get(symbol);
    if (n === undefined) this.symbolIds.set(symbol, (n = this.symbolIds.size));
    return n;
  }

  private decide(symbol: TS.Symbol): boolean {
    const ts = this.ts;
    const decl = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (!decl) return false;
    // A module namespace object (`import * as TxRef`) is read-only: `TxRef.set(ref, v)` calls a function.
    if (ts.isNamespaceImport(decl)) return false;
    // Other imports are module-level bindings of another module, unless they name a namespace (`export * as X`).
    if (ts.isImportSpecifier(decl) || ts.isImportClause(decl)) return !(aliased(ts, this.checker, symbol).flags & ts.SymbolFlags.Module);
    if (decl.getSourceFile().isDeclarationFile) return false; // globals: `console`, `process` are not user state
    if (!(ts.isVariableDeclaration(decl) || ts.isParameter(decl) || ts.isBindingElement(decl))) {
      // Functions, classes, enums: only their properties (`Foo.count`) can be state.
      return ts.isClassDeclaration(decl) || ts.isFunctionDeclaration(decl);
    }
    const owner = declaringFunction(ts, decl);
    // Declared in the function under analysis (or a function nested in it): a local.
    if (owner && (owner === this.fn || isWithin(owner, this.fn))) return false;
    // Captured from an outer scope or module-level: shared, unless one task owns it.
    return !isOwnedByOneTask(ts, this.checker, symbol, decl, owner, this.fn);
  }
}

/** The symbol an import stands for (itself when it is not an alias). */
function aliased(ts: TypeScript, checker: TS.TypeChecker, symbol: TS.Symbol): TS.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

function isThisAliasDeclaration(ts: TypeScript, decl: TS.VariableDeclaration): boolean {
  return (
    ts.isIdentifier(decl.name) &&
    !!decl.initializer &&
    !!(decl.parent.flags & ts.NodeFlags.Const) &&
    unwrap(ts, decl.initializer).kind === ts.SyntaxKind.ThisKeyword
  );
}

const aliasNames = new WeakMap<TS.SourceFile, ReadonlySet<string>>();

/** The names a file binds with `const x = this`, so that other identifiers need no symbol lookup. */
function thisAliasNames(ts: TypeScript, sf: TS.SourceFile): ReadonlySet<string> {
  let names = aliasNames.get(sf);
  if (!names) {
    const found = new Set<string>();
    for (const d of indexFile(ts, sf).variableDeclarations) if (isThisAliasDeclaration(ts, d)) found.add((d.name as TS.Identifier).text);
    aliasNames.set(sf, (names = found));
  }
  return names;
}

/** Strips parentheses, `!`, `as` and `satisfies`, which do not change the location. */
export function unwrap(ts: TypeScript, expr: TS.Expression): TS.Expression {
  let e = skipParens(ts, expr);
  while (ts.isNonNullExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isParenthesizedExpression(e)) {
    e = e.expression;
  }
  return e;
}

/** The object an access chain starts from: `this` of `this.a.b[k]`, `x` of `(x as T).y!`. */
export function accessRoot(ts: TypeScript, expr: TS.Expression): TS.Expression {
  let e = unwrap(ts, expr);
  while (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) e = unwrap(ts, e.expression);
  return e;
}

/** The function whose body declares `decl` (parameters belong to their function), or undefined at module level. */
export function declaringFunction(ts: TypeScript, decl: TS.Node): TS.FunctionLikeDeclaration | undefined {
  for (let p: TS.Node | undefined = decl.parent; p; p = p.parent) {
    if (isFunctionLike(ts, p)) return p;
  }
  return undefined;
}

function isWithin(inner: TS.Node, outer: TS.Node): boolean {
  for (let p: TS.Node | undefined = inner; p; p = p.parent) if (p === outer) return true;
  return false;
}
