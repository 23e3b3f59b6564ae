/** abandoned-iterator: the project's async generators left suspended at a yield. */
import { abandonedIteratorFindings } from '../format.js';
import { projectGeneratorAbandoned } from '../iterators.js';
import type { Detector } from './judgement.js';

export const abandonedIterator: Detector = {
  ids: ['abandoned-iterator'],
  run(j) {
    // The whole program's generators only at a normal exit (its front end asks): a signal kills every consumer anyway.
    if (j.program && j.options.iterators !== true) return;
    j.findings.push(...j.judge(j.state.generators.filter((g) => projectGeneratorAbandoned(g, j.ctx)), (g) => g.generator, (kept) => abandonedIteratorFindings(kept, j.ctx)));
  },
};
