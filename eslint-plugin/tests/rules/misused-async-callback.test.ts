/**
 * The misused-async-callback ESLint rule through typescript-eslint's RuleTester (type-aware, on
 * tests/project). The check's own tests, on code strings and on fixtures/misused-async-callback/,
 * are in packages/checks/test/misused-async-callback.test.ts.
 */
import rule from '../../src/rules/misused-async-callback.js';
import { createRuleTester } from '../rule-tester.js';

// A promise whose body we cannot see: it may reject.
const work = `declare function work(): Promise<void>;\n`;
const emitter = `import { EventEmitter } from 'node:events';\n`;
const quiet = `async () => {\n  try { await work(); } catch (error) { console.error(error); }\n}`;

createRuleTester().run('misused-async-callback', rule, {
  valid: [
    { code: `${work}[1, 2].forEach((n) => { void work(); });` },
    // By default a listener that rejects only if a synchronous call throws (its catch's report()) is left out.
    { code: `${work}declare function report(e: unknown): void;\nprocess.on('message', async () => {\n  try { await work(); } catch (e) { report(e); }\n});` },
    { code: `${work}async function f() { await Promise.all([1, 2].map(async () => work())); }` },
    { code: `${work}function retry(task: () => Promise<void>) { return task(); }\nretry(async () => work());` },
    { code: `${work}function later(cb: () => void | Promise<void>) {}\nlater(async () => work());` },
    { code: `${work}setTimeout(() => { work().catch(() => {}); }, 10);` },
    { code: `${work}interface Job { run(): Promise<void> }\nclass J implements Job { async run() { await work(); } }` },
    { code: `${work}[1].forEach(function (n) { console.log(n); });` },
    { code: `${work}async function* gen() { yield 1; }\n[1].forEach(gen);` },
    // Callbacks whose promise cannot reject: no worse than synchronous ones.
    { code: `${work}process.on('SIGINT', ${quiet});` },
    { code: `${emitter}${work}const bus = new EventEmitter();\nbus.on('x', ${quiet});` },
    { code: `${work}declare function subscribe(listener: (focused: boolean) => void): () => void;\nsubscribe(async (focused) => { if (focused) console.log('focused'); });` },
    { code: `${work}[1, 2].forEach(async (n) => { console.log(n); });` },
    { code: `${work}async function stop(): Promise<void> { try { await work(); } catch { process.exitCode = 1; } }\nprocess.once('SIGTERM', stop);` },
    { code: `${work}interface Job { run(): void }\nclass J implements Job { async run() { try { await work(); } catch (e) { console.error(e); } } }` },
    { code: `${work}interface Hooks { onClose(): void }\nconst hooks: Hooks = { onClose: ${quiet} };` },
    { code: `${work}const p = new Promise<void>(async (resolve) => { console.log('start'); resolve(); });` },
    // A shutdown handler: it ends by exiting, so a rejection ends the exiting process either way.
    { code: `${work}process.on('SIGINT', async () => {\n  await work();\n  process.exit(0);\n});` },
    // A termination signal's handler that can reject and does not exit: the rejection ends the process, as the signal asked.
    { code: `${work}process.once('SIGTERM', async () => {\n  await work();\n  console.log('stopped');\n});` },
    { code: `${work}const stop = async () => { try { await work(); } finally { process.exit(0); } };\nprocess.on('SIGTERM', stop);\nprocess.on('beforeExit', async () => { await work(); process.exit(); });` },
    // An async executor without await: ESLint core's no-async-promise-executor reports it.
    { code: `declare function parse(text: string): number;\nconst n = new Promise<number>(async (resolve) => { resolve(parse('1')); });` },
  ],
  invalid: [
    {
      code: `${work}[1, 2].forEach(async (n) => {\n  await work();\n});`,
      errors: [{ messageId: 'voidIteration', data: { callee: 'forEach', fn: 'async function' }, line: 2, column: 16 }],
    },
    {
      code: `${work}setTimeout(() => work(), 10);`,
      errors: [{ messageId: 'voidCallback', data: { callee: 'setTimeout', fn: 'function returns a promise and', catch: '.catch() on the promise it returns' }, line: 2, column: 12 }],
    },
    {
      code: `import { EventEmitter } from 'node:events';\n${work}const bus = new EventEmitter();\nbus.on('x', work);`,
      errors: [{ messageId: 'voidListener', data: { callee: 'on', fn: 'function returns a promise and', catch: '.catch() on the promise it returns' }, line: 4, column: 13 }],
    },
    {
      // A crash handler is no shutdown handler: a rejection there re-enters it before the exit.
      code: `${work}process.on('uncaughtException', async () => {\n  await work();\n  process.exit(1);\n});`,
      errors: [{ messageId: 'voidListener', data: { callee: 'on', fn: 'async function', catch: 'try/catch around its awaits' }, line: 2, column: 33 }],
    },
    {
      // A 'beforeExit' handler that does not end by exiting: its awaits bring 'beforeExit' back.
      code: `${work}process.once('beforeExit', async () => {\n  await work();\n  console.log('stopped');\n});`,
      errors: [{ messageId: 'voidListener', data: { callee: 'once', fn: 'async function', catch: 'try/catch around its awaits' }, line: 2, column: 28 }],
    },
    {
      // The catch can throw (an unknown function): with checkSyncThrows (the strict config) the listener can still reject.
      code: `${work}declare function report(e: unknown): void;\nprocess.on('message', async () => {\n  try { await work(); } catch (e) { report(e); }\n});`,
      options: [{ checkSyncThrows: true }],
      errors: [{ messageId: 'voidListener', data: { callee: 'on', fn: 'async function', catch: 'try/catch around its awaits' }, line: 3, column: 23 }],
    },
    {
      code: `${work}declare function subscribe(listener: (focused: boolean) => void): () => void;\nsubscribe(async (focused) => {\n  if (focused) await work();\n});`,
      errors: [{ messageId: 'voidCallback', data: { callee: 'subscribe', fn: 'async function', catch: 'try/catch around its awaits' }, line: 3, column: 11 }],
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
