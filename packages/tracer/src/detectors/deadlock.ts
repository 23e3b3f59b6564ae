/** deadlock: the top-level await's deadlocks, the blocked write that caused one, and reporting them. */
import { describeWaits, topLevelDeadlocks, withBlockedCause } from '../deadlock.js';
import { stillBlocked } from '../streams.js';
import { key, type Detector } from './judgement.js';

/** Program mode at a natural exit: the tasks the pending top-level await waits on can never resume. */
export const topLevelDeadlock: Detector = {
  ids: ['deadlock'],
  run(j) {
    const { state, options } = j;
    if (j.program && options.topLevelAwait !== undefined) {
      const waits = describeWaits(state, [...j.waiting], j.attribute);
      // Each with its fallback kept for the front end (Scope.topLevelFallbacks).
      const found = topLevelDeadlocks(state, j.chains, options.topLevelAwait, waits, j.ctx).map(({ deadlock, fallback }) => {
        j.topLevelFallbacks.set(deadlock, fallback);
        return deadlock;
      });
      state.early.push(...found);
    }
    j.deadlocked = new Set(state.early.filter((f) => f.id === 'deadlock').map((f) => key(f)));
  },
};

/** A write blocked at the line where the scope deadlocked is that deadlock's cause (when the 'drain' wait itself was not seen). */
export const blockedWriteCause: Detector = {
  ids: ['deadlock'],
  run(j) {
    const { state } = j;
    for (const w of state.streamWrites) {
      if (state.deadlockStreams.has(w.stream) || j.inPipelines.has(w.stream) || !stillBlocked(w)) continue;
      for (const [i, f] of state.early.entries()) {
        if (f.id !== 'deadlock' || f.related?.some((r) => r.label === 'blocked write')) continue;
        const merged = withBlockedCause(f, w, j.ctx);
        if (merged === undefined) continue;
        state.early[i] = merged;
        state.deadlockStreams.add(w.stream);
        break;
      }
    }
  },
};

/** The deadlocks found while the scope waited (and the top-level ones), except where a stuck wait or pipeline explains them. */
export const earlyFindings: Detector = {
  ids: ['deadlock'],
  run(j) {
    j.findings.push(...j.state.early.filter((f) => f.id !== 'deadlock' || !j.stuckAt.has(key(f))));
  },
};
