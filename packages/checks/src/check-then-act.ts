/**
 * check-then-act: a condition on shared state is checked, the task awaits
 * inside the guarded code, then acts as if the condition still held
 * (`if (!cache.has(k)) { const v = await load(k); cache.set(k, v) }`).
 * In a coroutine generator (`Effect.gen(function* …)`) a `yield*` is the
 * await. Not reported: the re-check idiom, a claim made before the first await
 * (caching the promise, `this.state = 'loading'`), state under a lock,
 * locals no other task can see.
 */
import type * as TS from 'typescript';
import { defineCheck } from './check.js';
import type { TypeScript } from './check.js';
import { forEachAsyncFunction, lockOptionsSchema } from './shared-state/analysis.js';
import { suspensionWord } from './shared-state/coroutines.js';
import { mayReach } from './shared-state/reach.js';
import { type ActEvent, exits, type WriteEvent } from './shared-state/events.js';
import { unwrap } from './shared-state/locations.js';

export interface CheckThenActOptions {
  lockFunctions: string[];
  acquireMethods: string[];
}

export const checkThenAct = defineCheck<CheckThenActOptions>({
  id: 'check-then-act',
  messages: {
    staleCheck:
      '{{target}} is checked on line {{checkLine}}, then the task {{waits}} (line {{awaitLine}}) and acts on {{target}} as if the check still held: concurrent callers all pass the check before any of them acts (duplicate loads, double inserts). {{fix}}',
  },
  schema: {
    type: 'object',
    properties: lockOptionsSchema,
    additionalProperties: false,
  },
  defaultOptions: { lockFunctions: [], acquireMethods: [] },
  run(ctx) {
    const { ts, checker, sourceFile, options } = ctx;
    const line = (n: TS.Node) => String(sourceFile.getLineAndCharacterOfPosition(n.getStart(sourceFile)).line + 1);
    forEachAsyncFunction(ts, checker, sourceFile, options, ({ flow, locks }) => {
      const reported = new Set<TS.Node>();
      for (const cond of flow.conditions) {
        const keys = new Set([...cond.deps].map((r) => r.key));
        if (keys.size === 0) continue;
        const regions = guardedRegions(ts, cond.statement);
        for (let i = cond.endOrder; i < flow.events.length; i++) {
          const act = flow.events[i]!;
          if ((act.kind !== 'write' && act.kind !== 'act') || !keys.has(act.key) || reported.has(act.node)) continue;
          if (!regions.some((r) => within(act.node, r))) continue;
          if (isRelease(ts, act)) continue;
          const awaits = flow
            .awaitsBetween(cond.endOrder - 1, act.order)
            .filter((a) => (within(a.node, cond.statement) || regions.some((r) => within(a.node, r))) && mayReach(ts, a.node, act.node));
          if (awaits.length === 0) continue;
          // Single flight (`promise ??= load(); value = await promise`): concurrent callers share one load.
          if (awaits.some((a) => a.sharedOperand)) continue;
          const first = awaits[0]!;
          const last = awaits[awaits.length - 1]!;
          // Claimed before waiting (`cache.set(k, load(k))`, `this.state = 'loading'`, or a guard flag the check
          // reads: `if (this.closing) return; this.closing = true; await …`): check and act were atomic.
          if ([...keys].some((k) => flow.writesBetween(k, cond.endOrder - 1, first.order))) continue;
          // Re-checked after the await: the act rests on a fresh check. The read of an arithmetic compound
          // (`this.balance -= amount`) decides nothing; that of `x ??= v` (also `||=`, `&&=`) is the re-check.
          const ownRead = act.kind === 'write' && !isLogicalAssignment(ts, act.node) ? act.target : undefined;
          if (flow.readsBetween(act.key, last.order, act.order, ownRead)) continue;
          if (locks.holds(act.node, cond.statement)) continue;
          reported.add(act.node);
          const target = act.text;
          ctx.report({
            node: act.node,
            messageId: 'staleCheck',
            data: { target, checkLine: line(cond.statement.expression), awaitLine: line(first.node), ...wording(suspensionWord(ts, first.node), target) },
            related: [
              { label: 'checked here', node: cond.statement.expression },
              { label: `the ${suspensionWord(ts, first.node)}`, node: first.node },
            ],
          });
        }
      }
    });
  },
});

/** The words for an `await` in an async function, or a `yield*` in a coroutine generator. */
function wording(wait: string, target: string): { waits: string; fix: string } {
  if (wait === 'await') {
    return {
      waits: 'awaits',
      fix: `Cache the promise instead of the value before awaiting, re-check ${target} after the await, or take a lock around the check and the act.`,
    };
  }
  return {
    waits: `suspends at ${wait}`,
    fix: `Share one run instead of the value (a cached or memoised effect, a Deferred stored before the ${wait}), re-check ${target} after the ${wait}, or hold a semaphore permit around the check and the act.`,
  };
}

/** The code that runs only when the check passed: both branches, and what follows an early exit. */
function guardedRegions(ts: TypeScript, stmt: TS.IfStatement): TS.Node[] {
  const regions: TS.Node[] = [stmt.thenStatement];
  if (stmt.elseStatement) regions.push(stmt.elseStatement);
  const parent = stmt.parent;
  if ((ts.isBlock(parent) || ts.isSourceFile(parent)) && exits(ts, stmt.thenStatement)) {
    const rest = parent.statements.slice(parent.statements.indexOf(stmt) + 1);
    regions.push(...rest);
  }
  return regions;
}

/** Removing or resetting (`map.delete(k)`, `this.timer = undefined`, `this.running = false`) does not assume the check held. */
function isRelease(ts: TypeScript, act: WriteEvent | ActEvent): boolean {
  if (act.kind === 'act') {
    const callee = unwrap(ts, act.node.expression);
    const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
    return name === 'delete' || name === 'clear';
  }
  const node = act.node;
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const value = unwrap(ts, node.right);
  return (
    value.kind === ts.SyntaxKind.NullKeyword ||
    value.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(value) && value.text === 'undefined') ||
    (ts.isNumericLiteral(value) && value.text === '0')
  );
}

function isLogicalAssignment(ts: TypeScript, node: TS.Node): boolean {
  if (!ts.isBinaryExpression(node)) return false;
  const op = node.operatorToken.kind;
  return op === ts.SyntaxKind.QuestionQuestionEqualsToken || op === ts.SyntaxKind.BarBarEqualsToken || op === ts.SyntaxKind.AmpersandAmpersandEqualsToken;
}

function within(node: TS.Node, region: TS.Node): boolean {
  return node.pos >= region.pos && node.end <= region.end;
}
