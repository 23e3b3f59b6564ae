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

  it('reports exactly the markers of fixtures/misused-async-callback meant for the lint engine', () => {
    const { files, diff } = fixtureDiff(misusedAsyncCallback);
    expect(files).toBeGreaterThan(3);
    expect(diff).toBe('');
  });

  it('reports the async callbacks of test bodies with checkTestBodies', () => {
    const at = (options?: { checkTestBodies: boolean }) =>
      runOnFixture(misusedAsyncCallback, 'misused-async-callback/good-test-listeners.test.ts', options).map((r) => `${r.messageId}@${r.line}`);
    expect(at()).toEqual([]);
    expect(at({ checkTestBodies: true })).toEqual(['voidListener@16', 'voidProperty@20']);
  });
});
