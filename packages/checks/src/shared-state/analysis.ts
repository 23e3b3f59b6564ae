/**
 * The per-function driver shared by lost-update and check-then-act: finds the
 * functions worth analysing (async functions with an await in their own body,
 * and coroutine generators with a yield: see coroutines.ts) in one walk of the
 * file and hands each one its flow, locator and critical sections.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { indexFile } from '../util/file-index.js';
import { coroutineRunner } from './coroutines.js';
import { FunctionFlow, MUTATORS } from './events.js';
import { accessRoot, Locator, unwrap } from './locations.js';
import { isAssignmentOperator } from '../util/syntax.js';
import { CriticalSections, type LockOptions } from './locks.js';

export interface AnalysedFunction {
  fn: TS.FunctionLikeDeclaration;
  flow: FunctionFlow;
  locks: CriticalSections;
}

export const lockOptionsSchema = {
  lockFunctions: {
    type: 'array',
    items: { type: 'string' },
    uniqueItems: true,
    description: 'Names of functions whose callback runs under a lock (in addition to runExclusive), e.g. "withLock".',
  },
  acquireMethods: {
    type: 'array',
    items: { type: 'string' },
    uniqueItems: true,
    description: 'Method names that acquire a lock when awaited (in addition to acquire), e.g. "lock".',
  },
} as const;

// One flow per function node and checker, shared by lost-update and check-then-act when both run
// on a file. (A language service may keep an unchanged SourceFile across programs, hence the checker key.)
const flows = new WeakMap<TS.TypeChecker, WeakMap<TS.Node, FunctionFlow>>();

function flowOf(ts: TypeScript, checker: TS.TypeChecker, fn: TS.FunctionLikeDeclaration): FunctionFlow {
  let byNode = flows.get(checker);
  if (!byNode) flows.set(checker, (byNode = new WeakMap()));
  let flow = byNode.get(fn);
  if (!flow) {
    flow = new FunctionFlow(ts, checker, new Locator(ts, checker, fn, writtenRoots.get(fn)), fn);
    byNode.set(fn, flow);
  }
  return flow;
}

export function forEachAsyncFunction(
  ts: TypeScript,
  checker: TS.TypeChecker,
  sourceFile: TS.SourceFile,
  options: LockOptions,
  visit: (f: AnalysedFunction) => void,
): void {
  // The shared file index lists every function-like with a body, in source (pre-)order.
  for (const n of indexFile(ts, sourceFile).functions) {
    if (worthAnalysing(ts, n)) visit({ fn: n, flow: flowOf(ts, checker, n), locks: new CriticalSections(ts, n, options) });
  }
}

const worth = new WeakMap<TS.Node, boolean>();
/** The names a function writes or mutates through (`this` for `this.x`): only reads under them can be stale. */
const writtenRoots = new WeakMap<TS.Node, ReadonlySet<string>>();

/**
 * The syntactic pre-filter, before any symbol is resolved: the function suspends (an await in an async
 * function, a yield in a coroutine generator) and writes or mutates something it does not declare
 * itself (`this.x`, an outer variable). Most generators of Effect code only write their own locals.
 * A name declared anywhere in the function counts as its own (a same-named outer variable written in
 * the same function is not looked for).
 */
function worthAnalysing(ts: TypeScript, fn: TS.FunctionLikeDeclaration): boolean {
  let known = worth.get(fn);
  if (known !== undefined) return known;
  known = false;
  const coroutine = !isAsync(ts, fn) && coroutineRunner(ts, fn) !== undefined;
  if (fn.body && (coroutine || isAsync(ts, fn))) {
    let suspends = false;
    const declared = new Set<string>();
    const written: string[] = [];
    let writesThis = false;
    const declare = (name: TS.BindingName | undefined): void => {
      if (!name) return;
      if (ts.isIdentifier(name)) declared.add(name.text);
      else for (const el of name.elements) if (ts.isBindingElement(el)) declare(el.name);
    };
    const writeTo = (target: TS.Expression): void => {
      const e = accessRoot(ts, target);
      if (e.kind === ts.SyntaxKind.ThisKeyword) writesThis = true;
      else if (ts.isIdentifier(e)) written.push(e.text);
    };
    for (const p of fn.parameters) declare(p.name);
    const SK = ts.SyntaxKind;
    // One switch on the kind per node: this walk covers every generator of Effect-style code.
    const walk = (n: TS.Node): void => {
      switch (n.kind) {
        case SK.FunctionDeclaration:
        case SK.ClassDeclaration: {
          const name = (n as TS.FunctionDeclaration | TS.ClassDeclaration).name;
          if (name) declared.add(name.text);
          return;
        }
        case SK.FunctionExpression:
        case SK.ArrowFunction:
        case SK.MethodDeclaration:
        case SK.GetAccessor:
        case SK.SetAccessor:
        case SK.Constructor:
        case SK.ClassExpression:
          return;
        case SK.AwaitExpression:
          suspends = true;
          break;
        case SK.YieldExpression:
          if (coroutine) suspends = true;
          break;
        case SK.ForOfStatement:
          if ((n as TS.ForOfStatement).awaitModifier) suspends = true;
          break;
        case SK.VariableDeclaration:
          declare((n as TS.VariableDeclaration).name);
          break;
        case SK.CatchClause:
          declare((n as TS.CatchClause).variableDeclaration?.name);
          break;
        case SK.BinaryExpression: {
          const b = n as TS.BinaryExpression;
          if (isAssignmentOperator(ts, b.operatorToken.kind)) writeTo(b.left);
          break;
        }
        case SK.PrefixUnaryExpression:
        case SK.PostfixUnaryExpression: {
          const u = n as TS.PrefixUnaryExpression | TS.PostfixUnaryExpression;
          if (u.operator === SK.PlusPlusToken || u.operator === SK.MinusMinusToken) writeTo(u.operand);
          break;
        }
        case SK.CallExpression: {
          const callee = unwrap(ts, (n as TS.CallExpression).expression);
          if (ts.isPropertyAccessExpression(callee)) {
            if (MUTATORS.has(callee.name.text)) writeTo(callee.expression);
          } else if (ts.isElementAccessExpression(callee) && ts.isStringLiteralLike(callee.argumentExpression) && MUTATORS.has(callee.argumentExpression.text)) {
            writeTo(callee.expression);
          }
          break;
        }
      }
      ts.forEachChild(n, walk);
    };
    ts.forEachChild(fn.body, walk);
    known = suspends && (writesThis || written.some((name) => !declared.has(name)));
    if (known) writtenRoots.set(fn, new Set(writesThis ? [...written, 'this'] : written));
  }
  worth.set(fn, known);
  return known;
}

function isAsync(ts: TypeScript, fn: TS.FunctionLikeDeclaration): boolean {
  return (ts.getModifiers(fn as TS.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}
