/**
 * Dying of SIGINT or SIGTERM with a report. A process can hold more than one of
 * asyncsan's front ends (the program tracer, race mode), each loaded separately
 * (`--import`), and each with something to write before the process dies: one
 * listener per process runs what each registered, in order, then re-raises the
 * signal so that the process dies of it as it would have. A program that listens
 * for the signal itself decides what happens: nothing is run then (its own exit
 * path reports).
 */

export type SignalHandler = (signal: NodeJS.Signals) => void | Promise<void>;

interface Hub {
  readonly handlers: SignalHandler[];
  readonly listener: (signal: NodeJS.Signals) => void;
}

/** Shared through the global: the front ends may be different copies of this module. */
const HUB = Symbol.for('asyncsan.signals');
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM'];

function hub(): Hub {
  const g = globalThis as { [HUB]?: Hub };
  const existing = g[HUB];
  if (existing) return existing;
  let dying = false;
  const handlers: SignalHandler[] = [];
  const listener = (signal: NodeJS.Signals) => {
    // A second Ctrl-C (the terminal's and the one `asyncsan run` forwards) while the reports are written: ignored.
    if (dying || programListens(signal)) return;
    dying = true;
    void (async () => {
      for (const handler of handlers) {
        try {
          await handler(signal);
        } catch {
          // One front end's failure must not keep the others from writing, nor the process alive.
        }
      }
      for (const s of SIGNALS) process.off(s, listener);
      process.kill(process.pid, signal);
    })();
  };
  const created: Hub = { handlers, listener };
  g[HUB] = created;
  for (const s of SIGNALS) process.on(s, listener);
  return created;
}

/** Whether the program itself listens for the signal (asyncsan's own listener aside). */
export function programListens(signal: NodeJS.Signals): boolean {
  const own = (globalThis as { [HUB]?: Hub })[HUB]?.listener;
  return process.listeners(signal).some((l) => l !== own);
}

/**
 * Runs `handler` when SIGINT or SIGTERM would kill the process (the program does not
 * listen for it), before the process dies of it. Main thread only: signals are delivered there.
 */
export function beforeSignalDeath(handler: SignalHandler): void {
  hub().handlers.push(handler);
}
