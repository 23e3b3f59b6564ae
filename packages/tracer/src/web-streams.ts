/**
 * Work a web stream drives, left running when a scope (a test) ends with a body half read or
 * cancelled (REAL-SUITES class R12, hono's stream()/streamSSE()):
 * - the body's own pull(): the stream calls its underlying source to refill its queue after the
 *   test's last read and awaits it (through a `.then` inside Node, which V8 names no frame of), so
 *   the task looks like one nothing awaited. It is the stream's, not the test's: not floating.
 * - a producer a stream helper runs detached, that after the end still writes into a stream whose
 *   other end was cancelled (the client went away): its writes go nowhere and fail, and it is the
 *   body's to stop (hono's stream.onAbort), not the test's. At most info.
 * A producer that after the end writes into a stream that is still open (nobody cancelled it,
 * nobody reads it) is not covered: its data may still reach someone, or it blocks for ever on
 * backpressure; it is reported as before.
 *
 * `WritableStreamDefaultWriter.prototype.write`/`close` are wrapped: a write or close made by a scope's
 * code after the scope ended (leftover work, rare) keeps its stack and whether the stream was
 * already dead (errored or closed: `desiredSize` is null). `ReadableStreamDefaultReader.prototype.read`
 * marks its promises, so that a pull() waiting on another web stream's read is recognised.
 */
import { captureSite } from './capture.js';
import { parseStack, sameFrame, type AttributeOptions, type ParsedFrame } from './attribute.js';
import type { AwaitChain } from './diff.js';
import type { ScopeState } from './state.js';

/** A write or close into a web stream by a scope's code after that scope ended. */
export interface LateStreamWrite {
  site: { stack?: string };
  /** The stream was errored or closed already (a cancelled body's other end): the write goes nowhere. */
  dead: boolean;
  close: boolean;
}

/** Per scope, the late writes seen (bounded: leftover work is a handful of tasks). */
const late = new WeakMap<ScopeState, LateStreamWrite[]>();
const LATE_MAX = 64;
/** Promises of web-stream reads (ReadableStreamDefaultReader.read) made in a scope. */
const reads = new WeakSet<Promise<unknown>>();

export function lateStreamWrites(scope: ScopeState): readonly LateStreamWrite[] {
  return late.get(scope) ?? [];
}

type Method = (this: unknown, ...args: unknown[]) => unknown;

function deadWriter(writer: unknown): boolean {
  try {
    // null while the stream is erroring or errored; a released writer throws: not ours to judge.
    return (writer as { desiredSize: number | null }).desiredSize === null;
  } catch {
    return false;
  }
}

export function installWebStreamPatch(scopeOf: () => ScopeState | undefined): { uninstall(): void } {
  const restores: Array<() => void> = [];
  const wrap = (proto: object | undefined, name: string, make: (original: Method) => Method) => {
    if (proto === undefined) return;
    const descriptor = Object.getOwnPropertyDescriptor(proto, name);
    if (descriptor === undefined || typeof descriptor.value !== 'function') return;
    const original = descriptor.value as Method;
    const patched = make(original);
    Object.defineProperty(patched, 'name', { value: original.name });
    Object.defineProperty(patched, 'length', { value: original.length });
    Object.defineProperty(proto, name, { ...descriptor, value: patched });
    restores.push(() => {
      // Someone wrapped it on top of ours since: theirs stays.
      if (Object.getOwnPropertyDescriptor(proto, name)?.value === patched) Object.defineProperty(proto, name, descriptor);
    });
  };
  const noteLate = (writer: unknown, close: boolean) => {
    try {
      const s = scopeOf();
      if (s === undefined || s.clock.endedAt === undefined) return;
      let list = late.get(s);
      if (list === undefined) late.set(s, (list = []));
      if (list.length < LATE_MAX) list.push({ site: captureSite(), dead: deadWriter(writer), close });
    } catch {
      // never break the caller
    }
  };
  const writer = (globalThis as { WritableStreamDefaultWriter?: { prototype: object } }).WritableStreamDefaultWriter?.prototype;
  wrap(writer, 'write', (original) =>
    function write(this: unknown, ...args: unknown[]) {
      noteLate(this, false);
      return original.apply(this, args);
    },
  );
  wrap(writer, 'close', (original) =>
    function close(this: unknown, ...args: unknown[]) {
      noteLate(this, true);
      return original.apply(this, args);
    },
  );
  const reader = (globalThis as { ReadableStreamDefaultReader?: { prototype: object } }).ReadableStreamDefaultReader?.prototype;
  wrap(reader, 'read', (original) =>
    function read(this: unknown, ...args: unknown[]) {
      const p = original.apply(this, args);
      try {
        if (p instanceof Promise && scopeOf() !== undefined) reads.add(p);
      } catch {
        // never break the caller
      }
      return p;
    },
  );
  return {
    uninstall() {
      for (const restore of restores.splice(0).reverse()) restore();
    },
  };
}

/** The outermost frame of user code on a task's await chain: the task user code started (where the fix goes). */
export function outerUserFrame(chain: AwaitChain): ParsedFrame {
  return chain.frames.filter((f) => !f.external).at(-1) ?? chain.at;
}

export const CANCELLED_BODY_HINT =
  'Nothing to fix in the test. If the producer may run long, stop it when its body is cancelled (an abort callback or signal) instead of writing on.';

/** What a task left running is, when it is a web stream's work rather than the scope's own. */
export type BodyWork = 'pull' | 'cancelled';

export function bodyWork(chain: AwaitChain, scope: ScopeState, options: AttributeOptions, tasks?: readonly Promise<unknown>[]): BodyWork | undefined {
  const outer = outerUserFrame(chain);
  if (streamPull(chain, outer, tasks)) return 'pull';
  if (writesIntoCancelledStream(outer, scope, options)) return 'cancelled';
  return undefined;
}

/**
 * A web stream's underlying-source pull() (V8 names an object literal's method `Object.pull`, a
 * class's `Source.pull`) that waits on another web stream's read: the stream that called it awaits it.
 * `outer` is the task's outermost user frame (the function the stream called).
 */
export function streamPull(chain: AwaitChain, outer: ParsedFrame, tasks?: readonly Promise<unknown>[]): boolean {
  if (outer.function === undefined || !/(?:^|\.)pull$/.test(outer.function)) return false;
  const awaited = [...(tasks ?? []), ...(chain.promise ? [chain.promise] : [])];
  return awaited.some((p) => reads.has(p));
}

/**
 * Did the task whose outermost user frame is `outer`, after its scope ended, write into a web stream
 * that was already dead (its reader had cancelled it)? Matched by that frame on the late writes' stacks.
 */
export function writesIntoCancelledStream(outer: ParsedFrame, scope: ScopeState, options: AttributeOptions): boolean {
  const writes = late.get(scope);
  if (writes === undefined) return false;
  return writes.some((w) => w.dead && !w.close && parseStack(w.site.stack, options).some((f) => sameFrame(f, outer)));
}
