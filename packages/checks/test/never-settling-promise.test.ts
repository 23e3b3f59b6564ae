import { describe, expect, it } from 'vitest';
import { neverSettlingPromise } from '../src/never-settling-promise.js';
import { fixtureDiff } from './in-memory.js';

describe('never-settling-promise on fixtures/never-settling-promise', () => {
  it('reports exactly the markers (deliberate never-settling executors included as good)', () => {
    const { files, diff } = fixtureDiff(neverSettlingPromise);
    expect(files).toBe(3);
    expect(diff).toBe('');
  });
});
