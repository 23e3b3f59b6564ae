import { describe, expect, it } from 'vitest';
import { floatingPromise } from '../src/floating-promise.js';
import { fixtureDiff } from './in-memory.js';

describe('floating-promise on fixtures/floating-promise (what the ESLint rule sees: one file and the types)', () => {
  it('reports exactly the markers meant for the lint engine', () => {
    const { files, diff } = fixtureDiff(floatingPromise);
    expect(files).toBeGreaterThan(8);
    expect(diff).toBe('');
  });
});
