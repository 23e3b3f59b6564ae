/** leaked-listener: listeners the scope added and left registered (and the cross-test-bleed watch on them). */
import { watchListenersForBleed } from '../bleed.js';
import { listenerFindings } from '../format.js';
import { splitCurrent } from '../ignore-current.js';
import { stillRegistered } from '../listeners.js';
import type { Detector } from './judgement.js';

export const leakedListener: Detector = {
  ids: ['leaked-listener', 'cross-test-bleed'],
  run(j) {
    const registered = [...j.state.listeners].filter(stillRegistered);
    j.findings.push(...j.judge(registered, (l) => l, (kept) => listenerFindings(kept, j.ctx)));
    if (!j.program) {
      const { keep } = splitCurrent(registered, (l) => l, j.rules);
      watchListenersForBleed(j.bleedSource(), keep);
    }
  },
};
