/**
 * Deadlock watch: while a scope waits on its root promise, a tiny unref'd check
 * timer looks at what the scope still has scheduled. When the root is pending and
 * the scope has no live timer or handle, and no request is pending, for two checks
 * in a row (and nothing elsewhere in the process is still working: hasScheduledWork),
 * nothing can ever settle the root: every task is asleep. The check runs outside the scope and holds nothing open.
 */
// The real timers, not whatever fake clock a test installed on globalThis.
import { clearInterval, setInterval } from 'node:timers';
import { hasScheduledWork, type WorkRegistry } from './diff.js';
import type { ScopeState } from './state.js';

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
