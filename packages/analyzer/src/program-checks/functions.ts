/**
 * Shared helpers for program checks: stable keys for functions, resolving a
 * call to the function it runs, and spans. Keys are `file:offset` of the
 * declaration node, identical in every Program built from the same sources
 * (so summaries from different worker threads refer to the same functions).
 */
import type { ts } from 'ts-morph';
import { isFunctionLike as isFunctionLikeNode, type TypeScript } from '@asyncsan/checks';
import type { Span, SummaryContext } from './program-check.js';

/** A function with (possibly) a body: declarations, methods, accessors, constructors, expressions and arrows. */
export type FunctionLike = ts.FunctionLikeDeclaration;

export function spanOf(sf: ts.SourceFile, node: ts.Node): Span {
  const start = sf.getLineAndCharacterOfPosition(node.getStart(sf));
  const end = sf.getLineAndCharacterOfPosition(node.getEnd());
  return { file: sf.fileName, line: start.line + 1, column: start.character + 1, endLine: end.line + 1, endColumn: end.character + 1 };
}

export function compareSpans(a: Span, b: Span): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1;
  return a.line - b.line || a.column - b.column || a.endLine - b.endLine || a.endColumn - b.endColumn;
}

export function nodeKey(node: ts.Node): string {
  return `${node.getSourceFile().fileName}:${node.pos}`;
}

/** The per-file checks' own test (one definition of what a function is), typed for ts-morph's copy of TypeScript. */
export function isFunctionLike(t: typeof ts, node: ts.Node): node is FunctionLike {
  return isFunctionLikeNode(t as unknown as TypeScript, node as never);
}

/** A readable name for messages: `transfer`, `Ledger.post`, `<anonymous>`. */
export function functionName(t: typeof ts, fn: ts.Node): string {
  const nameText = (n: ts.Node | undefined): string | undefined =>
    n && (t.isIdentifier(n) || t.isStringLiteral(n) || t.isPrivateIdentifier(n)) ? n.text : undefined;
  const className = (member: ts.Node): string | undefined => {
    const cls = member.parent;
    return cls && (t.isClassDeclaration(cls) || t.isClassExpression(cls)) ? nameText(cls.name) : undefined;
  };
  let own: string | undefined;
  if (t.isFunctionDeclaration(fn) || t.isFunctionExpression(fn)) own = nameText(fn.name);
  if (t.isMethodDeclaration(fn) || t.isGetAccessorDeclaration(fn) || t.isSetAccessorDeclaration(fn)) {
    const c = className(fn);
    const m = nameText(fn.name);
    if (m) return c ? `${c}.${m}` : m;
  }
  if (t.isConstructorDeclaration(fn)) return `${className(fn) ?? 'class'} constructor`;
  if (!own && fn.parent) {
    const p = fn.parent;
    if (t.isVariableDeclaration(p) || t.isPropertyAssignment(p)) own = nameText(p.name);
    if (t.isPropertyDeclaration(p)) {
      const m = nameText(p.name);
      const c = className(p);
      if (m) return c ? `${c}.${m}` : m;
    }
  }
  return own ?? '<anonymous>';
}

/** The function-like node with a body that a declaration stands for (a function, a method, a const bound to an arrow). */
export function functionOfDeclaration(t: typeof ts, decl: ts.Declaration | undefined): FunctionLike | undefined {
  if (!decl) return undefined;
  if (isFunctionLike(t, decl)) return decl.body ? decl : undefined;
  if ((t.isVariableDeclaration(decl) || t.isPropertyDeclaration(decl) || t.isPropertyAssignment(decl)) && decl.initializer) {
    let init: ts.Expression = decl.initializer;
    while (t.isParenthesizedExpression(init) || t.isAsExpression(init) || t.isSatisfiesExpression(init)) init = init.expression;
    if (t.isArrowFunction(init) || t.isFunctionExpression(init)) return init;
  }
  return undefined;
}

export function resolveSymbol(ctx: SummaryContext, node: ts.Node): ts.Symbol | undefined {
  let sym = ctx.checker.getSymbolAtLocation(node);
  if (sym && sym.flags & ctx.ts.SymbolFlags.Alias) sym = ctx.checker.getAliasedSymbol(sym);
  return sym;
}

/** The name node that identifies what an expression refers to: `f` in `f`, `m` in `a.b.m`. */
export function referenceName(t: typeof ts, expr: ts.Expression): ts.Node | undefined {
  let e = expr;
  while (t.isParenthesizedExpression(e) || t.isNonNullExpression(e)) e = e.expression;
  if (t.isIdentifier(e)) return e;
  if (t.isPropertyAccessExpression(e)) return e.name;
  return undefined;
}

/**
 * Whether resolving this callee is cheap: a plain name, or a property of a
 * name or of `this` (`f`, `obj.m`, `this.m`, `this.a.m`). Longer chains and
 * calls on call results (`x.pipe(…).subscribe()`) would make the checker infer
 * the types of whole expressions; summaries skip them.
 */
export function isCheapCallee(t: typeof ts, callee: ts.Expression): boolean {
  let e = callee;
  while (t.isParenthesizedExpression(e) || t.isNonNullExpression(e)) e = e.expression;
  if (t.isIdentifier(e)) return true;
  if (!t.isPropertyAccessExpression(e)) return false;
  let depth = 0;
  let r: ts.Expression = e.expression;
  while (t.isPropertyAccessExpression(r) && depth < 1) {
    r = r.expression;
    depth++;
  }
  return t.isIdentifier(r) || r.kind === t.SyntaxKind.ThisKeyword;
}

/** The project function a call runs, when it has a body in a source file (not a .d.ts). */
export function resolveCallee(ctx: SummaryContext, callee: ts.Expression): FunctionLike | undefined {
  if (!isCheapCallee(ctx.ts, callee)) return undefined;
  const name = referenceName(ctx.ts, callee);
  if (!name) return undefined;
  const sym = resolveSymbol(ctx, name);
  const decl = sym?.valueDeclaration ?? sym?.declarations?.[0];
  const fn = functionOfDeclaration(ctx.ts, decl);
  if (!fn || fn.getSourceFile().isDeclarationFile) return undefined;
  return fn;
}
