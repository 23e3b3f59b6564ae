/**
 * The AbortSignal an object keeps for its work, as one of its methods reads it: a field that is the
 * signal (`this.signal`, `this.#signal`) or an options bag holding one (ky's `this._options.signal`).
 * Only the class's own instance fields count (declared properties and constructor parameter
 * properties); the method's parameters come first (the caller's signal is the one to honour).
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { hasModifier } from './syntax.js';
import { isAbortSignalType, signalOptionOf } from './types.js';

export interface FieldSignal {
  /** How the method reads it: `this.signal`, `this._options.signal`, `this.#opts?.signal`. */
  text: string;
  /** The field's name as written (`_options`, `#signal`). */
  field: string;
}

/** The instance method, accessor or arrow-valued field of a class that `node` is inside, and that class. */
function enclosingMember(ts: TypeScript, node: TS.Node): { member: TS.ClassElement; cls: TS.ClassLikeDeclaration } | undefined {
  let inner: TS.Node = node;
  for (let p = node.parent; p; p = p.parent) {
    if (ts.isClassDeclaration(p) || ts.isClassExpression(p)) {
      const member = inner as TS.ClassElement;
      const own = ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member) || ts.isSetAccessorDeclaration(member) || ts.isPropertyDeclaration(member);
      // Static members see the class, not an instance; a constructor runs before the object has work to cancel.
      if (!own || hasModifier(ts, member, ts.SyntaxKind.StaticKeyword)) return undefined;
      return { member, cls: p };
    }
    // A nested function declaration or a class expression's own `this` is not the method's object.
    if (ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p)) return undefined;
    inner = p;
  }
  return undefined;
}

export function fieldSignalOf(ts: TypeScript, checker: TS.TypeChecker, node: TS.Node): FieldSignal | undefined {
  const at = enclosingMember(ts, node);
  if (!at) return undefined;
  const fields: (TS.Identifier | TS.PrivateIdentifier)[] = [];
  for (const m of at.cls.members) {
    if (ts.isPropertyDeclaration(m) && !hasModifier(ts, m, ts.SyntaxKind.StaticKeyword) && (ts.isIdentifier(m.name) || ts.isPrivateIdentifier(m.name))) fields.push(m.name);
    if (ts.isConstructorDeclaration(m)) {
      for (const p of m.parameters) {
        if (ts.isIdentifier(p.name) && ts.isParameterPropertyDeclaration(p, m)) fields.push(p.name);
      }
    }
  }
  let option: FieldSignal | undefined;
  for (const name of fields) {
    const type = checker.getTypeAtLocation(name);
    if (isAbortSignalType(checker, type)) return { text: `this.${name.text}`, field: name.text };
    const slot = option ? undefined : signalOptionOf(checker, type, name, ts);
    if (slot) option = { text: `this.${name.text}${checker.getNonNullableType(type) !== type ? '?' : ''}.${slot}`, field: name.text };
  }
  return option;
}
