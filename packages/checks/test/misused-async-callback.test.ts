import rule from '../../../eslint-plugin/src/rules/misused-async-callback.js';
import { createRuleTester } from './rule-tester.js';

const work = `async function work(): Promise<void> {}\n`;

createRuleTester().run('misused-async-callback', rule, {
  valid: [
    { code: `${work}[1, 2].forEach((n) => { void work(); });` },
    { code: `${work}async function f() { await Promise.all([1, 2].map(async () => work())); }` },
    { code: `${work}function retry(task: () => Promise<void>) { return task(); }\nretry(async () => work());` },
    { code: `${work}function later(cb: () => void | Promise<void>) {}\nlater(async () => work());` },
    { code: `${work}setTimeout(() => { work().catch(() => {}); }, 10);` },
    { code: `${work}interface Job { run(): Promise<void> }\nclass J implements Job { async run() { await work(); } }` },
    { code: `${work}[1].forEach(function (n) { console.log(n); });` },
    { code: `${work}async function* gen() { yield 1; }\n[1].forEach(gen);` },
  ],
  invalid: [
    {
      code: `${work}[1, 2].forEach(async (n) => {\n  await work();\n});`,
      errors: [{ messageId: 'voidCallback', data: { callee: 'forEach' }, line: 2, column: 16 }],
    },
    {
      code: `${work}setTimeout(() => work(), 10);`,
      errors: [{ messageId: 'voidCallback', data: { callee: 'setTimeout' }, line: 2, column: 12 }],
    },
    {
      code: `import { EventEmitter } from 'node:events';\n${work}const bus = new EventEmitter();\nbus.on('x', work);`,
      errors: [{ messageId: 'voidCallback', data: { callee: 'on' }, line: 4, column: 13 }],
    },
    {
      code: `${work}const p = new Promise<void>(async (resolve) => {\n  await work();\n  resolve();\n});`,
      errors: [{ messageId: 'asyncExecutor', line: 2, column: 29 }],
    },
    {
      code: `${work}interface Job { run(): void }\nclass Nightly implements Job {\n  async run() { await work(); }\n}`,
      errors: [{ messageId: 'voidMethod', data: { name: 'run', base: 'Job.run' }, line: 4, column: 9 }],
    },
    {
      code: `${work}interface Hooks { onClose(): void; onOpen?: () => void | Promise<void> }\nconst hooks: Hooks = {\n  onClose: async () => { await work(); },\n  onOpen: async () => { await work(); },\n};`,
      errors: [{ messageId: 'voidProperty', data: { name: 'onClose' }, line: 4, column: 12 }],
    },
    {
      code: `${work}abstract class Base { abstract stop(): void }\nclass Server extends Base {\n  async stop() { await work(); }\n}`,
      errors: [{ messageId: 'voidMethod', data: { name: 'stop', base: 'Base.stop' }, line: 4, column: 9 }],
    },
  ],
});
