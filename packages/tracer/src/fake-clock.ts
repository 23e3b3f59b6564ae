/**
 * Fake clocks (@sinonjs/fake-timers, and Vitest's vi.useFakeTimers(), which
 * bundles it): a fake setTimeout creates no real timer, so async_hooks never see
 * it. The rule: a fake timer created in a scope, still pending in its clock's
 * queue when the scope ends while that clock is still installed, is a leaked
 * timer if the clock was installed before the scope (it fires whenever some later
 * code advances the clock: in the next test); a clock the scope installed itself
 * is its own (the next test's install replaces it), and once a clock is
 * uninstalled (clock.uninstall(), vi.useRealTimers()) its queue is gone: nothing
 * is reported.
 *
 * How a clock is seen: fake-timers installs by assigning globalThis.setTimeout
 * (and friends) a function carrying `.clock`, which calls `clock.setTimeout`
 * dynamically. The three globals become accessors with the same attributes; the
 * getter returns exactly what was set, and the first read of a function carrying
 * a clock wraps that clock's setTimeout/setInterval/setImmediate, so each fake
 * timer is recorded with its scope and creation site. stop() puts data properties
 * back, holding whatever is installed then.
 */
import type { Finding } from '@asyncsan/core';
import { decidingFrame, isTracerFrame, parseStack, toStack, type AttributeOptions } from './attribute.js';
import { armedInExecutor } from './diff.js';
import { captureSite, latestPromiseId } from './capture.js';
import { finding, type FormatContext } from './format.js';
import { pushBounded, type FakeTimerRecord, type ScopeState } from './state.js';

const METHODS = ['setTimeout', 'setInterval', 'setImmediate'] as const;

interface Clock {
  timers?: Map<number, object> | Record<string, object>;
  setTimeout?: (...args: unknown[]) => unknown;
  setInterval?: (...args: unknown[]) => unknown;
  setImmediate?: (...args: unknown[]) => unknown;
}

export interface FakeClockPatch {
  uninstall(): void;
}

const wrappedClocks = new WeakSet<object>();
/** The scope current when a clock was installed on the globals (its id): undefined outside every scope. */
const installedIn = new WeakMap<object, number | undefined>();
/** The scope current when a function was assigned to a timer global (fake-timers sets `.clock` on it after). */
const assignedIn = new WeakMap<object, number | undefined>();

/** The clock's entry for a timer id, while it is pending (fake-timers keeps a Map; older copies an object). */
function entryOf(clock: Clock, id: unknown): object | undefined {
  const timers = clock.timers;
  if (timers === undefined || id === undefined || id === null) return undefined;
  const key = typeof id === 'object' ? Number(id) : id;
  if (timers instanceof Map) return timers.get(key as number);
  return (timers as Record<string, object>)[String(key)];
}

/** Installed on the global now: one of the three globals is a function of this clock. */
function installed(clock: object): boolean {
  const g = globalThis as unknown as Record<string, { clock?: unknown } | undefined>;
  return METHODS.some((m) => g[m]?.clock === clock);
}

/** Still in its clock's queue (installed or not: an uninstalled clock keeps its queue, it just never runs it). */
function fakeTimerQueued(r: FakeTimerRecord): boolean {
  const id = (r.timer as { id?: unknown }).id;
  return entryOf(r.clock as Clock, id) === r.timer;
}

/** Still in its clock's queue, and the clock still installed. */
export function fakeTimerPending(r: FakeTimerRecord): boolean {
  return installed(r.clock) && fakeTimerQueued(r);
}

/**
 * A pending fake timer that may fire in a later test: on a clock installed before its scope began (in
 * beforeAll, at module level), which later tests share and advance. A clock the test installed itself
 * (its body or beforeEach, pacer's `vi.useFakeTimers()` in every beforeEach) is the test's own fake world:
 * the next test's install replaces it, and its queue never runs.
 */
export function fakeTimerLeft(r: FakeTimerRecord): boolean {
  return r.ownClock !== true && fakeTimerPending(r);
}

/**
 * The promises that only a fake-clock timer of the scope can settle: a timer a Promise executor
 * armed (`new Promise((resolve) => setTimeout(resolve, ms))`, a `sleep()`) still queued on its
 * clock, whether that clock is still installed (its timer is reported as leaked-timer) or was
 * uninstalled (vi.useRealTimers() discarded the queue: it never fires). A task waiting on one of
 * them is not reported as unsettled-task: the fake timer is the whole story. Async ids.
 */
export function fakeTimerPromises(scope: ScopeState, options: AttributeOptions): Set<number> {
  const out = new Set<number>();
  for (const r of scope.fakeTimers) {
    if (r.promiseBefore === undefined || r.method === 'setInterval' || !fakeTimerQueued(r)) continue;
    if (armedInExecutor(r.site.stack, options)) out.add(r.promiseBefore);
  }
  return out;
}

export function installFakeClockWatch(owner: () => ScopeState | undefined): FakeClockPatch {
  const restores: Array<() => void> = [];

  const wrapClock = (clock: Clock) => {
    if (wrappedClocks.has(clock)) return;
    wrappedClocks.add(clock);
    for (const method of METHODS) {
      const original = clock[method];
      if (typeof original !== 'function') continue;
      const wrapper = function (this: unknown, ...args: unknown[]) {
        const id = original.apply(this, args);
        try {
          const s = owner();
          const timer = s === undefined ? undefined : entryOf(clock, id);
          if (s !== undefined && timer !== undefined) {
            const delay = method === 'setImmediate' ? 0 : Number(args[1] ?? 0) || 0;
            const ownClock = installedIn.get(clock) === s.id;
            pushBounded(s.fakeTimers, { clock, timer, method, delay, site: captureSite(), promiseBefore: latestPromiseId(), ownClock }, fakeTimerQueued);
          }
        } catch {
          // never break the test's clock
        }
        return id;
      };
      // uninstall() reads what install() put on the clock's methods (hadOwnProperty): keep it all.
      Object.defineProperties(wrapper, Object.getOwnPropertyDescriptors(original));
      clock[method] = wrapper;
    }
  };

  const notice = (value: unknown) => {
    try {
      const clock = (value as { clock?: unknown } | undefined)?.clock;
      if (typeof clock !== 'object' || clock === null) return;
      if (!installedIn.has(clock) && assignedIn.has(value as object)) installedIn.set(clock, assignedIn.get(value as object));
      wrapClock(clock as Clock);
    } catch {
      // never break a global read
    }
  };

  for (const method of METHODS) {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, method);
    if (!descriptor || !('value' in descriptor) || descriptor.configurable !== true) continue;
    const real = descriptor.value as unknown;
    let value = real;
    notice(value);
    const get = () => {
      // The real function is the common case: one comparison.
      if (value !== real) notice(value);
      return value;
    };
    Object.defineProperty(globalThis, method, {
      configurable: true,
      enumerable: descriptor.enumerable ?? false,
      get,
      set(v: unknown) {
        value = v;
        try {
          if (typeof v === 'function' && v !== real) assignedIn.set(v, owner()?.id);
        } catch {
          // never break a global write
        }
      },
    });
    restores.push(() => {
      // Someone redefined the global since (a DOM environment): theirs stays.
      if (Object.getOwnPropertyDescriptor(globalThis, method)?.get !== get) return;
      Object.defineProperty(globalThis, method, { ...descriptor, value });
    });
  }
  return {
    uninstall() {
      for (const restore of restores.splice(0)) restore();
    },
  };
}

export function fakeTimerFindings(timers: readonly FakeTimerRecord[], ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const t of timers) {
    const frames = parseStack(t.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const at = decidingFrame(frames, t.method);
    if (!at) continue;
    const what = t.method === 'setImmediate' ? 'setImmediate(…)' : `${t.method}(…, ${t.delay})`;
    const state = t.method === 'setInterval' ? 'is still armed' : 'has not fired yet';
    const message =
      `${what} on a fake clock, created in this ${ctx.noun}, ${state} ${ctx.when} and the fake clock is still installed: ` +
      'it fires whenever later code advances the clock';
    out.push(
      finding(
        'leaked-timer',
        message,
        at,
        [toStack('created at', frames)],
        'Clear it, or run the fake clock out (clock.runAll(), vi.runOnlyPendingTimers()), and uninstall the clock (clock.uninstall(), vi.useRealTimers()) when the test ends.',
        ctx,
      ),
    );
  }
  return out;
}
