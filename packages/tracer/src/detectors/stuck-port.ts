/** stuck-port: messages posted to a MessagePort nobody receives on. */
import { stuckPortFindings } from '../format.js';
import { stuckPorts } from '../ports.js';
import type { Detector } from './judgement.js';

export const stuckPort: Detector = {
  ids: ['stuck-port'],
  run(j) {
    j.findings.push(...j.judge(stuckPorts(j.state), (p) => p.sender, (kept) => stuckPortFindings(kept, j.ctx)));
  },
};
