/** floating-promise: tasks left running at the end that finished during the settle (see ../leftovers.ts). */
import { floatingFindings } from '../leftovers.js';
import type { Detector } from './judgement.js';

export const floatingPromise: Detector = {
  ids: ['floating-promise'],
  run(j) {
    j.findings.push(...floatingFindings(j.finishedTasks, j.ctx));
  },
};
