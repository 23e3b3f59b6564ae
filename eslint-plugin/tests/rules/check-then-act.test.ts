/**
 * The check-then-act ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/check-then-act/,
 * are in packages/checks/test/check-then-act.test.ts.
 */
import checkThenActRule from '../../src/rules/check-then-act.js';
import { createRuleTester } from '../rule-tester.js';
import { CHECK_THEN_ACT_GEN } from '@asyncsan/test-harness/effect-stand-ins';

const GEN = CHECK_THEN_ACT_GEN;

createRuleTester().run('check-then-act (ESLint rule)', checkThenActRule, {
  valid: [
    { code: GEN + 'export const f = gen(function* () {\n  let v: string | undefined;\n  if (!v) v = yield* load("x");\n  return v;\n});' },
    { code: 'const cache = new Map<string, Promise<number>>();\nexport function get(k: string, load: (k: string) => Promise<number>) {\n  if (!cache.has(k)) cache.set(k, load(k));\n  return cache.get(k)!;\n}' },
  ],
  invalid: [
    {
      code: GEN + 'let cached: string | undefined;\nexport const config = gen(function* () {\n  if (!cached) {\n    cached = yield* load("c");\n  }\n  return cached;\n});',
      errors: [{ messageId: 'staleCheck', line: GEN.split('\n').length + 3, column: 5 }],
    },
    {
      code: 'let cached: string | undefined;\nexport async function config(load: () => Promise<string>) {\n  if (!cached) {\n    cached = await load();\n  }\n  return cached;\n}',
      errors: [{ messageId: 'staleCheck', line: 4, column: 5, endLine: 4, endColumn: 26 }],
    },
  ],
});
