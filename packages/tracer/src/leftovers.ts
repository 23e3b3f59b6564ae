/**
 * floating-promise at runtime: a task a scope left running when it ended (a test's body and
 * hooks had returned) that finished only while the judgement settled. Without the tracer that
 * work lands in whatever runs next, the next test, which it may make fail; the settle would let
 * it finish unseen. The tasks running at the end are read (their await chains) before the
 * settle, watched after every settle turn, and those whose every await settled meanwhile, and
 * that no chain still running continues, are reported: what was left running, where it was
 * started, how long after the end it finished. Tasks still running after the settle are
 * unsettled-task, as before.
 */
import type { Finding } from '@asyncsan/core';
import { sameFrame, toStack, type AttributeOptions } from './attribute.js';
import { now } from './capture.js';
import { dropPromises, type AwaitChain } from './diff.js';
import { finding, type FormatContext } from './format.js';
import type { ScopeState } from './state.js';
import { bodyWork, CANCELLED_BODY_HINT, outerUserFrame } from './web-streams.js';

export interface FinishedTask {
  /** The chain as it was when the scope ended. */
  chain: AwaitChain;
  /** Milliseconds from the scope's end to when its last await was seen settled. */
  afterMs: number;
  /** Another scope (a test) running when it finished, if any: where its work landed. */
  during?: { noun: string; name: string };
  /** It kept writing into a web stream whose reader had cancelled it (a body the scope cancelled). */
  intoCancelledBody?: boolean;
}

interface Watched {
  chain: AwaitChain;
  finishedAt?: number;
  during?: { noun: string; name: string };
}

const startedAt = outerUserFrame;


export class LeftRunning {
  private readonly watched: Watched[];

  constructor(
    chains: readonly AwaitChain[],
    private readonly state: ScopeState,
    private readonly isPending: (promise: Promise<unknown>) => boolean,
    private readonly running: () => Iterable<ScopeState>,
  ) {
    this.watched = chains.filter((c) => (c.tasks?.length ?? 0) > 0).map((chain) => ({ chain }));
  }

  /** After a settle turn: which of the tasks have no await pending any more. */
  poll(): void {
    for (const w of this.watched) {
      if (w.finishedAt !== undefined || w.chain.tasks!.some((p) => this.isPending(p))) continue;
      w.finishedAt = now();
      for (const s of this.running()) {
        if (s === this.state || s.ended || s.internal || s.clock.endedAt !== undefined) continue;
        w.during = { noun: s.test ? 'test' : 'scope', name: s.name };
        break;
      }
    }
  }

  /**
   * The tasks that finished during the settle, given the chains still pending after it (a task
   * that moved on to another await is still running: it is judged as such). Lets go of the promises.
   */
  finished(after: readonly AwaitChain[], options: AttributeOptions): FinishedTask[] {
    const endedAt = this.state.clock.endedAt ?? now();
    const out: FinishedTask[] = [];
    for (const w of this.watched) {
      const work = w.finishedAt === undefined ? undefined : bodyWork(w.chain, this.state, options, w.chain.tasks);
      delete w.chain.tasks;
      dropPromises(w.chain);
      if (w.finishedAt === undefined) continue;
      // A web stream's pull() is awaited by the stream that called it: not floating.
      if (work === 'pull') continue;
      const root = startedAt(w.chain);
      if (after.some((c) => c.frames.some((f) => sameFrame(f, root)))) continue;
      out.push({
        chain: w.chain,
        afterMs: Math.max(0, Math.round(w.finishedAt - endedAt)),
        ...(w.during ? { during: w.during } : {}),
        ...(work === 'cancelled' ? { intoCancelledBody: true } : {}),
      });
    }
    this.watched.length = 0;
    return out;
  }
}

export function floatingFindings(tasks: readonly FinishedTask[], ctx: FormatContext): Finding[] {
  return tasks.map(({ chain, afterMs, during, intoCancelledBody }) => {
    const at = startedAt(chain);
    const what = at.function ? `async ${at.function}` : 'An async function';
    const landed = during ? `, while ${during.noun} "${during.name}" was running` : '';
    if (intoCancelledBody) {
      // A body's producer (a stream helper runs it detached) that does not stop on cancel: its bounded work
      // after the end only wrote into a stream nobody can read any more, and it stopped by itself.
      const message =
        `${what} started in this ${ctx.noun} was still running when the ${ctx.noun} ended, writing into a web stream whose reader had cancelled it ` +
        `(a body the ${ctx.noun} cancelled), and finished ${afterMs} ms later${landed}: its writes went nowhere; it is the body's producer, not work the ${ctx.noun} waits for`;
      const f = finding('floating-promise', message, at, [toStack(`await chain when the ${ctx.noun} ended`, chain.frames)], CANCELLED_BODY_HINT, ctx);
      f.severity = 'info';
      if (chain.at !== at) f.related = [{ label: `suspended here when the ${ctx.noun} ended`, location: { file: chain.at.file, line: chain.at.line, column: chain.at.column } }];
      return f;
    }
    const message = `${what} started in this ${ctx.noun} was still running when the ${ctx.noun} ended and finished ${afterMs} ms later${landed}: nothing awaited it`;
    const f = finding('floating-promise', message, at, [toStack(`await chain when the ${ctx.noun} ended`, chain.frames)], undefined, ctx);
    f.hint = `Await it (for a loop, collect the promises and await Promise.all), so the ${ctx.noun} ends after the work it started and sees its errors.`;
    if (chain.at !== at) f.related = [{ label: `suspended here when the ${ctx.noun} ended`, location: { file: chain.at.file, line: chain.at.line, column: chain.at.column } }];
    return f;
  });
}
