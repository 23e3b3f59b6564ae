/**
 * The leaked-timer ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/leaked-timer/,
 * are in packages/checks/test/leaked-timer.test.ts.
 */
import leakedTimerRule from '../../src/rules/leaked-timer.js';
import { createRuleTester } from '../rule-tester.js';

createRuleTester().run('leaked-timer (ESLint rule)', leakedTimerRule, {
  valid: [
    { code: 'export class P {\n  private t?: NodeJS.Timeout;\n  start() { this.t = setInterval(() => {}, 10); }\n  close() { clearInterval(this.t); }\n}' },
  ],
  invalid: [
    {
      code: 'export class P {\n  start() {\n    setInterval(() => {}, 10);\n  }\n  close() {}\n}',
      errors: [{ messageId: 'notStored', line: 3, column: 5, endLine: 3, endColumn: 30 }],
    },
  ],
});
