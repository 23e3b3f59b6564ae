/**
 * The lost-update ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/lost-update/,
 * are in packages/checks/test/lost-update.test.ts.
 */
import lostUpdateRule from '../../src/rules/lost-update.js';
import { createRuleTester } from '../rule-tester.js';
import { LOST_UPDATE_GEN } from '@asyncsan/test-harness/effect-stand-ins';

const GEN = LOST_UPDATE_GEN;

createRuleTester().run('lost-update (ESLint rule)', lostUpdateRule, {
  valid: [
    // Every task awaits the one pending run kept in a property: each writes the same result.
    { code: 'export class Bot {\n  private info?: string;\n  private infoCall?: Promise<string>;\n  constructor(private readonly get: () => Promise<string>) {}\n  async name() {\n    this.info ??= await (this.infoCall ??= this.get());\n    return this.info;\n  }\n}' },
    { code: GEN + 'export const f = gen(function* () {\n  let n = 0;\n  n = n + (yield* load("x"));\n  return n;\n});' },
    { code: 'export async function f(get: () => Promise<number>) {\n  let n = 0;\n  n = n + (await get());\n  return n;\n}' },
    {
      code: 'declare function withLock(f: () => Promise<void>): Promise<void>;\nlet hits = 0;\nexport async function hit(f: () => Promise<number>) {\n  await withLock(async () => { hits = hits + (await f()); });\n}',
      options: [{ lockFunctions: ['withLock'] }],
    },
  ],
  invalid: [
    {
      code: GEN + 'let count = 0;\nexport const tally = gen(function* () {\n  const c = count;\n  yield* sleep(1);\n  count = c + 1;\n});',
      errors: [{ messageId: 'staleWrite', line: GEN.split('\n').length + 4, column: 3, data: { target: 'count', awaitLine: String(GEN.split('\n').length + 3), wait: 'yield*', lock: 'a semaphore permit around the whole effect' } }],
    },
    {
      code: 'let count = 0;\nexport async function tally(f: () => Promise<number>) {\n  count += await f();\n}',
      errors: [{ messageId: 'compoundAwait', line: 3, column: 3, endLine: 3, endColumn: 21 }],
    },
    {
      code: 'export class Account {\n  balance = 0;\n  async pay(amount: number, audit: () => Promise<void>) {\n    const before = this.balance;\n    await audit();\n    this.balance = before - amount;\n  }\n}',
      errors: [{ messageId: 'staleWrite', line: 6, column: 5 }],
    },
  ],
});
