/**
 * lost-update: shared state is read, the task awaits, and then writes a value
 * derived from the stale read (`this.balance = this.balance + await credit()`,
 * `const b = this.balance; await x; this.balance = b - 1`, `count += await f()`).
 * Not reported: locals no other task can see, state re-read after the await,
 * writes under a lock, writes that do not derive from a pre-await read.
 */
import { defineCheck } from './check.js';
import { forEachAsyncFunction, lockOptionsSchema } from './shared-state/analysis.js';
import type { AwaitEvent, ReadEvent } from './shared-state/events.js';

export interface LostUpdateOptions {
  lockFunctions: string[];
  acquireMethods: string[];
}

export const lostUpdate = defineCheck<LostUpdateOptions>({
  id: 'lost-update',
  messages: {
    staleWrite:
      '{{target}} is written from a value read before the await on line {{awaitLine}}: another task may change {{target}} while this one waits, and that update is lost. Read {{target}} after the await and compute and write it in one synchronous step, or hold a lock (mutex.runExclusive) over the read, the await and the write.',
    compoundAwait:
      '`{{target}} {{operator}} await …` reads {{target}} before the await and writes it after: updates made by other tasks while it waits are lost. Await first (`const v = await …; {{target}} {{operator}} v`), or hold a lock over the update.',
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
          const awaits = flow.awaitsBetween(read.order, write.order);
          if (awaits.length === 0) continue;
          // Save/restore (`const prev = this.state; this.state = 'busy'; await …; this.state = prev`):
          // the task wrote the location itself before waiting, so it is not a read-modify-write.
          if (flow.writesBetween(write.key, read.order, awaits[0]!.order)) continue;
          const lastAwait = awaits[awaits.length - 1]!;
          // Re-read after the last await (a re-check): the task saw the current value.
          // (A compound write's own read counts: `this.offset += rows.length` after the await adds to the current value.)
          if (flow.readsBetween(write.key, lastAwait.order, write.order)) continue;
          // A guard on the same object after the await (`if (this.version !== seen) throw …`): optimistic concurrency.
          if (flow.guardedAfter(rootOf(write.key), lastAwait.order, write)) continue;
          if (locks.holds(write.node, read.node)) continue;
          if (!stale || read.order < stale.read.order) stale = { read, await: awaits[0]! };
        }
        if (!stale) continue;
        const awaitLine = sourceFile.getLineAndCharacterOfPosition(stale.await.node.getStart(sourceFile)).line + 1;
        const node = write.node;
        const compound =
          ts.isBinaryExpression(node) &&
          node.operatorToken.kind !== ts.SyntaxKind.EqualsToken &&
          stale.read.node === write.target &&
          stale.await.node.pos >= node.right.pos;
        ctx.report({
          node,
          messageId: compound ? 'compoundAwait' : 'staleWrite',
          data: {
            target: write.text,
            awaitLine: String(awaitLine),
            ...(compound ? { operator: node.operatorToken.getText(sourceFile) } : {}),
          },
          related: [
            { label: 'read before the await', node: stale.read.node },
            { label: 'the await', node: stale.await.node },
          ],
        });
      }
    });
  },
});

/** The root of a location key: `this`, or a variable's id. */
function rootOf(key: string): string {
  const m = /^(this|#\d+)/.exec(key);
  return m ? m[1]! : key;
}
