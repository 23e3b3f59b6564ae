/** stuck-event-wait: an `await once(emitter, …)` whose event can never come. Reported by the precedence step. */
import { whyNever } from '../event-waits.js';
import { stuckEventWaitFindings } from '../format.js';
import { key, type Detector } from './judgement.js';

export const stuckEventWait: Detector = {
  ids: ['stuck-event-wait'],
  run(j) {
    const { state, ctx } = j;
    const stuckWaits = state.eventWaits.flatMap((wait) => {
      const why = j.waiting.has(wait) ? whyNever(wait) : undefined;
      return why === undefined ? [] : [{ wait, why }];
    });
    // A deadlocked cycle is garbage too: there the deadlock (with its wait-for chain) says more than "unreachable".
    const goneAt = new Set(stuckEventWaitFindings(stuckWaits.filter((w) => w.wait.gone === true), ctx).map(key));
    j.stuck = j.judge(stuckWaits, (w) => w.wait, (kept) => stuckEventWaitFindings(kept, ctx)).filter((f) => !(goneAt.has(key(f)) && j.deadlocked.has(key(f))));
  },
};
