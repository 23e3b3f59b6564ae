import { describe, expect, it } from 'vitest';
import { floatingPromise } from '../src/floating-promise.js';
import { fixtureDiff, runInMemory, runOnFixture } from './in-memory.js';

describe('floating-promise on fixtures/floating-promise (what the ESLint rule sees: one file and the types)', () => {
  it('reports exactly the markers meant for the lint engine', () => {
    const { files, diff } = fixtureDiff(floatingPromise);
    expect(files).toBeGreaterThan(8);
    expect(diff).toBe('');
  });

  it('with the strict options also reports what rejects only if a synchronous call throws (the strict: markers)', () => {
    expect(fixtureDiff(floatingPromise, { strict: true }).diff).toBe('');
    const lines = (options?: { checkSyncThrows: boolean }) => runOnFixture(floatingPromise, 'floating-promise/good-sync-throws-only.ts', options).map((r) => r.line);
    expect(lines()).toEqual([]);
    expect(lines({ checkSyncThrows: true })).toEqual([39, 40, 49]);
    expect(floatingPromise.strictOptions).toEqual({ checkSyncThrows: true });
  });

  it('a rejection handler that may be undefined handles nothing where it is undefined (nodejs-storage: `.then(f, callback)`)', () => {
    const results = runInMemory(
      floatingPromise,
      [
        'declare function list(): Promise<string[]>;',
        'export function makePublic(callback?: (err: Error | null, files?: string[]) => void): void {',
        '  list().then((files) => callback?.(null, files), callback);',
        '}',
      ].join('\n'),
    );
    expect(results.map((r) => `${r.messageId}@${r.line}`)).toEqual(['uselessHandler@3']);
    expect(floatingPromise.messages.uselessHandler).toMatch(/^The rejection handler given here may not be a function/);
  });

  it('reports the drops in test bodies and test helpers with checkTestBodies', () => {
    const at = (options?: { checkTestBodies: boolean }) =>
      runOnFixture(floatingPromise, 'floating-promise/good-dropped-in-test-body.test.ts', options).map((r) => `${r.messageId}@${r.line}`);
    expect(at()).toEqual([]);
    expect(at({ checkTestBodies: true })).toEqual(['floating@25', 'floating@30', 'floating@43', 'returnBeforeHandled@35']);
  });

  it('with checkTestBodies, still takes a waiter awaited later and a .then() on an awaited run as handled in tests', () => {
    const file = 'floating-promise/good-stored-waiter.test.ts';
    expect(runOnFixture(floatingPromise, file, { checkTestBodies: true })).toEqual([]);
    // The same file read as program code (the exemptions are for tests only) reports both shapes.
    expect(runOnFixture(floatingPromise, file, { checkTestBodies: true }, { asProgramCode: true }).map((r) => `${r.messageId}@${r.line}`)).toEqual([
      'floating@36',
      'awaitBeforeHandled@25',
    ]);
  });

  it("names a deferred's last exit before it is handled: more is armed there than at an early return", () => {
    const found = runOnFixture(floatingPromise, 'floating-promise/bad-locals.ts').filter((r) => r.line === 79);
    expect(found.map((r) => `${r.messageId}: ${r.message}`)).toEqual([
      "returnBeforeHandled: The promise stored in 'done' is not handled yet when the function returns at line 86: on that path its rejection would be unhandled.",
    ]);
  });
});
