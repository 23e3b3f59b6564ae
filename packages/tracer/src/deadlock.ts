/**
 * The deadlock hazard, in one place: the watch that notices it and the one builder of its finding.
 *
 * Deadlock watch: while a scope waits on its root promise, a tiny unref'd check
 * timer looks at what the scope still has scheduled. When the root is pending and
 * the scope has no live timer or handle, and no request is pending, for two checks
 * in a row (and nothing elsewhere in the process is still working: hasScheduledWork),
 * nothing can ever settle the root: every task is asleep. The check runs outside the scope and holds nothing open.
 */
// The real timers, not whatever fake clock a test installed on globalThis.
import { clearInterval, setInterval } from 'node:timers';
import type { Finding, RelatedLocation, Stack } from '@asyncsan/core';
import { requireEntry } from '@asyncsan/core/catalog';
import { firstUserFrame, isTracerFrame, locationOf, parseStack, toStack, type AttributeOptions, type ParsedFrame } from './attribute.js';
import { hasScheduledWork, type AwaitChain, type WorkRegistry } from './diff.js';
import { describeEventWait, finding, fnName, targetName, unsettledFindings, type FormatContext } from './format.js';
import { stillBlocked } from './streams.js';
import type { EventWaitRecord, ScopeState, StreamWriteRecord } from './state.js';

export interface DeadlockWatch {
  stop(): void;
}

export function watchForDeadlock(
  scope: ScopeState,
  root: Promise<unknown>,
  intervalMs: number,
  work: WorkRegistry,
  onDeadlock: () => void,
): DeadlockWatch {
  let settled = false;
  let idleChecks = 0;
  const timer = setInterval(() => {
    try {
      if (settled || scope.ended) return stop();
      idleChecks = hasScheduledWork(scope, work) ? 0 : idleChecks + 1;
      if (idleChecks >= 2) {
        stop();
        onDeadlock();
      }
    } catch {
      stop();
    }
  }, intervalMs);
  timer.unref();
  const stop = () => {
    settled = true;
    clearInterval(timer);
  };
  root.then(stop, stop);
  return { stop };
}

/** What a task asleep in events.once() waits for ("'ready' from an EventEmitter"), and the write() a 'drain' wait is stuck behind. */
export interface DeadlockWait {
  what: string;
  blocked?: StreamWriteRecord;
}

/**
 * Per line ("file:line") of a pending events.once() wait: what it waits for ("'drain' from a Writable") and,
 * for a 'drain' wait, the write() that blocked that stream, when it is still blocked.
 */
export function describeWaits(state: ScopeState, waiting: readonly EventWaitRecord[], options: AttributeOptions): Map<string, DeadlockWait> {
  const out = new Map<string, DeadlockWait>();
  for (const w of waiting) {
    const d = describeEventWait(w, options);
    if (!d) continue;
    const blocked = w.event === 'drain' ? state.streamWrites.find((r) => r.stream === w.emitter && stillBlocked(r)) : undefined;
    out.set(d.line, blocked ? { what: d.what, blocked } : { what: d.what });
  }
  return out;
}

/** What a deadlock adds when the task waits for 'drain' from a stream whose write() blocked: the cause, where it was written, and its stack. */
function blockedCause(blocked: StreamWriteRecord | undefined, ctx: FormatContext): { text: string; related?: RelatedLocation; stack?: Stack } {
  if (blocked === undefined) return { text: '' };
  const frames = parseStack(blocked.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
  const at = firstUserFrame(frames);
  const buffered = (blocked.stream as { writableLength?: number }).writableLength ?? 0;
  const text = `; its cause: write() to this ${targetName(blocked.stream)} returned false with ${buffered} bytes buffered and nothing consumes the other side, so the 'drain' never comes`;
  return at ? { text, related: { label: 'blocked write', location: locationOf(at) }, stack: toStack('written at', frames) } : { text };
}

/**
 * The one builder of the deadlock finding. `chain` is the task asleep; `outer`, in program mode, is the
 * entry module's top-level await that waits through it (undefined for a scope's task). The event the task
 * waits for is named from `waits`; a 'drain' wait behind a blocked write() names that write as the cause,
 * and the stream joins `state.deadlockStreams` so it is not reported again as stuck-stream.
 */
export function deadlockFinding(state: ScopeState, chain: AwaitChain, waits: ReadonlyMap<string, DeadlockWait>, ctx: FormatContext, outer?: ParsedFrame): Finding {
  const wait = waits.get(`${chain.at.absolute}:${chain.at.line}`);
  // A writer asleep on 'drain' is one finding: this deadlock, with the blocked write as its cause.
  if (wait?.blocked) state.deadlockStreams.add(wait.blocked.stream);
  const on = wait ? ` for ${wait.what}` : '';
  const cause = blockedCause(wait?.blocked, ctx);
  let message: string;
  if (outer === undefined) {
    message =
      `Deadlock: ${fnName(chain.at)} waits at this await${on} and nothing created in ${ctx.noun} "${ctx.scopeName}" can settle it ` +
      `(no timer, handle or I/O is pending): every task of the scope is asleep${cause.text}`;
  } else {
    const who = chain.at === outer ? "the program's top-level await" : `${fnName(chain.at)}, awaited by the program's top-level await,`;
    message =
      `Deadlock: ${who} waits at this await${on} and nothing is left that could settle it (no timer, handle or I/O is pending): ` +
      `every task is asleep, so Node exits with code 13 (unsettled top-level await)${cause.text}`;
  }
  const f = finding('deadlock', message, chain.at, [toStack('wait-for chain', chain.frames), ...(cause.stack ? [cause.stack] : [])], wait?.blocked ? requireEntry('stuck-stream').hint : undefined, ctx);
  if (cause.related) f.related = [cause.related];
  return f;
}

/**
 * Program mode: a deadlock for each chain that ends in the entry module's own top-level code (an anonymous
 * frame of `entry`), with the unsettled-task it stands for should the top-level await turn out to have settled.
 */
export function topLevelDeadlocks(
  state: ScopeState,
  chains: readonly AwaitChain[],
  entry: string,
  waits: ReadonlyMap<string, DeadlockWait>,
  ctx: FormatContext,
): { deadlock: Finding; fallback: Finding }[] {
  return chains.flatMap((c) => {
    const outer = c.frames.filter((f) => !f.external).at(-1);
    if (!outer || outer.function !== undefined || (outer.generated ?? outer.absolute) !== entry) return [];
    return [{ deadlock: deadlockFinding(state, c, waits, ctx, outer), fallback: unsettledFindings([c], ctx)[0]! }];
  });
}

/**
 * The program's findings at exit: top-level deadlocks stand while the top-level await is still pending
 * (exit code 13); otherwise each is swapped back for the unsettled-task it stands for (`fallbacks`).
 */
export function topLevelVerdict(findings: Finding[], stillPending: boolean, fallbacks: ReadonlyMap<Finding, Finding>): Finding[] {
  return stillPending ? findings : findings.map((f) => fallbacks.get(f) ?? f);
}

/**
 * A deadlock at the very line of a write() that blocked (`if (!out.write(x)) await once(out, 'drain')`),
 * when the wait itself was not seen (events.once unpatched, as in a vm context): the same root cause,
 * so the write becomes the deadlock's cause. Undefined when the write is not at the deadlock's line.
 */
export function withBlockedCause(deadlock: Finding, blocked: StreamWriteRecord, ctx: FormatContext): Finding | undefined {
  const cause = blockedCause(blocked, ctx);
  const at = cause.related?.location;
  if (at === undefined || deadlock.location?.file !== at.file || deadlock.location.line !== at.line) return undefined;
  return {
    ...deadlock,
    message: `${deadlock.message}${cause.text}`,
    related: [...(deadlock.related ?? []), cause.related!],
    stacks: [...(deadlock.stacks ?? []), ...(cause.stack ? [cause.stack] : [])],
    hint: requireEntry('stuck-stream').hint,
  };
}
