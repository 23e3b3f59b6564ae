/**
 * Type utilities shared by the checks: "is this a promise", "is this a
 * thenable", "does this parameter take a promise / a signal", "where is this
 * declared". Every function takes the TypeScript module and the checker as
 * arguments; nothing is imported as a value from 'typescript'.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { isOpaqueTypeNode, opaqueNames } from './opaque-names.js';

export function unionParts(type: TS.Type): TS.Type[] {
  return type.isUnion() ? type.types : [type];
}

/**
 * Whether `type` is the built-in Promise (declared in a default lib file), a
 * class or interface deriving from it, or an intersection with it. Unions must
 * be Promise in every part here; `isPromiseType` looks at the parts itself.
 */
function isBuiltinPromise(ts: TypeScript, program: TS.Program, type: TS.Type, seen = new Set<TS.Type>()): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  if (type.isIntersection()) return type.types.some((t) => isBuiltinPromise(ts, program, t, seen));
  if (type.isUnion()) return type.types.every((t) => isBuiltinPromise(ts, program, t, seen));
  if (type.flags & ts.TypeFlags.TypeParameter) {
    const c = (type as TS.TypeParameter).getConstraint();
    return c ? isBuiltinPromise(ts, program, c, seen) : false;
  }
  const symbol = (type as TS.Type).getSymbol();
  if (!symbol) return false;
  if (symbol.getName() === 'Promise' && isFromDefaultLib(program, symbol)) return true;
  if (symbol.flags & (ts.SymbolFlags.Class | ts.SymbolFlags.Interface)) {
    const checker = program.getTypeChecker();
    const declared = checker.getDeclaredTypeOfSymbol(symbol);
    if (declared.isClassOrInterface()) {
      for (const base of checker.getBaseTypes(declared)) if (isBuiltinPromise(ts, program, base, seen)) return true;
    }
  }
  return false;
}

export function isFromDefaultLib(program: TS.Program, symbol: TS.Symbol): boolean {
  return (symbol.getDeclarations() ?? []).some((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));
}

/** A native Promise (or subclass) in some part of the type: what typescript-eslint's defaults call promise-like. */
export function isPromiseType(ts: TypeScript, program: TS.Program, type: TS.Type): boolean {
  const checker = program.getTypeChecker();
  return unionParts(checker.getApparentType(type)).some((t) => isBuiltinPromise(ts, program, t));
}

/**
 * A thenable that can be rejected: its `then` takes a second, callable
 * argument (PromiseLike, query builders, custom promise classes).
 */
export function isRejectableThenable(checker: TS.TypeChecker, type: TS.Type, at: TS.Node): boolean {
  for (const part of unionParts(checker.getApparentType(type))) {
    const then = part.getProperty('then');
    if (!then) continue;
    const thenType = checker.getTypeOfSymbolAtLocation(then, at);
    for (const sig of thenType.getCallSignatures()) {
      const params = sig.getParameters();
      if (params.length < 2) continue;
      const onRejected = checker.getNonNullableType(checker.getTypeOfSymbolAtLocation(params[1]!, at));
      if (unionParts(onRejected).some((t) => t.getCallSignatures().length > 0)) return true;
    }
  }
  return false;
}

/** Promise or rejectable thenable: what asyncsan treats as a promise. */
export function isPromiseLikeType(ts: TypeScript, program: TS.Program, type: TS.Type, at: TS.Node): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.Never)) return false;
  if (isPromiseType(ts, program, type)) return true;
  const checker = program.getTypeChecker();
  return mayHaveThen(ts, checker, type) && isRejectableThenable(checker, type, at);
}

/**
 * Cheap test before resolving the members of every instantiation: an instance
 * of a generic class or interface has a `then` exactly when its declaration
 * does, and the declaration's members are resolved once.
 */
function mayHaveThen(ts: TypeScript, checker: TS.TypeChecker, type: TS.Type): boolean {
  return unionParts(checker.getApparentType(type)).some((part) => {
    if (part.flags & ts.TypeFlags.Object && (part as TS.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
      const target = (part as TS.TypeReference).target;
      if (target && target !== part) return target.getProperty('then') !== undefined;
    }
    return part.getProperty('then') !== undefined;
  });
}

/**
 * An array or tuple with a promise-like element type. `thenables: false` counts
 * native promises only (typescript-eslint's default `checkThenables: false`).
 */
export function isPromiseArrayType(ts: TypeScript, program: TS.Program, type: TS.Type, at: TS.Node, thenables = true): boolean {
  const checker = program.getTypeChecker();
  const isElement = (el: TS.Type) => (thenables ? isPromiseLikeType(ts, program, el, at) : isPromiseType(ts, program, el));
  for (const part of unionParts(type).map((t) => checker.getApparentType(t))) {
    if (checker.isArrayType(part)) {
      const el = checker.getTypeArguments(part as TS.TypeReference)[0];
      if (el && isElement(el)) return true;
    }
    if (checker.isTupleType(part)) {
      for (const el of checker.getTypeArguments(part as TS.TypeReference)) if (isElement(el)) return true;
    }
  }
  return false;
}

/** Whether a function type's call signatures return a promise-like. */
export function returnsPromise(ts: TypeScript, program: TS.Program, type: TS.Type, at: TS.Node): boolean {
  const sigs = type.getCallSignatures();
  return sigs.length > 0 && sigs.some((s) => isPromiseLikeType(ts, program, s.getReturnType(), at));
}

export function isAbortSignalType(checker: TS.TypeChecker, type: TS.Type, depth = 0): boolean {
  return unionParts(checker.getNonNullableType(type)).some((t) => {
    if (isAbortSignalPart(t, 0)) return true;
    // A generic option's type (`this['CallOptions']['signal']` read through `Partial<this['CallOptions']>`) is known by its constraint.
    if (depth > 2 || t.getSymbol()) return false;
    const constraint = checker.getBaseConstraintOfType(t);
    return !!constraint && constraint !== t && isAbortSignalType(checker, constraint, depth + 1);
  });
}

// No getNonNullableType in here: for a type parameter it returns `T & {}`, whose parts lead back to T.
function isAbortSignalPart(t: TS.Type, depth: number): boolean {
  if (depth > 4) return false;
  if (t.isIntersection()) return t.types.some((x) => isAbortSignalPart(x, depth + 1));
  const s = t.getSymbol() ?? t.aliasSymbol;
  return s?.getName() === 'AbortSignal';
}

/**
 * The options property that carries an AbortSignal: `signal` (the web platform, Node, most libraries) or
 * `abortSignal` (the AWS SDK v3's `client.send(command, { abortSignal })`, Smithy clients).
 */
export type SignalOption = 'signal' | 'abortSignal';
const SIGNAL_OPTIONS: readonly SignalOption[] = ['signal', 'abortSignal'];

/**
 * `{ signal?: AbortSignal }`-shaped: an options object that may carry a signal; which property carries it.
 * The property must be optional, so a `Request` (whose `signal` is required
 * and already set) is not taken for an options bag.
 */
export function signalOptionOf(checker: TS.TypeChecker, type: TS.Type, at: TS.Node, ts?: TypeScript): SignalOption | undefined {
  for (const t of unionParts(checker.getNonNullableType(type))) {
    for (const name of SIGNAL_OPTIONS) {
      // An instance of a generic class or interface has the members of its declaration: resolve those once.
      if (ts && t.flags & ts.TypeFlags.Object && (t as TS.ObjectType).objectFlags & ts.ObjectFlags.Reference) {
        const target = (t as TS.TypeReference).target;
        if (target && target !== t && target.getProperty(name) === undefined) continue;
      }
      const prop = t.getProperty(name);
      if (!prop) continue;
      const optional = (prop.getDeclarations() ?? []).some((d) => 'questionToken' in d && d.questionToken !== undefined);
      if (optional && isAbortSignalType(checker, checker.getTypeOfSymbolAtLocation(prop, at))) return name;
    }
  }
  return undefined;
}

/** How a parameter accepts an AbortSignal: directly, as an option (named by the property), or not at all. */
export type SignalSlot = 'direct' | SignalOption | undefined;

export function signalSlotOf(checker: TS.TypeChecker, type: TS.Type, at: TS.Node, ts?: TypeScript): SignalSlot {
  if (isAbortSignalType(checker, type)) return 'direct';
  return signalOptionOf(checker, type, at, ts);
}

/** The module a declaration belongs to: an ambient `declare module 'x'` name or the package directory under node_modules. */
export function declarationPackage(ts: TypeScript, decl: TS.Node): string | undefined {
  for (let p: TS.Node | undefined = decl.parent; p; p = p.parent) {
    if (ts.isModuleDeclaration(p) && ts.isStringLiteral(p.name)) return normalizePackage(p.name.text);
  }
  const file = decl.getSourceFile().fileName.replace(/\\/g, '/');
  const m = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\/[^]*$/.exec(file);
  if (!m) return undefined;
  let pkg = m[1]!;
  if (pkg.startsWith('@types/')) {
    const inner = pkg.slice('@types/'.length);
    pkg = inner.includes('__') ? `@${inner.replace('__', '/')}` : inner;
  }
  return normalizePackage(pkg);
}

/**
 * Declared by the platform: TypeScript's default library (fetch, EventTarget, setTimeout), Node's own types
 * (`@types/node`: timers/promises, events, child_process, net, fs/promises, stream…) or the undici types Node's
 * global fetch is declared with.
 */
export function isPlatformDeclaration(program: TS.Program, decl: TS.Node): boolean {
  const file = decl.getSourceFile();
  if (program.isSourceFileDefaultLibrary(file)) return true;
  const name = file.fileName.replace(/\\/g, '/');
  return name.includes('/node_modules/@types/node/') || name.includes('/node_modules/undici-types/');
}

export function normalizePackage(name: string): string {
  return name.startsWith('node:') ? name.slice(5) : name;
}

/** Resolves import aliases to the declared symbol. */
export function resolveAlias(ts: TypeScript, checker: TS.TypeChecker, symbol: TS.Symbol): TS.Symbol {
  return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** The symbol a callee expression refers to (aliases resolved). */
export function calleeSymbol(ts: TypeScript, checker: TS.TypeChecker, callee: TS.Expression): TS.Symbol | undefined {
  let e = callee;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  const at = ts.isPropertyAccessExpression(e) ? e.name : e;
  const s = checker.getSymbolAtLocation(at);
  return s ? resolveAlias(ts, checker, s) : undefined;
}

/** Whether a symbol is declared in the given package (node builtins with or without `node:`). */
export function isDeclaredInPackage(ts: TypeScript, symbol: TS.Symbol | undefined, packages: readonly string[]): boolean {
  if (!symbol) return false;
  const wanted = packages.map(normalizePackage);
  return (symbol.getDeclarations() ?? []).some((d) => {
    const pkg = declarationPackage(ts, d);
    return pkg !== undefined && wanted.includes(pkg);
  });
}

/**
 * A name imported from one of the packages: by its import's specifier (`import asCallback from 'standard-as-callback'`,
 * also where a path mapping points the specifier at a local declaration file), else by the package of a declaration
 * file it resolves to.
 */
export function isImportedFrom(ts: TypeScript, checker: TS.TypeChecker, id: TS.Identifier, packages: ReadonlySet<string>): boolean {
  const imported = checker.getSymbolAtLocation(id)?.getDeclarations()?.[0];
  const from = imported && (ts.isImportClause(imported) ? imported.parent : ts.isImportSpecifier(imported) ? imported.parent.parent.parent : undefined);
  if (from && ts.isStringLiteral(from.moduleSpecifier)) return packages.has(from.moduleSpecifier.text);
  const s = checker.getSymbolAtLocation(id);
  const sym = s ? resolveAlias(ts, checker, s) : undefined;
  return (sym?.getDeclarations() ?? []).some((d) => d.getSourceFile().isDeclarationFile && packages.has(declarationPackage(ts, d) ?? ''));
}

/**
 * The declared type of the parameter an argument binds to, before any type
 * argument is substituted (so `Map<K, V>#set`'s value is `V`, not its
 * instantiation). Undefined when the parameter has no annotation.
 */
export function declaredParameterType(
  ts: TypeScript,
  checker: TS.TypeChecker,
  call: TS.CallExpression | TS.NewExpression,
  argIndex: number,
): TS.Type | undefined {
  const sig = checker.getResolvedSignature(call);
  const decl = sig?.getDeclaration();
  // Read the property, not `'parameters' in decl`: TypeScript 7's nodes have every property on every kind.
  const params = (decl as { parameters?: TS.NodeArray<TS.ParameterDeclaration> } | undefined)?.parameters;
  if (!params) return undefined;
  if (params.length === 0) return undefined;
  let param = params[argIndex];
  let rest = false;
  if (!param) {
    const last = params[params.length - 1]!;
    if (!last.dotDotDotToken) return undefined;
    param = last;
    rest = true;
  } else if (param.dotDotDotToken) rest = true;
  if (!param.type) return undefined;
  if (rest) {
    if (ts.isArrayTypeNode(param.type)) return checker.getTypeFromTypeNode(param.type.elementType);
    return undefined;
  }
  return checker.getTypeFromTypeNode(param.type);
}

/**
 * Whether a parameter of this declared type can be meant to receive a promise:
 * `any`, a type parameter, or a type with a promise-like part. `unknown`,
 * `object`, `{}` and concrete non-promise types cannot.
 */
export function acceptsPromise(ts: TypeScript, program: TS.Program, declared: TS.Type, at: TS.Node): boolean {
  if (declared.flags & (ts.TypeFlags.Any | ts.TypeFlags.TypeParameter | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Conditional)) return true;
  for (const part of unionParts(declared)) {
    if (part.flags & (ts.TypeFlags.Any | ts.TypeFlags.TypeParameter | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Conditional)) return true;
    if (isPromiseLikeType(ts, program, part, at)) return true;
    // A function parameter given a promise would not compile; anything generic-looking we cannot judge.
    if (part.getCallSignatures().length > 0) return true;
  }
  // An array of promises handed whole to a parameter that takes one (a reducer over `Promise<T>[]` that
  // Promise.all()s it): as for a single promise, the callee now owns them.
  return isPromiseArrayType(ts, program, declared, at);
}

/** Type flags that mean "depends on instantiation": a declared return type with these may become anything. */
function isOpenType(ts: TypeScript, type: TS.Type): boolean {
  const open = ts.TypeFlags.TypeParameter | ts.TypeFlags.IndexedAccess | ts.TypeFlags.Conditional | ts.TypeFlags.Substitution | ts.TypeFlags.Any;
  return unionParts(type).some((t) => (t.flags & open) !== 0 || (t.isIntersection() && t.types.some((x) => (x.flags & open) !== 0)));
}

/**
 * A cheap pre-filter before asking for the type of a call: could this call
 * return a promise, judging by its callee's declared signatures alone (no
 * overload resolution, no inference)? Errs towards true whenever the declared
 * return type depends on type arguments or the callee cannot be found.
 */
export function mayReturnPromise(ts: TypeScript, program: TS.Program, call: TS.CallExpression | TS.NewExpression): boolean {
  const checker = program.getTypeChecker();
  const sym = calleeSymbol(ts, checker, call.expression);
  const decls = sym?.getDeclarations();
  if (!sym || !decls || decls.length === 0) return true;
  if (ts.isNewExpression(call)) {
    if (!(sym.flags & ts.SymbolFlags.Class)) return true;
    const instance = checker.getDeclaredTypeOfSymbol(sym);
    return isOpenType(ts, instance) || isPromiseLikeType(ts, program, instance, call);
  }
  for (const decl of decls) {
    let signatures: readonly TS.Signature[];
    if (ts.isFunctionLike(decl)) {
      const sig = checker.getSignatureFromDeclaration(decl);
      signatures = sig ? [sig] : [];
    } else {
      signatures = checker.getTypeOfSymbolAtLocation(sym, call.expression).getCallSignatures();
    }
    if (signatures.length === 0) return true;
    for (const sig of signatures) {
      const ret = sig.getReturnType();
      if (isOpenType(ts, ret) || isPromiseLikeType(ts, program, ret, call)) return true;
    }
  }
  return false;
}

/**
 * Whether no instantiation of `type` (as declared: type parameters not yet
 * substituted) can be promise-like, or an array or tuple of promise-likes.
 * True for primitives, and for object types without a `then` member that are
 * not arrays of open element types: an instance of a generic class or
 * interface has the members of its declaration, whatever its type arguments.
 * False for anything that depends on instantiation (type parameters, `this`,
 * mapped, conditional and indexed access types), so it errs towards false.
 */
export function neverPromiseOrPromiseArray(ts: TypeScript, checker: TS.TypeChecker, type: TS.Type, depth = 0): boolean {
  if (depth > 8) return false;
  const F = ts.TypeFlags;
  const closed =
    F.Any | F.Unknown | F.Never | F.Void | F.Undefined | F.Null | F.StringLike | F.NumberLike | F.BigIntLike | F.BooleanLike | F.ESSymbolLike | F.NonPrimitive;
  if (type.flags & (F.TypeParameter | F.IndexedAccess | F.Conditional | F.Substitution | F.Index)) return false;
  if (type.isUnionOrIntersection()) return type.types.every((t) => neverPromiseOrPromiseArray(ts, checker, t, depth + 1));
  if (type.flags & closed) return true;
  if (!(type.flags & F.Object)) return false;
  const objectFlags = (type as TS.ObjectType).objectFlags;
  if (objectFlags & (ts.ObjectFlags.Mapped | ts.ObjectFlags.ReverseMapped)) return false;
  if (checker.isArrayType(type) || checker.isTupleType(type)) {
    return checker.getTypeArguments(type as TS.TypeReference).every((t) => neverPromiseOrPromiseArray(ts, checker, t, depth + 1));
  }
  if (objectFlags & ts.ObjectFlags.Reference) {
    const target = (type as TS.TypeReference).target;
    if (target && target !== type) return target.getProperty('then') === undefined;
  }
  return type.getProperty('then') === undefined;
}

/**
 * Whether every call signature of the callee's type returns a type that can
 * never be a promise or an array of promises (`neverPromiseOrPromiseArray`),
 * whichever signature the call resolves to and whatever its type arguments.
 * Asks only for the callee's type (narrowed and instantiated, as the call sees
 * it), never resolves the call: its arguments, often large callbacks, are not
 * checked. False whenever it cannot tell (no signatures, `any`).
 */
export function neverReturnsPromise(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression | TS.TaggedTemplateExpression): boolean {
  const signatures = calleeSignatures(checker, call);
  if (signatures.length === 0) return false;
  return signatures.every((sig) => neverPromiseOrPromiseArray(ts, checker, sig.getReturnType()));
}

/**
 * The call signatures a call or tagged template may resolve to, from its
 * callee's type alone (narrowed and instantiated as the call sees it).
 */
function calleeSignatures(checker: TS.TypeChecker, call: TS.CallExpression | TS.TaggedTemplateExpression): readonly TS.Signature[] {
  // Not `'tag' in call`: TypeScript 7's nodes have every property on every kind.
  const callee = (call as Partial<TS.TaggedTemplateExpression>).tag ?? (call as TS.CallExpression).expression;
  return checker.getTypeAtLocation(callee).getCallSignatures();
}

/**
 * For `yield* operand` in a (non-async) generator: whether the value the
 * delegation returns can never be a promise or an array of promises. For a
 * call, judged on the callee's declared return types (whatever type arguments
 * the call infers); otherwise on the operand's type. Avoids typing the yield
 * itself, which makes the checker infer the generator's contextual type (the
 * whole enclosing call).
 */
export function delegationNeverReturnsPromise(ts: TypeScript, checker: TS.TypeChecker, operand: TS.Expression): boolean {
  let iterables: TS.Type[];
  if (ts.isCallExpression(operand) || ts.isTaggedTemplateExpression(operand)) {
    const signatures = calleeSignatures(checker, operand);
    if (signatures.length === 0) return false;
    iterables = signatures.map((sig) => sig.getReturnType());
  } else if (ts.isIdentifier(operand) || ts.isPropertyAccessExpression(operand)) {
    iterables = [checker.getTypeAtLocation(operand)];
  } else return false;
  return iterables.every((iterable) => {
    const values = delegatedReturnValues(ts, checker, iterable);
    return values !== undefined && values.every((v) => neverPromiseOrPromiseArray(ts, checker, v));
  });
}

/**
 * Every type the delegation to `iterable` may return: the `value` of every
 * result of its iterator's next/return/throw (a superset of the return type the
 * checker computes). A part that is not iterable at all makes `yield*` an
 * error, typed `any`: it adds nothing. Undefined when unsure.
 */
function delegatedReturnValues(ts: TypeScript, checker: TS.TypeChecker, iterable: TS.Type): TS.Type[] | undefined {
  const F = ts.TypeFlags;
  const values: TS.Type[] = [];
  for (const part of unionParts(iterable)) {
    if (part.flags & (F.Any | F.Never)) continue;
    if (!(part.flags & F.Object) || (part as TS.ObjectType).objectFlags & (ts.ObjectFlags.Mapped | ts.ObjectFlags.ReverseMapped)) return undefined;
    const iteratorMethod = part.getProperties().find((p) => /^__@iterator@\d+$/.test(p.escapedName as string));
    if (!iteratorMethod) continue;
    const iteratorSignatures = checker.getTypeOfSymbol(iteratorMethod).getCallSignatures();
    if (iteratorSignatures.length === 0) return undefined;
    for (const iteratorSig of iteratorSignatures) {
      const iterator = iteratorSig.getReturnType();
      if (!(iterator.flags & F.Object)) return undefined;
      for (const name of ['next', 'return', 'throw']) {
        const method = iterator.getProperty(name);
        if (!method) {
          if (name === 'next') return undefined;
          continue;
        }
        const methodSignatures = checker.getNonNullableType(checker.getTypeOfSymbol(method)).getCallSignatures();
        if (methodSignatures.length === 0) return undefined;
        for (const methodSig of methodSignatures) {
          for (const result of unionParts(methodSig.getReturnType())) {
            const value = result.getProperty('value');
            if (!value) return undefined;
            values.push(checker.getTypeOfSymbol(value));
          }
        }
      }
    }
  }
  return values;
}

/**
 * The syntactic half of `mayTakeOpaqueParameter`, without resolving anything: false when the
 * callee is a member whose name no declaration with an opaque parameter at that position (nor any alias) has.
 * Resolving a member callee type-checks its object, which on generic-heavy code costs far more.
 */
export function calleeMayTakeOpaqueParameter(ts: TypeScript, program: TS.Program, call: TS.CallExpression | TS.NewExpression, argIndex: number): boolean {
  let callee: TS.Expression = call.expression;
  while (ts.isParenthesizedExpression(callee)) callee = callee.expression;
  if (!ts.isPropertyAccessExpression(callee)) return true;
  const names = opaqueNames(ts, program);
  const name = callee.name.text;
  if (names.aliases.has(name)) return true;
  const slots = names.declared.get(name);
  // The same positions `opaqueAt` looks at: the parameter at argIndex, or a rest parameter at or before it.
  return slots !== undefined && (slots.indices.has(argIndex) || slots.restFrom <= argIndex);
}

/**
 * Whether some declaration of the callee takes a parameter at `argIndex`
 * declared as `unknown`, `object`, `{}` or `Object`: judged on the type
 * annotation's syntax, without resolving the call.
 */
export function mayTakeOpaqueParameter(ts: TypeScript, checker: TS.TypeChecker, call: TS.CallExpression | TS.NewExpression, argIndex: number): boolean {
  const sym = calleeSymbol(ts, checker, call.expression);
  for (const decl of sym?.getDeclarations() ?? []) {
    const fn = ts.isVariableDeclaration(decl) && decl.initializer && ts.isFunctionLike(decl.initializer) ? decl.initializer : decl;
    if (!ts.isFunctionLike(fn)) {
      // A property or variable of function type: look at its annotation's signatures.
      const typeNode = (decl as { type?: TS.TypeNode }).type;
      if (typeNode && ts.isFunctionTypeNode(typeNode) && opaqueAt(ts, typeNode.parameters, argIndex)) return true;
      continue;
    }
    if (opaqueAt(ts, fn.parameters, argIndex)) return true;
  }
  return false;
}

function opaqueAt(ts: TypeScript, params: readonly TS.ParameterDeclaration[], argIndex: number): boolean {
  let param = params[argIndex];
  let typeNode: TS.TypeNode | undefined = param?.type;
  if (!param) {
    const last = params[params.length - 1];
    if (!last?.dotDotDotToken || !last.type || !ts.isArrayTypeNode(last.type)) return false;
    param = last;
    typeNode = last.type.elementType;
  } else if (param.dotDotDotToken) {
    typeNode = param.type && ts.isArrayTypeNode(param.type) ? param.type.elementType : undefined;
  }
  if (!typeNode) return false;
  return isOpaqueTypeNode(ts, typeNode);
}
