/**
 * cross-test-bleed: a callback a scope (test) A left behind runs while another
 * scope B is running. Three kinds are followed from A's end on:
 * - timers A left armed: their callbacks are wrapped;
 * - tasks A left suspended at an await: a reaction on the promise each awaits
 *   says when it resumed (added after judgement, so A's own probes are untouched);
 * - listeners A added to a longer-lived emitter or AbortSignal and never removed:
 *   the emitter's emit is wrapped on that instance, a signal gets a listener of ours.
 * When one runs while B is live, B's judgement returns a finding at A's line whose
 * `test` is A's test: the finding belongs to A and is never blamed on B. Each site of A
 * is reported once, in the first scope it runs in.
 */
import type { Finding } from '@asyncsan/core';
import { firstUserFrame, isTracerFrame, parseStack, toStack, type ParsedFrame } from './attribute.js';
import type { AwaitChain, LeftResource } from './diff.js';
import { describe, finding, resourceSite, targetName, type FormatContext } from './format.js';
import { stillRegistered, watchTargetRemoval } from './listeners.js';
import type { ListenerRecord, ScopeState } from './state.js';

type Callback = (this: unknown, ...args: unknown[]) => unknown;

export interface BleedSource {
  from: ScopeState;
  /** A's judgement context (its noun, cwd). */
  ctx: FormatContext;
  /** The scopes running now (whole-program scope excluded). */
  running: () => Iterable<ScopeState>;
  contextOf: (scope: ScopeState) => FormatContext;
  /** True for what an ignoreCurrent() snapshot holds: it is never reported. */
  ignored?: (key: object) => boolean;
}

/** What ended scopes left behind and is being watched (timers, awaited promises, listener records), held weakly. */
const watched = new Set<WeakRef<object>>();

function watch(key: object): void {
  watched.add(new WeakRef(key));
  if (watched.size > 4096) for (const ref of watched) if (ref.deref() === undefined) watched.delete(ref);
}

/** The leftovers still watched, for an ignoreCurrent() snapshot: alive at the call, so never reported either. */
export function watchedLeftovers(): object[] {
  const out: object[] = [];
  for (const ref of watched) {
    const o = ref.deref();
    if (o === undefined) watched.delete(ref);
    else out.push(o);
  }
  return out;
}

/** "test" when the scope is a test (it carries a TestRef), else what the context calls it. */
const nounOf = (scope: ScopeState, fallback: string) => (scope.test ? 'test' : fallback);

/** Per scope A: the sites of A's leftovers already reported as bleed (one finding per site, however often it runs). */
const toldSites = new WeakMap<ScopeState, Set<string>>();

/**
 * Records one finding, in the first other scope running then, the first time a callback
 * A left at this site runs: an interval firing in ten later tests is one finding, as are
 * ten timers armed by one line.
 */
function reporter(
  source: BleedSource,
  key: object,
  what: string,
  verb: string,
  at: ParsedFrame,
  frames: readonly ParsedFrame[],
  stackLabel: string,
  relatedLabel: string,
  /** Why running did nothing (a guard of a promise already settled): the finding is then info, saying so. */
  harmless?: string,
): () => void {
  const { from, ctx } = source;
  let told = toldSites.get(from);
  if (told === undefined) {
    told = new Set();
    toldSites.set(from, told);
  }
  const site = `${stackLabel}|${at.absolute}:${at.line}:${at.column}`;
  const sites = told;
  const fromNoun = nounOf(from, ctx.noun);
  watch(key);
  // Held weakly: the report must not keep the timer, promise or listener alive.
  const ref = new WeakRef(key);
  return () => {
    try {
      const k = ref.deref();
      if (k !== undefined && source.ignored?.(k) === true) return;
      if (sites.has(site)) return;
      for (const scope of source.running()) {
        if (scope === from || scope.ended || scope.internal) continue;
        sites.add(site);
        const c = source.contextOf(scope);
        const f: Finding = finding(
          'cross-test-bleed',
          `${what} in ${fromNoun} "${from.name}" ${verb} while ${nounOf(scope, c.noun)} "${scope.name}" was running${harmless ? `; ${harmless}` : ''}`,
          at,
          [toStack(stackLabel, frames)],
          undefined,
          c,
        );
        if (harmless) f.severity = 'info';
        // The finding is A's: it carries A's test (B only saw it happen).
        if (from.test) f.test = from.test;
        else delete f.test;
        f.related = [{ label: `${relatedLabel} ${fromNoun} "${from.name}"`, location: { file: at.file, line: at.line, column: at.column } }];
        scope.early.push(f);
        return;
      }
    } catch {
      // never break the callback
    }
  };
}

export function watchForBleed(source: BleedSource, left: readonly LeftResource[]): void {
  const { ctx } = source;
  for (const l of left) {
    const key = l.record.type === 'Timeout' ? '_onTimeout' : l.record.type === 'Immediate' ? '_onImmediate' : undefined;
    if (key === undefined) continue;
    const timer = l.record.resource as Record<string, unknown>;
    const original = timer[key];
    if (typeof original !== 'function') continue;
    const site = resourceSite(l.record, ctx);
    if (!site) continue;
    // The runner reads "left armed by <noun> "<name>"" to find the source test.
    const harmless = l.record.idleGuard === true ? 'it guarded a promise that had already settled, so firing it did nothing' : undefined;
    const report = reporter(source, l.record.resource, `${describe(l).what} created`, 'fired', site.at, site.frames, 'created at', 'left armed by', harmless);
    timer[key] = function (this: unknown, ...args: unknown[]) {
      report();
      return (original as Callback).apply(this, args);
    };
  }
}

/** Tasks A left suspended: when the promise one awaits settles, the task resumes (its continuation runs first). */
export function watchTasksForBleed(source: BleedSource, chains: readonly AwaitChain[]): void {
  for (const chain of chains) {
    const promise = chain.promise;
    if (promise === undefined) continue;
    const name = chain.at.function ? `async ${chain.at.function}` : 'an async function';
    const report = reporter(source, promise, `The task ${name} suspended at this await`, 'resumed', chain.at, chain.frames, 'await chain', 'left suspended by');
    // The task already awaits this promise, so one more reaction changes nothing about rejection handling.
    promise.then(report, report);
  }
}

const emitWatches = new WeakMap<object, Array<{ record: ListenerRecord; report: () => void }>>();
/** Emitters given an emit of their own, to take it back on stop() (weakly: they may be long gone). */
const patchedEmitters = new Set<WeakRef<object>>();

/** Takes back every per-instance emit (tracer.stop()). */
export function unwatchEmitters(): void {
  for (const ref of patchedEmitters) {
    const target = ref.deref();
    if (target !== undefined && emitWatches.has(target)) {
      delete (target as { emit?: unknown }).emit;
      emitWatches.delete(target);
    }
  }
  patchedEmitters.clear();
}

/** Listeners A left registered on emitters and signals that outlive it. */
export function watchListenersForBleed(source: BleedSource, listeners: readonly ListenerRecord[]): void {
  for (const record of listeners) {
    try {
      const frames = parseStack(record.site.stack, source.ctx).filter((f) => !isTracerFrame(f.absolute));
      const at = firstUserFrame(frames);
      if (!at || frames[0] !== at) continue; // only listeners user code added itself
      const event = typeof record.event === 'symbol' ? record.event.toString() : `'${record.event}'`;
      const report = reporter(source, record, `A ${event} listener on a ${targetName(record.target)} added`, 'ran', at, frames, 'added at', 'left registered by');
      if (record.kind === 'emitter') watchEmit(record, report);
      else watchTarget(record, report);
    } catch {
      // The emitter is user code (frozen, a throwing emit getter): it is not watched, the judgement goes on.
    }
  }
}

function watchEmit(record: ListenerRecord, report: () => void): void {
  const target = record.target as { emit?: Callback };
  let watches = emitWatches.get(target);
  if (watches === undefined) {
    const emit = target.emit;
    // An own, non-enumerable emit on this one instance: other emitters pay nothing.
    // (An emitter that already has an own emit is left alone: taking ours back would lose it.)
    if (typeof emit !== 'function' || Object.prototype.hasOwnProperty.call(target, 'emit')) return;
    watches = [];
    emitWatches.set(target, watches);
    const list = watches;
    patchedEmitters.add(new WeakRef(target));
    if (patchedEmitters.size > 1024) for (const ref of patchedEmitters) if (ref.deref() === undefined) patchedEmitters.delete(ref);
    Object.defineProperty(target, 'emit', {
      configurable: true,
      enumerable: false,
      writable: true,
      value: function (this: unknown, event: unknown, ...args: unknown[]) {
        try {
          for (let i = list.length - 1; i >= 0; i--) {
            const w = list[i]!;
            if (!stillRegistered(w.record)) list.splice(i, 1);
            else if (w.record.event === event) w.report();
          }
        } catch {
          // never break emit
        }
        return emit.call(this, event, ...args);
      },
    });
  }
  watches.push({ record, report });
}

function watchTarget(record: ListenerRecord, report: () => void): void {
  const target = record.target as EventTarget;
  const registered = watchTargetRemoval(record);
  try {
    // Ours is added after the user's, so it runs right after it.
    target.addEventListener(
      String(record.event),
      () => {
        if (registered()) report();
      },
      { once: true },
    );
  } catch {
    // not an EventTarget after all
  }
}
