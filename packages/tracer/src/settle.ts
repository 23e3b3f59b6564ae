/**
 * Stage 2, settle: let the scope's already-due work finish before judging it.
 * Several loop turns (a setImmediate hop each, so timers due now, I/O callbacks,
 * close callbacks and the destroy queue all run), stopping once the scope has
 * been quiet for two turns. A one-shot timer of the scope that falls due within
 * the cap is waited for; nothing is waited for longer than `settleMs`.
 */
// The real timers, not whatever fake clock a test installed on globalThis.
import { clearTimeout, setImmediate, setTimeout } from 'node:timers';
import { isOpen } from './capture.js';
import type { ScopeState } from './state.js';

export interface SettleOptions {
  /** Minimum loop turns before judging. */
  turns: number;
  /** Cap on the time spent settling, in milliseconds. */
  settleMs: number;
  /** Called after every loop turn and wait: what finished meanwhile is read there (leftovers.ts). */
  onTurn?: () => void;
}

interface TimeoutFields {
  _idleStart?: number;
  _idleTimeout?: number;
  _repeat?: number | null;
  _destroyed?: boolean;
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Changes whenever the scope opens or closes something or a task settles. */
function signature(scope: ScopeState): string {
  let open = 0;
  for (const r of scope.resources.values()) if (isOpen(r)) open++;
  return `${scope.resources.size}/${open}/${scope.pending.size}`;
}

/** The loop's own clock (what Timeout._idleStart is measured on), read from a throwaway timer. */
function loopNow(): number | undefined {
  const t = setTimeout(() => {}, 0) as unknown as TimeoutFields;
  clearTimeout(t as unknown as NodeJS.Timeout);
  return t._idleStart;
}

/** Milliseconds until the scope's next one-shot timer fires, if it has one. */
function nextDue(scope: ScopeState): number | undefined {
  const now = loopNow();
  if (now === undefined) return undefined;
  let next: number | undefined;
  for (const r of scope.resources.values()) {
    if (r.type !== 'Timeout') continue;
    const t = r.resource as TimeoutFields;
    if (t._destroyed || (t._repeat !== null && t._repeat !== undefined)) continue;
    if (t._idleStart === undefined || t._idleTimeout === undefined || t._idleTimeout < 0) continue;
    const due = t._idleStart + t._idleTimeout - now;
    if (next === undefined || due < next) next = due;
  }
  return next;
}

export async function settle(scope: ScopeState, options: SettleOptions): Promise<void> {
  const started = performance.now();
  let last = signature(scope);
  let quiet = 0;
  for (let i = 1; ; i++) {
    await turn();
    options.onTurn?.();
    const now = signature(scope);
    quiet = now === last ? quiet + 1 : 0;
    last = now;
    const left = options.settleMs - (performance.now() - started);
    if (left <= 0) return;
    if (i >= options.turns && quiet >= 2) {
      const due = nextDue(scope);
      if (due === undefined || due > left) return;
      await sleep(Math.max(1, Math.ceil(due)));
      options.onTurn?.();
      quiet = 0;
    }
  }
}
