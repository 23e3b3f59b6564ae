/** unhandled-rejection: rejections attributed to the scope (see ../rejections.ts). */
import { rejectionFindings } from '../format.js';
import type { Detector } from './judgement.js';

export const unhandledRejection: Detector = {
  ids: ['unhandled-rejection'],
  run(j) {
    j.findings.push(...j.judge(j.state.rejections, (r) => r, (kept) => rejectionFindings(kept, j.ctx)));
  },
};
