/**
 * "Can control pass from one point to a later one in the same function?" The
 * flow records events in one linear walk, so an await in one branch of an
 * `if` seems to come before an act in the other branch, and an await followed
 * by `return` seems to come before the code after the `if`. Neither runs
 * after the other. Only `return` and `throw` count as leaving: after `break`
 * or `continue` a loop may come round again.
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';

/** Whether `to` (later in the source) may run after `from` on some path. */
export function mayReach(ts: TypeScript, from: TS.Node, to: TS.Node): boolean {
  const ancestorsOfTo = new Set<TS.Node>();
  for (let p: TS.Node | undefined = to; p; p = p.parent) ancestorsOfTo.add(p);
  let child: TS.Node = from;
  let p = from.parent;
  while (p && !ancestorsOfTo.has(p)) {
    // Leaving a statement list whose rest (from this statement on) returns or throws.
    const list = statementsOf(ts, p);
    if (list && !inFinallyOf(ts, p, to)) {
      const i = list.indexOf(child as TS.Statement);
      if (i >= 0 && list.slice(i).some((s) => ts.isReturnStatement(s) || ts.isThrowStatement(s))) return false;
    }
    child = p;
    p = p.parent;
  }
  // The two sides of one `if`.
  if (p && ts.isIfStatement(p) && p.elseStatement) {
    const toBranch = within(to, p.elseStatement) ? p.elseStatement : within(to, p.thenStatement) ? p.thenStatement : undefined;
    if (toBranch && (child === p.thenStatement || child === p.elseStatement) && child !== toBranch) return false;
  }
  return true;
}

function statementsOf(ts: TypeScript, node: TS.Node): readonly TS.Statement[] | undefined {
  if (ts.isBlock(node) || ts.isSourceFile(node) || ts.isCaseClause(node) || ts.isDefaultClause(node)) return node.statements;
  return undefined;
}

/** `to` sits in the finally block of a try statement whose try or catch block is `block`: it runs anyway. */
function inFinallyOf(ts: TypeScript, block: TS.Node, to: TS.Node): boolean {
  for (let p: TS.Node | undefined = block; p; p = p.parent) {
    if (ts.isTryStatement(p) && p.finallyBlock && within(to, p.finallyBlock) && !within(block, p.finallyBlock)) return true;
  }
  return false;
}

function within(node: TS.Node, outer: TS.Node): boolean {
  return node.pos >= outer.pos && node.end <= outer.end;
}
