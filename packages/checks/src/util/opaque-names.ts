/**
 * A syntactic pre-filter for `mayTakeOpaqueParameter`: the names under which
 * some declaration in the program takes a parameter typed `unknown`, `object`,
 * `{}` or `Object`, and at which positions. Resolving the callee of `x.pipe(f())` means type-checking
 * `x`, which on generic-heavy code costs far more than the rest of the check;
 * a member callee whose name is in no such declaration (and no alias could
 * rename) cannot take an opaque parameter, so its symbol is never asked for.
 *
 * Each file's contribution is computed once (files are shared between the
 * programs of a language service); the union is kept per program.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';

/** Where a declaration takes opaque parameters: by position (a `this` parameter counts, as in `opaqueAt`), and from a rest parameter on. */
export interface OpaqueSlots {
  indices: Set<number>;
  restFrom: number;
}

export interface OpaqueNames {
  /** Declared names of function-likes (or function-typed declarations) with an opaque parameter. */
  declared: Map<string, OpaqueSlots>;
  /** Names an import or export alias introduces: `ns.b` may resolve to a declaration named otherwise. */
  aliases: Set<string>;
}

interface FileContribution {
  declared: [string, OpaqueSlots][];
  aliases: string[];
}

const byFile = new WeakMap<TS.SourceFile, FileContribution>();
const byProgram = new WeakMap<TS.Program, OpaqueNames>();

export function isOpaqueTypeNode(ts: TypeScript, n: TS.TypeNode): boolean {
  return (
    n.kind === ts.SyntaxKind.UnknownKeyword ||
    n.kind === ts.SyntaxKind.ObjectKeyword ||
    (ts.isTypeLiteralNode(n) && n.members.length === 0) ||
    (ts.isTypeReferenceNode(n) && ts.isIdentifier(n.typeName) && n.typeName.text === 'Object') ||
    (ts.isUnionTypeNode(n) && n.types.some((t) => isOpaqueTypeNode(ts, t))) ||
    (ts.isParenthesizedTypeNode(n) && isOpaqueTypeNode(ts, n.type))
  );
}

/** The positions of opaque parameters (a rest parameter by its element type), or undefined when there are none. */
function opaqueSlots(ts: TypeScript, params: readonly TS.ParameterDeclaration[]): OpaqueSlots | undefined {
  const slots: OpaqueSlots = { indices: new Set(), restFrom: Infinity };
  params.forEach((p, i) => {
    const t = p.type;
    if (!t) return;
    if (p.dotDotDotToken) {
      if (ts.isArrayTypeNode(t) && isOpaqueTypeNode(ts, t.elementType)) slots.restFrom = Math.min(slots.restFrom, i);
    } else if (isOpaqueTypeNode(ts, t)) slots.indices.add(i);
  });
  return slots.indices.size > 0 || slots.restFrom !== Infinity ? slots : undefined;
}

function nameText(ts: TypeScript, checker: TS.TypeChecker, name: TS.Node | undefined, out: string[]): void {
  if (!name) return;
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteralLike(name) || ts.isNumericLiteral(name)) {
    out.push(name.text);
    return;
  }
  if (ts.isComputedPropertyName(name)) {
    // `[K](x: unknown)` with `const K = 'run'` is bound late under the name 'run'.
    const type = checker.getTypeAtLocation(name.expression);
    if (type.isStringLiteral() || type.isNumberLiteral()) out.push(String(type.value));
  }
}

const aliasKindsCache = new WeakMap<object, Set<TS.SyntaxKind>>();

/** Declarations that introduce a name for another symbol (kind numbers differ between TypeScript copies). */
function aliasKindsOf(ts: TypeScript): Set<TS.SyntaxKind> {
  let kinds = aliasKindsCache.get(ts);
  if (!kinds) {
    const SK = ts.SyntaxKind;
    kinds = new Set([SK.ImportSpecifier, SK.ExportSpecifier, SK.ImportClause, SK.ImportEqualsDeclaration, SK.NamespaceExport, SK.NamespaceImport]);
    aliasKindsCache.set(ts, kinds);
  }
  return kinds;
}

function contribution(ts: TypeScript, checker: TS.TypeChecker, sf: TS.SourceFile): FileContribution {
  const cached = byFile.get(sf);
  if (cached) return cached;
  const result: FileContribution = { declared: [], aliases: [] };
  const aliasKinds = aliasKindsOf(ts);
  const visit = (node: TS.Node): void => {
    // Only function-likes carry `parameters`: a property read before any kind test (this walk covers the lib files too).
    const params = (node as { parameters?: readonly TS.ParameterDeclaration[] }).parameters;
    const slots = params && params.length > 0 && ts.isFunctionLike(node) ? opaqueSlots(ts, node.parameters) : undefined;
    if (slots) {
      // The declaration a callee symbol can have: the function-like itself, the variable it
      // initialises, or the property/variable/parameter it annotates as a function type.
      const names: string[] = [];
      nameText(ts, checker, (node as { name?: TS.Node }).name, names);
      const parent = node.parent;
      if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertySignature(parent) || ts.isParameter(parent) || ts.isPropertyAssignment(parent))) {
        nameText(ts, checker, parent.name, names);
      }
      for (const n of names) result.declared.push([n, slots]);
    }
    if (aliasKinds.has(node.kind)) {
      const name = (node as TS.ImportSpecifier | TS.ExportSpecifier | TS.ImportClause | TS.ImportEqualsDeclaration | TS.NamespaceExport | TS.NamespaceImport).name;
      if (name) nameText(ts, checker, name, result.aliases);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  byFile.set(sf, result);
  return result;
}

export function opaqueNames(ts: TypeScript, program: TS.Program): OpaqueNames {
  let names = byProgram.get(program);
  if (names) return names;
  const checker = program.getTypeChecker();
  names = { declared: new Map(), aliases: new Set(['default', 'export=']) };
  for (const sf of program.getSourceFiles()) {
    const c = contribution(ts, checker, sf);
    for (const [n, slots] of c.declared) {
      const merged = names.declared.get(n);
      if (!merged) names.declared.set(n, { indices: new Set(slots.indices), restFrom: slots.restFrom });
      else {
        for (const i of slots.indices) merged.indices.add(i);
        merged.restFrom = Math.min(merged.restFrom, slots.restFrom);
      }
    }
    for (const n of c.aliases) names.aliases.add(n);
  }
  byProgram.set(program, names);
  return names;
}
