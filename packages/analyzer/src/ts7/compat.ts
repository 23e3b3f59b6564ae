/**
 * The TypeScript 7 back end's adapter: makes typescript@7's synchronous API
 * (`typescript/unstable/sync` over the native compiler process, nodes from
 * `typescript/unstable/ast`) answer the questions the checks ask, in the
 * shape of TypeScript 6's API, so that the checks stay written once.
 *
 * - Nodes are passed through: TypeScript 7's nodes (lazy views over the
 *   binary AST the native process sends) have the same kinds, property names
 *   and position methods as TypeScript 6's. The few TypeScript 6 node methods
 *   they lack are added below (`patchNodes`).
 * - The `typescript` module the checks receive (`ctx.ts`) is `compatModule`:
 *   TypeScript 7's SyntaxKind and flag enums (its numbers differ from 6's), its
 *   `is*` guards, and the handful of helpers 7 does not export, written here.
 * - Types, symbols and signatures are wrapped, one wrapper per remote object
 *   (identity matters: the checks key maps and sets on them), and each
 *   TypeScript 6 method becomes the matching checker request.
 *
 * The unstable API is typed loosely here on purpose: it is loaded at run time
 * from the analysed project's own typescript@7, and may change between 7.x
 * releases; this file is the one place that knows its shape.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- the remote API's objects, see above */
import type * as TS from 'typescript';
import type { TypeScript } from '@asyncsan/checks';

/** The two modules of typescript@7 the back end uses. */
export interface Ts7Modules {
  sync: any;
  ast: any;
  version: string;
}

/** One project's checker, program and object wrappers. */
export class Ts7Compat {
  readonly ts: TypeScript;
  readonly checker: TS.TypeChecker;
  readonly program: TS.Program;
  private readonly types = new WeakMap<object, Type7>();
  private readonly symbols = new WeakMap<object, Symbol7>();
  private readonly signatures = new WeakMap<object, Signature7>();
  private allFiles: TS.SourceFile[] | undefined;
  private anyType: any;
  /** Checker requests made (each one a round trip to the native process). */
  requests = 0;

  constructor(
    readonly mods: Ts7Modules,
    readonly project: any,
  ) {
    this.ts = compatModule(mods);
    this.checker = new Checker7(this) as unknown as TS.TypeChecker;
    this.program = new Program7(this) as unknown as TS.Program;
  }

  /** Checker requests made per method (each one a round trip to the native process). */
  readonly asked = new Map<string, number>();

  /** Answers given from the cache instead of a request. */
  cached = 0;
  private readonly answers = new WeakMap<object, Map<string, unknown>>();

  /**
   * A checker request whose answer depends only on its arguments (within one snapshot, where types, symbols,
   * signatures and nodes keep their identity): asked once per `target` (and `extra`), then answered from memory.
   * The checks ask the same questions again and again (the same promise type's \`then\`, the same declared type);
   * TypeScript 6 answers those from its own caches, here each would be a round trip.
   */
  askOnce(method: string, target: object, extra: string | number | undefined, ...args: unknown[]): any {
    let answers = this.answers.get(target);
    if (!answers) this.answers.set(target, (answers = new Map()));
    const key = extra === undefined ? method : `${method}\0${extra}`;
    if (answers.has(key)) {
      this.cached++;
      return answers.get(key);
    }
    const answer = this.ask(method, ...args);
    answers.set(key, answer);
    return answer;
  }

  /** One checker request. */
  ask(method: string, ...args: unknown[]): any {
    this.requests++;
    this.asked.set(method, (this.asked.get(method) ?? 0) + 1);
    return this.project.checker[method](...args);
  }

  type(t: any): Type7 {
    let w = this.types.get(t);
    if (!w) this.types.set(t, (w = new Type7(this, t)));
    return w;
  }

  typeOr(t: any): Type7 | undefined {
    return t ? this.type(t) : undefined;
  }

  /** TypeScript 6 answers the error type (flags Any) where 7 answers undefined. */
  typeOrError(t: any): Type7 {
    if (t) return this.type(t);
    this.anyType ??= this.ask('getAnyType');
    return this.type(this.anyType);
  }

  symbol(s: any): Symbol7 | undefined {
    if (!s) return undefined;
    let w = this.symbols.get(s);
    if (!w) this.symbols.set(s, (w = new Symbol7(this, s)));
    return w;
  }

  signature(s: any): Signature7 | undefined {
    if (!s) return undefined;
    let w = this.signatures.get(s);
    if (!w) this.signatures.set(s, (w = new Signature7(this, s)));
    return w;
  }

  /** Every source file of the program (declaration files included), fetched once. */
  sourceFiles(): TS.SourceFile[] {
    this.allFiles ??= (this.project.program.getSourceFileNames() as string[]).map((f) => this.project.program.getSourceFile(f)).filter(Boolean);
    return this.allFiles;
  }
}

const unwrap = (x: any): any => (x instanceof Type7 || x instanceof Symbol7 || x instanceof Signature7 ? x.inner : x);

class Type7 {
  constructor(
    private readonly c: Ts7Compat,
    readonly inner: any,
  ) {}
  get flags(): number {
    return this.inner.flags;
  }
  get objectFlags(): number {
    return this.inner.objectFlags ?? 0;
  }
  get id(): number {
    return this.inner.id;
  }
  get symbol(): Symbol7 | undefined {
    return this.getSymbol();
  }
  get aliasSymbol(): Symbol7 | undefined {
    return this.c.symbol(this.inner.getAliasSymbol());
  }
  get aliasTypeArguments(): Type7[] | undefined {
    const args = this.inner.getAliasTypeArguments() as any[];
    return args.length > 0 ? args.map((t) => this.c.type(t)) : undefined;
  }
  get value(): unknown {
    return this.inner.value;
  }
  get intrinsicName(): string | undefined {
    return this.inner.intrinsicName;
  }
  get types(): Type7[] {
    return ((this.inner.getTypes() as any[] | undefined) ?? []).map((t) => this.c.type(t));
  }
  /** TypeReference's target (TypeScript 6 exposes it as a property). */
  get target(): Type7 | undefined {
    return this.objectFlags & this.c.mods.sync.ObjectFlags.Reference ? this.c.typeOr(this.inner.getTarget()) : undefined;
  }
  get typeArguments(): readonly Type7[] | undefined {
    return this.objectFlags & this.c.mods.sync.ObjectFlags.Reference ? this.c.checker.getTypeArguments(this as any) as any : undefined;
  }
  getFlags(): number {
    return this.flags;
  }
  getSymbol(): Symbol7 | undefined {
    return this.c.symbol(this.inner.getSymbol());
  }
  getAliasSymbol(): Symbol7 | undefined {
    return this.aliasSymbol;
  }
  isUnion(): boolean {
    return (this.flags & this.c.mods.sync.TypeFlags.Union) !== 0;
  }
  isIntersection(): boolean {
    return (this.flags & this.c.mods.sync.TypeFlags.Intersection) !== 0;
  }
  isUnionOrIntersection(): boolean {
    return this.isUnion() || this.isIntersection();
  }
  isLiteral(): boolean {
    return (this.flags & (this.c.mods.sync.TypeFlags.StringLiteral | this.c.mods.sync.TypeFlags.NumberLiteral | this.c.mods.sync.TypeFlags.BigIntLiteral)) !== 0;
  }
  isStringLiteral(): boolean {
    return (this.flags & this.c.mods.sync.TypeFlags.StringLiteral) !== 0;
  }
  isNumberLiteral(): boolean {
    return (this.flags & this.c.mods.sync.TypeFlags.NumberLiteral) !== 0;
  }
  isTypeParameter(): boolean {
    return (this.flags & this.c.mods.sync.TypeFlags.TypeParameter) !== 0;
  }
  isClassOrInterface(): boolean {
    return this.inner.isClassOrInterface();
  }
  isClass(): boolean {
    return this.isClassOrInterface() && ((this.getSymbol()?.flags ?? 0) & this.c.mods.sync.SymbolFlags.Class) !== 0;
  }
  getCallSignatures(): readonly Signature7[] {
    return (this.c.askOnce('getSignaturesOfType', this.inner, this.c.mods.sync.SignatureKind.Call, this.inner, this.c.mods.sync.SignatureKind.Call) as any[]).map((s) => this.c.signature(s)!);
  }
  getConstructSignatures(): readonly Signature7[] {
    return (this.c.askOnce('getSignaturesOfType', this.inner, this.c.mods.sync.SignatureKind.Construct, this.inner, this.c.mods.sync.SignatureKind.Construct) as any[]).map((s) => this.c.signature(s)!);
  }
  getProperty(name: string): Symbol7 | undefined {
    return this.c.symbol(this.c.askOnce('getPropertyOfType', this.inner, name, this.inner, name));
  }
  getProperties(): Symbol7[] {
    return (this.c.askOnce('getPropertiesOfType', this.inner, undefined, this.inner) as any[]).map((s) => this.c.symbol(s)!);
  }
  getApparentProperties(): Symbol7[] {
    const apparent = this.c.askOnce('getApparentType', this.inner, undefined, this.inner) ?? this.inner;
    return (this.c.askOnce('getPropertiesOfType', apparent, undefined, apparent) as any[]).map((s) => this.c.symbol(s)!);
  }
  getNonNullableType(): Type7 {
    return this.c.typeOrError(this.c.askOnce('getNonNullableType', this.inner, undefined, this.inner));
  }
  getConstraint(): Type7 | undefined {
    return this.isTypeParameter() ? this.c.typeOr(this.c.askOnce('getConstraintOfTypeParameter', this.inner, undefined, this.inner)) : undefined;
  }
  getBaseTypes(): Type7[] | undefined {
    return (this.inner.getBaseTypes() as any[] | undefined)?.map((t) => this.c.type(t));
  }
}

class Symbol7 {
  private decls: TS.Declaration[] | undefined;
  constructor(
    private readonly c: Ts7Compat,
    readonly inner: any,
  ) {}
  get flags(): number {
    return this.inner.flags;
  }
  get name(): string {
    return this.inner.name;
  }
  get escapedName(): string {
    return this.inner.escapedName;
  }
  get id(): number {
    return this.inner.id;
  }
  get parent(): Symbol7 | undefined {
    return this.c.symbol(this.inner.getParent());
  }
  /** TypeScript 6 leaves `declarations` undefined where 7 answers an empty list. */
  get declarations(): TS.Declaration[] | undefined {
    if (!this.decls) {
      this.decls = (this.inner.declarations as any[]).map((h) => h.resolve()).filter(Boolean);
    }
    return this.decls.length > 0 ? this.decls : undefined;
  }
  get valueDeclaration(): TS.Declaration | undefined {
    return this.inner.valueDeclaration?.resolve();
  }
  get exports(): Map<string, Symbol7> {
    return new Map([...(this.inner.getExports() as Map<string, any>)].map(([k, s]) => [k, this.c.symbol(s)!]));
  }
  get members(): Map<string, Symbol7> {
    return new Map([...(this.inner.getMembers() as Map<string, any>)].map(([k, s]) => [k, this.c.symbol(s)!]));
  }
  getName(): string {
    return this.name;
  }
  getEscapedName(): string {
    return this.escapedName;
  }
  getFlags(): number {
    return this.flags;
  }
  getDeclarations(): TS.Declaration[] | undefined {
    return this.declarations;
  }
}

class Signature7 {
  constructor(
    private readonly c: Ts7Compat,
    readonly inner: any,
  ) {}
  get declaration(): TS.SignatureDeclaration | undefined {
    return this.inner.declaration?.resolve();
  }
  get parameters(): Symbol7[] {
    return this.getParameters();
  }
  get typeParameters(): Type7[] | undefined {
    const tps = this.inner.getTypeParameters() as any[];
    return tps.length > 0 ? tps.map((t) => this.c.type(t)) : undefined;
  }
  get thisParameter(): Symbol7 | undefined {
    return this.c.symbol(this.inner.getThisParameter());
  }
  get target(): Signature7 | undefined {
    return this.c.signature(this.inner.getTarget());
  }
  getDeclaration(): TS.SignatureDeclaration | undefined {
    return this.declaration;
  }
  getParameters(): Symbol7[] {
    return (this.inner.getParameters() as any[]).map((s) => this.c.symbol(s)!);
  }
  getTypeParameters(): Type7[] | undefined {
    return this.typeParameters;
  }
  getReturnType(): Type7 {
    return this.c.typeOrError(this.c.askOnce('getReturnTypeOfSignature', this.inner, undefined, this.inner));
  }
  hasRestParameter(): boolean {
    return this.inner.hasRestParameter;
  }
}

/** The checker questions the checks ask, as requests to the native checker. */
class Checker7 {
  constructor(private readonly c: Ts7Compat) {}
  getTypeAtLocation(node: TS.Node) {
    return this.c.typeOrError(this.c.askOnce('getTypeAtLocation', node, undefined, node));
  }
  getSymbolAtLocation(node: TS.Node) {
    return this.c.symbol(this.c.askOnce('getSymbolAtLocation', node, undefined, node));
  }
  getTypeOfSymbolAtLocation(symbol: Symbol7, node: TS.Node) {
    return this.c.typeOrError(this.c.askOnce('getTypeOfSymbolAtLocation', node, symbol.id, unwrap(symbol), node));
  }
  getTypeOfSymbol(symbol: Symbol7) {
    return this.c.typeOrError(this.c.askOnce('getTypeOfSymbol', unwrap(symbol), undefined, unwrap(symbol)));
  }
  getDeclaredTypeOfSymbol(symbol: Symbol7) {
    return this.c.typeOrError(this.c.askOnce('getDeclaredTypeOfSymbol', unwrap(symbol), undefined, unwrap(symbol)));
  }
  getNonNullableType(type: Type7) {
    return this.c.typeOrError(this.c.askOnce('getNonNullableType', unwrap(type), undefined, unwrap(type)));
  }
  getApparentType(type: Type7) {
    return this.c.typeOr(this.c.askOnce('getApparentType', unwrap(type), undefined, unwrap(type))) ?? type;
  }
  getBaseConstraintOfType(type: Type7) {
    return this.c.typeOr(this.c.askOnce('getBaseConstraintOfType', unwrap(type), undefined, unwrap(type)));
  }
  getBaseTypes(type: Type7) {
    return (this.c.askOnce('getBaseTypes', unwrap(type), undefined, unwrap(type)) as any[]).map((t) => this.c.type(t));
  }
  getTypeArguments(type: Type7) {
    return (this.c.askOnce('getTypeArguments', unwrap(type), undefined, unwrap(type)) as any[]).map((t) => this.c.type(t));
  }
  getTypeFromTypeNode(node: TS.TypeNode) {
    return this.c.typeOrError(this.c.askOnce('getTypeFromTypeNode', node, undefined, node));
  }
  getContextualType(node: TS.Expression) {
    return this.c.typeOr(this.c.askOnce('getContextualType', node, undefined, node));
  }
  getResolvedSignature(node: TS.Node) {
    return this.c.signature(this.c.askOnce('getResolvedSignature', node, undefined, node));
  }
  getSignatureFromDeclaration(node: TS.Node) {
    return this.c.signature(this.c.askOnce('getSignatureFromDeclaration', node, undefined, node));
  }
  getSignaturesOfType(type: Type7, kind: number) {
    return (this.c.askOnce('getSignaturesOfType', unwrap(type), kind, unwrap(type), kind) as any[]).map((s) => this.c.signature(s)!);
  }
  getReturnTypeOfSignature(sig: Signature7) {
    return sig.getReturnType();
  }
  getPropertyOfType(type: Type7, name: string) {
    return this.c.symbol(this.c.askOnce('getPropertyOfType', unwrap(type), name, unwrap(type), name));
  }
  getPropertiesOfType(type: Type7) {
    return (this.c.askOnce('getPropertiesOfType', unwrap(type), undefined, unwrap(type)) as any[]).map((s) => this.c.symbol(s)!);
  }
  getIndexInfoOfType(type: Type7, kind: number) {
    // TypeScript 6's IndexKind: 0 string, 1 number.
    const key = kind === 0 ? this.c.mods.sync.TypeFlags.String : this.c.mods.sync.TypeFlags.Number;
    const info = (this.c.askOnce('getIndexInfosOfType', unwrap(type), undefined, unwrap(type)) as any[]).find((i) => {
      const k = i.keyType ?? i.getKeyType?.();
      return k && (k.flags & key) !== 0;
    });
    if (!info) return undefined;
    const value = info.valueType ?? info.getValueType?.();
    return { ...info, type: this.c.typeOr(value), keyType: this.c.typeOr(info.keyType ?? info.getKeyType?.()) };
  }
  getAliasedSymbol(symbol: Symbol7) {
    return this.c.symbol(this.c.askOnce('getAliasedSymbol', unwrap(symbol), undefined, unwrap(symbol)));
  }
  getShorthandAssignmentValueSymbol(node: TS.Node) {
    return this.c.symbol(this.c.askOnce('getShorthandAssignmentValueSymbol', node, undefined, node));
  }
  getExportSpecifierLocalTargetSymbol(node: TS.Node) {
    return this.c.symbol(this.c.ask('getExportSpecifierLocalTargetSymbol', node));
  }
  isArrayType(type: Type7) {
    return this.c.askOnce('isArrayType', unwrap(type), undefined, unwrap(type)) as boolean;
  }
  isTupleType(type: Type7) {
    return this.c.askOnce('isTupleType', unwrap(type), undefined, unwrap(type)) as boolean;
  }
  isArrayLikeType(type: Type7) {
    return this.c.ask('isArrayLikeType', unwrap(type)) as boolean;
  }
  isTypeAssignableTo(a: Type7, b: Type7) {
    return this.c.ask('isTypeAssignableTo', unwrap(a), unwrap(b)) as boolean;
  }
  typeToString(type: Type7, enclosing?: TS.Node, flags?: number) {
    return this.c.ask('typeToString', unwrap(type), enclosing, flags) as string;
  }
  getAnyType() {
    return this.c.type(this.c.ask('getAnyType'));
  }
  getUnknownType() {
    return this.c.type(this.c.ask('getUnknownType'));
  }
  getVoidType() {
    return this.c.type(this.c.ask('getVoidType'));
  }
  getUndefinedType() {
    return this.c.type(this.c.ask('getUndefinedType'));
  }
  getNeverType() {
    return this.c.type(this.c.ask('getNeverType'));
  }
}

class Program7 {
  constructor(private readonly c: Ts7Compat) {}
  getTypeChecker() {
    return this.c.checker;
  }
  getSourceFile(file: string) {
    return this.c.project.program.getSourceFile(file);
  }
  getSourceFiles() {
    return this.c.sourceFiles();
  }
  getCompilerOptions() {
    return this.c.project.compilerOptions;
  }
  // As TypeScript 6's program made by ts-morph: the process's directory (the checks fall back to it when the
  // compiler options name no tsconfig).
  getCurrentDirectory() {
    return process.cwd();
  }
  isSourceFileDefaultLibrary(sf: TS.SourceFile) {
    return this.c.project.program.isSourceFileDefaultLibrary(sf) as boolean;
  }
  isSourceFileFromExternalLibrary(sf: TS.SourceFile) {
    return this.c.project.program.isSourceFileFromExternalLibrary(sf) as boolean;
  }
}

const modules = new WeakMap<object, TypeScript>();

/**
 * The `typescript` module as the checks see it on TypeScript 7: its enums and
 * guards, plus the TypeScript 6 helpers 7 does not export (built on its kinds).
 */
export function compatModule(mods: Ts7Modules): TypeScript {
  const cached = modules.get(mods.ast);
  if (cached) return cached;
  const { ast, sync } = mods;
  const K = ast.SyntaxKind;
  const M = ast.ModifierFlags;
  const kindIs =
    (...kinds: number[]) =>
    (n: TS.Node | undefined) =>
      n !== undefined && kinds.includes(n.kind);
  const isFunctionLike = kindIs(
    K.FunctionDeclaration, K.MethodDeclaration, K.Constructor, K.GetAccessor, K.SetAccessor, K.FunctionExpression, K.ArrowFunction,
    K.MethodSignature, K.CallSignature, K.ConstructSignature, K.IndexSignature, K.FunctionType, K.ConstructorType, K.JSDocSignature,
  );
  const loops = kindIs(K.ForStatement, K.ForInStatement, K.ForOfStatement, K.DoStatement, K.WhileStatement);
  const isIterationStatement = (n: TS.Node, lookInLabeled: boolean): boolean =>
    loops(n) || (lookInLabeled && n.kind === K.LabeledStatement && isIterationStatement((n as TS.LabeledStatement).statement, true));
  const modifierFlag = new Map<number, number>([
    [K.ExportKeyword, M.Export], [K.DeclareKeyword, M.Ambient], [K.DefaultKeyword, M.Default], [K.ConstKeyword, M.Const],
    [K.PublicKeyword, M.Public], [K.PrivateKeyword, M.Private], [K.ProtectedKeyword, M.Protected], [K.ReadonlyKeyword, M.Readonly],
    [K.StaticKeyword, M.Static], [K.AbstractKeyword, M.Abstract], [K.AsyncKeyword, M.Async], [K.OverrideKeyword, M.Override],
    [K.AccessorKeyword, M.Accessor], [K.InKeyword, M.In], [K.OutKeyword, M.Out],
  ]);
  const getModifiers = (n: TS.Node) => {
    const list = (n as { modifiers?: readonly TS.Node[] }).modifiers?.filter((m) => m.kind !== K.Decorator);
    return list && list.length > 0 ? list : undefined;
  };
  const effectiveFlags = (n: TS.Node) => (getModifiers(n) ?? []).reduce((f, m) => f | (modifierFlag.get(m.kind) ?? 0), 0);
  // TypeScript 6's getCombinedModifierFlags: a binding element or variable declaration takes its statement's modifiers.
  const getCombinedModifierFlags = (node: TS.Node): number => {
    let n = node;
    while (n.kind === K.BindingElement) n = n.parent.parent;
    let flags = effectiveFlags(n);
    if (n.kind === K.VariableDeclaration) n = n.parent;
    if (n.kind === K.VariableDeclarationList) {
      flags |= effectiveFlags(n);
      n = n.parent;
    }
    if (n.kind === K.VariableStatement) flags |= effectiveFlags(n);
    return flags;
  };
  // TypeScript 6's getCombinedNodeFlags: `const`/`let`/`using` live on the declaration list, read from a declaration or binding.
  const getCombinedNodeFlags = (node: TS.Node): number => {
    let n = node;
    while (n.kind === K.BindingElement) n = n.parent.parent;
    let flags = n.flags;
    if (n.kind === K.VariableDeclaration) n = n.parent;
    if (n.kind === K.VariableDeclarationList) {
      flags |= n.flags;
      n = n.parent;
    }
    if (n.kind === K.VariableStatement) flags |= n.flags;
    return flags;
  };
  const module: Record<string, unknown> = {
    version: mods.version,
    // TypeScript 6's IndexKind (getIndexInfoOfType's argument; 7 has getIndexInfosOfType only).
    IndexKind: { String: 0, Number: 1 },
    SyntaxKind: K,
    NodeFlags: ast.NodeFlags,
    ModifierFlags: M,
    TokenFlags: ast.TokenFlags,
    TypeFlags: sync.TypeFlags,
    SymbolFlags: sync.SymbolFlags,
    ObjectFlags: sync.ObjectFlags,
    SignatureKind: sync.SignatureKind,
    ModuleKind: sync.ModuleKind,
    ScriptTarget: ast.ScriptTarget,
  };
  for (const [name, value] of Object.entries(ast)) if (name.startsWith('is') && typeof value === 'function') module[name] = value;
  Object.assign(module, {
    // An array pattern's hole (`const [, b] = …`) is a BindingElement without a name in 7, an OmittedExpression in 6.
    isBindingElement: (n: TS.Node) => n.kind === K.BindingElement && (n as TS.BindingElement).name !== undefined,
    isOmittedExpression: (n: TS.Node) => n.kind === K.OmittedExpression || (n.kind === K.BindingElement && (n as TS.BindingElement).name === undefined),
    isClassLike: kindIs(K.ClassDeclaration, K.ClassExpression),
    isFunctionLike,
    isIterationStatement,
    isMethodSignature: kindIs(K.MethodSignature),
    isPropertySignature: kindIs(K.PropertySignature),
    isParameter: kindIs(K.Parameter),
    isStringLiteralLike: kindIs(K.StringLiteral, K.NoSubstitutionTemplateLiteral),
    isTypeAssertionExpression: kindIs(K.TypeAssertionExpression),
    isExternalModule: (sf: TS.SourceFile) => (sf as { externalModuleIndicator?: unknown }).externalModuleIndicator !== undefined,
    isParameterPropertyDeclaration: (n: TS.Node, parent: TS.Node) =>
      n.kind === K.Parameter && parent.kind === K.Constructor && (effectiveFlags(n) & (M.Public | M.Private | M.Protected | M.Readonly | M.Override)) !== 0,
    forEachChild: <T>(n: TS.Node, cb: (n: TS.Node) => T, cbs?: (ns: TS.NodeArray<TS.Node>) => T) => n.forEachChild(cb, cbs),
    canHaveModifiers: () => true,
    getModifiers,
    getDecorators: (n: TS.Node) => {
      const list = (n as { modifiers?: readonly TS.Node[] }).modifiers?.filter((m) => m.kind === K.Decorator);
      return list && list.length > 0 ? list : undefined;
    },
    getCombinedModifierFlags,
    getCombinedNodeFlags,
    factory: {
      createNodeArray: <T>(elements: readonly T[] = []) => Object.assign([...elements], { pos: -1, end: -1, hasTrailingComma: false }),
    },
    flattenDiagnosticMessageText: (d: string | { messageText?: string; text?: string } | undefined) =>
      typeof d === 'string' ? d : (d?.text ?? d?.messageText ?? ''),
  });
  const result = module as unknown as TypeScript;
  modules.set(mods.ast, result);
  return result;
}

/**
 * TypeScript 6 node methods the checks call that TypeScript 7's nodes lack,
 * added to its node class (found from a live node: the class is not exported).
 */
export function patchNodes(mods: Ts7Modules, sourceFile: TS.SourceFile): void {
  // The source file's class extends the node class: patch the one that defines the node getters.
  let proto = Object.getPrototypeOf(sourceFile) as Record<string, unknown> | null;
  while (proto && !Object.prototype.hasOwnProperty.call(proto, 'questionToken')) proto = Object.getPrototypeOf(proto) as Record<string, unknown> | null;
  if (!proto || patched.has(proto)) return;
  patched.add(proto);
  const K = mods.ast.SyntaxKind;
  const closeBrace = (block: TS.Node) => {
    const end = block.end;
    const sf = block.getSourceFile();
    return { kind: K.CloseBraceToken, pos: end - 1, end, parent: block, flags: 0, getStart: () => end - 1, getEnd: () => end, getSourceFile: () => sf, getText: () => '}' };
  };
  proto.getLastToken = function getLastToken(this: TS.Node) {
    // Only a block's closing brace is asked for (listener-paths): a token the size of the brace at the block's end.
    return this.kind === K.Block ? closeBrace(this) : undefined;
  };
  // Members (property, method, property assignment) carry `?` and `!` as one `postfixToken` in 7; 6 names them
  // questionToken and exclamationToken.
  const postfix = (kind: number, own: ((this: object) => unknown) | undefined) =>
    function (this: { postfixToken?: TS.Node }) {
      const token = own?.call(this);
      if (token) return token;
      const p = this.postfixToken;
      return p?.kind === kind ? p : undefined;
    };
  for (const [name, kind] of [['questionToken', K.QuestionToken], ['exclamationToken', K.ExclamationToken]] as const) {
    const own = Object.getOwnPropertyDescriptor(proto, name)?.get as ((this: object) => unknown) | undefined;
    Object.defineProperty(proto, name, { configurable: true, get: postfix(kind, own) });
  }
}

const patched = new WeakSet<object>();
