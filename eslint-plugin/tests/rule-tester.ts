/**
 * A typescript-eslint RuleTester wired to Vitest, parsing cases with type
 * information from tests/project/tsconfig.json. Shared by the rule tests in
 * tests/rules/<id>.test.ts (one per rule, named after its hazard id).
 */
import path from 'node:path';
import { RuleTester, type RunTests } from '@typescript-eslint/rule-tester';
import { afterAll, describe, it } from 'vitest';
import type { AsyncsanRule } from '../src/create-rule.js';

RuleTester.afterAll = afterAll;
RuleTester.describe = describe;
RuleTester.it = it;
RuleTester.itOnly = it.only;

export const projectDir = path.join(import.meta.dirname, 'project');

type Options = [Record<string, unknown>?];
type TesterRule = Parameters<RuleTester['run']>[1];

export interface AsyncsanRuleTester {
  run(name: string, rule: AsyncsanRule, tests: RunTests<string, Options>): void;
}

export function createRuleTester(): AsyncsanRuleTester {
  const tester = new RuleTester({
    languageOptions: {
      parserOptions: { project: './tsconfig.json', tsconfigRootDir: projectDir },
    },
    defaultFilenames: { ts: 'file.ts', tsx: 'file.tsx' },
  });
  return {
    // The plugin may resolve its own copy of @typescript-eslint/utils, whose rule
    // types are structurally the same but nominally distinct from the tester's.
    run: (name, rule, tests) => tester.run(name, rule as unknown as TesterRule, tests as never),
  };
}
