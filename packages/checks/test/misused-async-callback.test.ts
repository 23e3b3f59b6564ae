import { describe, expect, it } from 'vitest';
import { misusedAsyncCallback } from '../src/misused-async-callback.js';
import { fixtureDiff, runInMemory, runOnFixture } from './in-memory.js';

// A promise whose body we cannot see: it may reject.
const work = `declare function work(): Promise<void>;\n`;

describe('misused-async-callback', () => {
  it('fits the fix to the API: a loop only for forEach', () => {
    const code = [
      work.trimEnd(),
      '[1].forEach(async () => { await work(); });',
      "process.on('message', async () => { await work(); });",
      'setTimeout(async () => { await work(); }, 1);',
      '',
    ].join('\n');
    const results = runInMemory(misusedAsyncCallback, code);
    expect(results.map((r) => [r.messageId, r.line])).toEqual([
      ['voidIteration', 2],
      ['voidListener', 3],
      ['voidCallback', 4],
    ]);
    expect(results[0]!.message).toContain('for…of');
    expect(results[0]!.hint).toContain('for…of');
    for (const r of results.slice(1)) {
      expect(r.message).not.toContain('for…of');
      expect(r.hint).not.toContain('for…of');
      expect(r.hint).toContain('try/catch');
    }
  });

  it('names what was passed: an async function, or a function that returns a promise, with a fix that fits it', () => {
    const code = [work.trimEnd(), 'setTimeout(async () => { await work(); }, 1);', "process.on('message', () => work());", 'setTimeout(() => work(), 1);', ''].join('\n');
    const results = runInMemory(misusedAsyncCallback, code);
    expect(results.map((r) => [r.messageId, r.line])).toEqual([
      ['voidCallback', 2],
      ['voidListener', 3],
      ['voidCallback', 4],
    ]);
    expect(results[0]!.message).toMatch(/^This async function is passed to 'setTimeout'.*\(try\/catch around its awaits\)/);
    expect(results[1]!.message).toMatch(/^This function returns a promise and is registered with 'on'.*\(\.catch\(\) on the promise it returns\)/);
    expect(results[2]!.message).toMatch(/^This function returns a promise and is passed to 'setTimeout'.*\(\.catch\(\) on the promise it returns\)/);
    expect(results[0]!.hint).toContain('try/catch');
    for (const r of results.slice(1)) expect(r.hint).toContain('.catch()');
  });

  it('reports exactly the markers of fixtures/misused-async-callback meant for the lint engine', () => {
    const { files, diff } = fixtureDiff(misusedAsyncCallback);
    expect(files).toBeGreaterThan(3);
    expect(diff).toBe('');
  });

  it('with the strict options also reports callbacks that reject only if a synchronous call throws; executors either way', () => {
    expect(fixtureDiff(misusedAsyncCallback, { strict: true }).diff).toBe('');
    const lines = (file: string, options?: { checkSyncThrows: boolean }) => runOnFixture(misusedAsyncCallback, `misused-async-callback/${file}`, options).map((r) => r.line);
    expect(lines('good-sync-throws-only.ts')).toEqual([]);
    expect(lines('good-sync-throws-only.ts', { checkSyncThrows: true })).toEqual([13, 20]);
    expect(lines('bad-executor-sync-throw.ts')).toEqual([6]);
  });

  it('reports the async callbacks of test bodies with checkTestBodies', () => {
    const at = (options?: { checkTestBodies: boolean }) =>
      runOnFixture(misusedAsyncCallback, 'misused-async-callback/good-test-listeners.test.ts', options).map((r) => `${r.messageId}@${r.line}`);
    expect(at()).toEqual([]);
    expect(at({ checkTestBodies: true })).toEqual(['voidListener@16', 'voidProperty@20']);
  });
});
