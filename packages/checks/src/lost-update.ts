/**
 * lost-update: shared state is read, the task awaits, and then writes a value
 * derived from the stale read (`this.balance = this.balance + await credit()`,
 * `const b = this.balance; await x; this.balance = b - 1`, `count += await f()`).
 * In a coroutine generator (`Effect.gen(function* …)`) a `yield*` is the
 * await: the fiber may be suspended there while others run.
 * Not reported: locals no other task can see (a generator's own locals
 * belong to one run), state re-read after the await, writes under a lock,
 * writes that do not derive from a pre-await read.
 */
import type * as TS from 'typescript';
import { defineCheck, type TypeScript } from './check.js';
import { forEachAsyncFunction, lockOptionsSchema } from './shared-state/analysis.js';
import { writesImportedModule } from './shared-state/module-load.js';
import { suspensionWord } from './shared-state/coroutines.js';
import type { AwaitEvent, ReadEvent } from './shared-state/events.js';
import { unwrap } from './shared-state/locations.js';
import { mayReach } from './shared-state/reach.js';

export interface LostUpdateOptions {
  lockFunctions: string[];
  acquireMethods: string[];
}

export const lostUpdate = defineCheck<LostUpdateOptions>({
  id: 'lost-update',
  messages: {
    staleWrite:
      '{{target}} is written from a value read before the {{wait}} on line {{awaitLine}}: another task may change {{target}} while this one waits, and that update is lost. Read {{target}} after the {{wait}} and compute and write it in one synchronous step, or hold a lock ({{lock}}) over the read, the {{wait}} and the write.',
    compoundAwait:
      '`{{target}} {{operator}} {{wait}} …` reads {{target}} before the {{wait}} and writes it after: updates made by other tasks while it waits are lost. Wait first (`const v = {{wait}} …; {{target}} {{operator}} v`), or hold a lock over the update.',
    logicalAwait:
      '`{{target}} {{operator}} {{wait}} …` checks {{target}} before the {{wait}} and writes it after: tasks that all find it unset each run the call, and the last write replaces what the others got (a second connection or lease nobody releases). Share one run: keep the pending promise rather than its value (`pending {{operator}} call(); value = {{wait}} pending`), or hold a lock over the check and the write. Waiting first (`const v = {{wait}} …; {{target}} {{operator}} v`) still leaves each extra result unreleased.',
  },
  schema: {
    type: 'object',
    properties: lockOptionsSchema,
    additionalProperties: false,
  },
  defaultOptions: { lockFunctions: [], acquireMethods: [] },
  run(ctx) {
    const { ts, checker, sourceFile, options } = ctx;
    forEachAsyncFunction(ts, checker, sourceFile, options, ({ flow, locks }) => {
      for (const write of flow.events) {
        if (write.kind !== 'write') continue;
        let stale: { read: ReadEvent; await: AwaitEvent } | undefined;
        for (const read of write.deps) {
          if (read.key !== write.key) continue;
          const awaits = flow
            .awaitsBetween(read.order, write.order)
            .filter((a) => mayReach(ts, read.node, a.node) && mayReach(ts, a.node, write.node));
          if (awaits.length === 0) continue;
          // Save/restore (`const prev = this.state; this.state = 'busy'; await …; this.state = prev`):
          // the task wrote the location itself before waiting, so it is not a read-modify-write.
          if (flow.writesBetween(write.key, read.order, awaits[0]!.order)) continue;
          // A plain restore of the saved value (`state.remaining = saved` after a call that spent it
          // through an alias): nothing is computed from the stale read.
          if (isRestore(ts, checker, write.node, read)) continue;
          // `this.store = await this.store`: the resolution of the very value read, the same for every task.
          if (isResolvedInPlace(ts, write.node, read)) continue;
          const lastAwait = awaits[awaits.length - 1]!;
          // Re-read after the last await (a re-check): the task saw the current value.
          // (A compound write's own read counts: `this.offset += rows.length` after the await adds to the current value.)
          if (flow.readsBetween(write.key, lastAwait.order, write.order)) continue;
          // A guard on the same object after the await (`if (this.version !== seen) throw …`): optimistic concurrency.
          if (flow.guardedAfter(rootOf(write.key), lastAwait.order, write)) continue;
          if (locks.holds(write.node, read.node)) continue;
          if (writesImportedModule(ts, checker, write.node, awaits.map((a) => a.node))) continue;
          if (!stale || read.order < stale.read.order) stale = { read, await: awaits[0]! };
        }
        if (!stale) continue;
        const wait = suspensionWord(ts, stale.await.node);
        const node = write.node;
        if (isLogicalWrite(ts, node)) {
          // `this.info ??= await (this.pending ??= fetchInfo())`: every task awaits the one shared run, so each writes
          // the same result (the fix the logicalAwait message gives; telegraf's botInfo).
          if (awaitsOneSharedRun(ts, node, stale.await.node)) continue;
          // `this.botInfo ??= await getMe()` of plain data: the racers' extra results are copies nobody must release,
          // the cost is a duplicate call (the logicalAwait message is about connections and leases).
          if (wait === 'await' && !holdsResource(ts, checker, node.left) && !acquires(ts, stale.await.node)) continue;
        }
        const awaitLine = sourceFile.getLineAndCharacterOfPosition(stale.await.node.getStart(sourceFile)).line + 1;
        const compound =
          ts.isBinaryExpression(node) &&
          node.operatorToken.kind !== ts.SyntaxKind.EqualsToken &&
          stale.read.node === write.target &&
          stale.await.node.pos >= node.right.pos;
        ctx.report({
          node,
          // `x ??= await f()` (also `||=`, `&&=`): a check and a write around the await, whose extra results are lost
          // (Effect code keeps its own wording: a semaphore or a cached effect, not a pending promise).
          messageId: compound ? (wait === 'await' && isLogical(ts, node.operatorToken.kind) ? 'logicalAwait' : 'compoundAwait') : 'staleWrite',
          data: {
            target: write.text,
            awaitLine: String(awaitLine),
            wait,
            ...(compound
              ? { operator: node.operatorToken.getText(sourceFile) }
              : { lock: wait === 'await' ? 'mutex.runExclusive' : 'a semaphore permit around the whole effect' }),
          },
          related: [
            { label: `read before the ${wait}`, node: stale.read.node },
            { label: `the ${wait}`, node: stale.await.node },
          ],
        });
      }
    });
  },
});

/** `x = saved` where `const saved = <x>` copied the location as it was read. */
function isRestore(ts: TypeScript, checker: TS.TypeChecker, node: TS.Expression, read: ReadEvent): boolean {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const value = unwrap(ts, node.right);
  if (!ts.isIdentifier(value)) return false;
  const decl = checker.getSymbolAtLocation(value)?.valueDeclaration;
  if (!decl || !ts.isVariableDeclaration(decl) || !decl.initializer || !(decl.parent.flags & ts.NodeFlags.Const)) return false;
  return unwrap(ts, decl.initializer) === read.node;
}

/** `x = await x`: a pending value kept in a location, replaced by what it resolves to. */
function isResolvedInPlace(ts: TypeScript, node: TS.Expression, read: ReadEvent): boolean {
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
  const value = unwrap(ts, node.right);
  return ts.isAwaitExpression(value) && unwrap(ts, value.expression) === read.node;
}

/** The root of a location key: `this`, or a variable's id. */
function rootOf(key: string): string {
  const m = /^(this|#\d+)/.exec(key);
  return m ? m[1]! : key;
}

function isLogical(ts: TypeScript, kind: TS.SyntaxKind): boolean {
  return kind === ts.SyntaxKind.QuestionQuestionEqualsToken || kind === ts.SyntaxKind.BarBarEqualsToken || kind === ts.SyntaxKind.AmpersandAmpersandEqualsToken;
}

function isLogicalWrite(ts: TypeScript, node: TS.Node): node is TS.BinaryExpression {
  return ts.isBinaryExpression(node) && isLogical(ts, node.operatorToken.kind);
}

/**
 * Each await between the check and the write waits for a promise kept in shared state and made at most once:
 * `await (this.pending ??= call())`, or `await this.pending` after `this.pending ??= call()` in the same function.
 */
function awaitsOneSharedRun(ts: TypeScript, write: TS.BinaryExpression, first: TS.Node): boolean {
  const awaits: TS.AwaitExpression[] = [];
  const visit = (n: TS.Node): void => {
    if (ts.isAwaitExpression(n)) awaits.push(n);
    if (!ts.isFunctionLike(n)) ts.forEachChild(n, visit);
  };
  visit(write.right);
  if (awaits.length === 0 || !awaits.includes(first as TS.AwaitExpression)) return false;
  return awaits.every((a) => {
    const operand = unwrap(ts, a.expression);
    if (isLogicalWrite(ts, operand)) return isShared(ts, operand.left);
    if (!isShared(ts, operand)) return false;
    const text = operand.getText();
    // `this.pending ??= call();` as a statement before the write, in the same block.
    const stmt = write.parent;
    if (!ts.isExpressionStatement(stmt) || !ts.isBlock(stmt.parent)) return false;
    const before = stmt.parent.statements.slice(0, stmt.parent.statements.indexOf(stmt));
    return before.some((b) => {
      const e = ts.isExpressionStatement(b) ? unwrap(ts, b.expression) : undefined;
      return e !== undefined && isLogicalWrite(ts, e) && unwrap(ts, e.left).getText() === text;
    });
  });
}

/** A property of an object (`this.pending`, `state.pending`): a place other tasks read too. */
function isShared(ts: TypeScript, e: TS.Expression): boolean {
  const x = unwrap(ts, e);
  return ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x);
}

/** Methods that release what a value holds: a value with one is a connection, lease, handle or subscription. */
const RELEASE_METHODS = ['close', 'release', 'destroy', 'end', 'disconnect', 'dispose', 'quit', 'terminate', 'kill', 'abort', 'unsubscribe', 'stop', 'shutdown'];

/** Calls whose result is held until handed back, whatever its type (node-redis' `getClientLease()` returns `{ id }`). */
const ACQUIRING_CALL = /acquire|lease|lock|connect|open|checkout|borrow|reserve|allocate|spawn|subscribe|listen/i;

/** `await x.getClientLease()`: the awaited call's name says it acquires something. */
function acquires(ts: TypeScript, awaitNode: TS.Node): boolean {
  if (!ts.isAwaitExpression(awaitNode)) return true;
  const call = unwrap(ts, awaitNode.expression);
  if (!ts.isCallExpression(call)) return false;
  const callee = unwrap(ts, call.expression);
  const name = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  return name === undefined || ACQUIRING_CALL.test(name);
}

/** Whether a value of the location's type may hold something to release (any or unknown: may). */
function holdsResource(ts: TypeScript, checker: TS.TypeChecker, location: TS.Expression): boolean {
  const type = checker.getNonNullableType(checker.getTypeAtLocation(location));
  const parts = type.isUnion() ? type.types : [type];
  return parts.some((t) => {
    if (t.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown | ts.TypeFlags.TypeParameter | ts.TypeFlags.NonPrimitive)) return true;
    if (!(t.flags & ts.TypeFlags.Object)) return false;
    const names = checker.getPropertiesOfType(checker.getApparentType(t)).map((p) => p.getName());
    return names.some((n) => RELEASE_METHODS.includes(n) || n.startsWith('__@dispose') || n.startsWith('__@asyncDispose'));
  });
}
