import { describe, expect, it } from 'vitest';
import { neverSettlingPromise } from '../src/never-settling-promise.js';
import { fixtureDiff, runOnFixture } from './in-memory.js';

describe('never-settling-promise on fixtures/never-settling-promise', () => {
  it('reports exactly the markers (deliberate never-settling executors included as good)', () => {
    const { files, diff } = fixtureDiff(neverSettlingPromise);
    expect(files).toBe(12);
    expect(diff).toBe('');
  });
});

describe('never-settling-promise in test files', () => {
  it('leaves a test file to the runtime side; the same text as program code is reported', () => {
    const file = 'never-settling-promise/good-in-test.test.ts';
    expect(runOnFixture(neverSettlingPromise, file)).toEqual([]);
    expect(runOnFixture(neverSettlingPromise, file, {}, { asProgramCode: true }).map((r) => `${r.messageId}@${r.line}`)).toEqual(['returnWithoutSettling@9']);
  });
});
