/**
 * The mutex-not-released ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/mutex-not-released/,
 * are in packages/checks/test/mutex-not-released.test.ts.
 */
import mutexNotReleasedRule from '../../src/rules/mutex-not-released.js';
import { createRuleTester } from '../rule-tester.js';

createRuleTester().run('mutex-not-released (ESLint rule)', mutexNotReleasedRule, {
  valid: [
    { code: "import { Mutex } from 'async-mutex';\nconst m = new Mutex();\nexport async function f(w: () => Promise<void>) {\n  const release = await m.acquire();\n  try { await w(); } finally { release(); }\n}" },
  ],
  invalid: [
    {
      code: "import { Mutex } from 'async-mutex';\nconst m = new Mutex();\nexport async function f(w: () => Promise<void>) {\n  const release = await m.acquire();\n  await w();\n  release();\n}",
      errors: [{ messageId: 'notInFinally', line: 4, column: 19, endLine: 4, endColumn: 36 }],
    },
  ],
});
