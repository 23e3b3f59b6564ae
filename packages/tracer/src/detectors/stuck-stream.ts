/** stuck-stream: pipelines that can never finish, writes blocked by backpressure, data nobody reads, fetch bodies left half read. */
import { hasScheduledWork } from '../diff.js';
import { stuckStreamFindings, unfinishedBodyFindings, unreadStreamFindings } from '../format.js';
import { bodyIteratorAbandoned } from '../iterators.js';
import { holdsUnreadData, pipelineFindings, stillBlocked, unfinishedFetchBody, whyPipelineStuck } from '../streams.js';
import type { Detector } from './judgement.js';

/** A pipeline that can never finish is reported at its call (by the precedence step), and its streams not again one by one. */
export const stuckPipelines: Detector = {
  ids: ['stuck-stream'],
  run(j) {
    const scheduled = hasScheduledWork(j.state, j.capture);
    const stuckPipes = j.pipes.flatMap((pipeline) => {
      const why = whyPipelineStuck(pipeline, scheduled);
      return why === undefined ? [] : [{ pipeline, why }];
    });
    j.piped = j.judge(stuckPipes, (p) => p.pipeline, (kept) => pipelineFindings(kept, j.ctx));
    j.inPipelines = new Set(stuckPipes.flatMap((p) => p.pipeline.streams));
  },
};

export const blockedAndUnreadStreams: Detector = {
  ids: ['stuck-stream'],
  run(j) {
    const { state, ctx } = j;
    // A write a deadlock already names as its cause is not reported again.
    const blocked = state.streamWrites.filter((w) => stillBlocked(w) && !j.inPipelines.has(w.stream) && !state.deadlockStreams.has(w.stream));
    j.findings.push(...j.judge(blocked, (w) => w.stream, (kept) => stuckStreamFindings(kept, ctx)));
    // A stream whose blocked write is reported is not reported again for the data it holds.
    const blockedStreams = new Set(blocked.map((w) => w.stream));
    const unread = state.readables.filter((r) => !blockedStreams.has(r.stream) && !state.deadlockStreams.has(r.stream) && !j.inPipelines.has(r.stream) && holdsUnreadData(r));
    j.findings.push(...j.judge(unread, (r) => r.stream, (kept) => unreadStreamFindings(kept, ctx)));
  },
};

/**
 * A generator of Node's that a fetch body was read through is not the project's to close; what is, is the
 * response it left half read while the connection still receives it: one finding per such body, at the read.
 */
export const unfinishedBodies: Detector = {
  ids: ['stuck-stream'],
  run(j) {
    if (j.program) return;
    const { state, ctx } = j;
    const bodies = state.readables.filter((r) => unfinishedFetchBody(r, ctx)).length;
    const reads = state.generators.filter((g) => bodyIteratorAbandoned(g, ctx)).slice(0, bodies);
    j.findings.push(...j.judge(reads, (g) => g.generator, (kept) => unfinishedBodyFindings(kept, ctx)));
  },
};
