/**
 * The leaked-listener patch defines globalThis.AbortController the way Node does
 * (non-enumerable, configurable) and puts Node's own descriptor back on stop();
 * the prototype methods it wraps keep their descriptors.
 */
import { describe, expect, it } from 'vitest';
import { createTracer } from '@asyncsan/tracer';
import { repoRoot } from '@asyncsan/test-harness/expectations';

describe('listener patch descriptors', () => {
  it('AbortController: same attributes while patched, the original descriptor after stop()', async () => {
    const before = Object.getOwnPropertyDescriptor(globalThis, 'AbortController')!;
    const addBefore = Object.getOwnPropertyDescriptor(EventTarget.prototype, 'addEventListener')!;
    const timeoutBefore = Object.getOwnPropertyDescriptor(AbortSignal, 'timeout')!;
    const tracer = createTracer({ cwd: repoRoot });
    try {
      const patched = Object.getOwnPropertyDescriptor(globalThis, 'AbortController')!;
      expect(patched.enumerable).toBe(false);
      expect(patched.configurable).toBe(true);
      expect(Object.keys(globalThis)).not.toContain('AbortController');
      expect(globalThis.AbortController.name).toBe('AbortController');
      const { enumerable, configurable, writable } = Object.getOwnPropertyDescriptor(EventTarget.prototype, 'addEventListener')!;
      expect({ enumerable, configurable, writable }).toEqual({ enumerable: addBefore.enumerable, configurable: addBefore.configurable, writable: addBefore.writable });
      expect(Object.getOwnPropertyDescriptor(AbortSignal, 'timeout')!.enumerable).toBe(timeoutBefore.enumerable);
      // A controller made while patched is a real one, and its signal's birth is known.
      const shared = new AbortController();
      const result = await tracer.trace('adds', () => shared.signal.addEventListener('abort', () => {}));
      expect(result.findings.map((f) => f.id)).toEqual(['leaked-listener']);
      expect(shared.signal).toBeInstanceOf(AbortSignal);
    } finally {
      tracer.stop();
    }
    expect(Object.getOwnPropertyDescriptor(globalThis, 'AbortController')).toEqual(before);
    expect(Object.getOwnPropertyDescriptor(EventTarget.prototype, 'addEventListener')).toEqual(addBefore);
    expect(Object.getOwnPropertyDescriptor(AbortSignal, 'timeout')).toEqual(timeoutBefore);
  });

  it("AbortController defined as Node defines it at startup (a lazy accessor) comes back as that accessor", () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'AbortController')!;
    const Real = globalThis.AbortController;
    let value: typeof AbortController = Real;
    const lazy: PropertyDescriptor = {
      get: () => value,
      set: (v: typeof AbortController) => {
        value = v;
      },
      enumerable: false,
      configurable: true,
    };
    Object.defineProperty(globalThis, 'AbortController', lazy);
    try {
      const tracer = createTracer({ cwd: repoRoot });
      const patched = Object.getOwnPropertyDescriptor(globalThis, 'AbortController')!;
      expect(patched.enumerable).toBe(false);
      expect(patched.value).not.toBe(Real);
      // Node's lazy setter was not used: nothing turned the accessor into a data property behind our back.
      expect(value).toBe(Real);
      tracer.stop();
      expect(Object.getOwnPropertyDescriptor(globalThis, 'AbortController')).toEqual(lazy);
    } finally {
      Object.defineProperty(globalThis, 'AbortController', original);
    }
  });
});
