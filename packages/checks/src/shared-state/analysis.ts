/**
 * The per-function driver shared by lost-update and check-then-act: finds the
 * functions worth analysing (those with an await in their own body) in one
 * walk of the file and hands each one its flow, locator and critical sections.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { indexFile } from '../util/file-index.js';
import { containsAwait, FunctionFlow } from './events.js';
import { Locator } from './locations.js';
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
    flow = new FunctionFlow(ts, checker, new Locator(ts, checker, fn), fn);
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
    if (isAsync(ts, n) && containsAwait(ts, n)) {
      visit({ fn: n, flow: flowOf(ts, checker, n), locks: new CriticalSections(ts, n, options) });
    }
  }
}

function isAsync(ts: TypeScript, fn: TS.FunctionLikeDeclaration): boolean {
  return (ts.getModifiers(fn as TS.HasModifiers) ?? []).some((m) => m.kind === ts.SyntaxKind.AsyncKeyword);
}
