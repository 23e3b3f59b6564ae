/**
 * Where is a pending async function suspended? V8 builds async stack traces by
 * walking from the current reaction job's promise through single-reaction
 * promise chains, naming every async function that awaits along the way, at its
 * suspended `await`. We run a tiny reaction job whose chain leads into the
 * promise we want to ask about, and read the stack there. Only done at judgement,
 * for pending promises, so the hot path never pays for stacks.
 */

const PROBE_FRAMES = 64;

function noop(): void {}

export interface ProbedStack {
  /** The stack as formatted by whatever prepareStackTrace is installed (source maps applied). */
  text: string;
  /** Per formatted frame line, whether V8 marked it as an async frame; undefined when the lines could not be matched. */
  async?: boolean[];
}

type Prepare = (error: Error, sites: NodeJS.CallSite[]) => unknown;

function captureText(): string {
  const holder: { stack?: string } = {};
  Error.captureStackTrace(holder);
  return String(holder.stack ?? '');
}

/**
 * Captures the stack here, keeping V8's async flag per frame while the installed formatter writes the text.
 * When this realm has no Error.prepareStackTrace (a vm context, as in Vitest's vmThreads pool), the runtime
 * formats stacks with the main realm's formatter, which applies the source maps; a formatter of ours on this
 * realm's Error would shadow it and leave transformed line numbers (off by what the transform added). So
 * there the text comes from a capture with no formatter of ours, and the flags from a second capture at the
 * same depth (same frames, only this function's own line differs).
 */
function captureWithAsyncFlags(): ProbedStack {
  const previous = Error.prepareStackTrace as Prepare | undefined;
  let flags: boolean[] | undefined;
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = PROBE_FRAMES;
  try {
    let text: string;
    if (previous) {
      Error.prepareStackTrace = (error: Error, sites: NodeJS.CallSite[]) => {
        flags = sites.map((s) => s.isAsync());
        try {
          return previous(error, sites);
        } catch {
          // A user's formatter that throws: V8's own frame lines instead (attribute.ts formatCallSites;
          // not imported, this module stays self-contained).
          return ['Error', ...sites.map((site) => `    at ${String(site)}`)].join('\n');
        }
      };
      text = captureText();
    } else {
      text = captureText();
      Error.prepareStackTrace = (_error: Error, sites: NodeJS.CallSite[]) => {
        flags = sites.map((s) => s.isAsync());
        return '';
      };
      captureText();
    }
    // A formatter that drops or adds frame lines breaks the line-to-site match: trust the text alone then.
    const lines = text.split('\n').filter((l) => /^\s*at /.test(l)).length;
    return { text, async: flags && flags.length === lines ? flags : undefined };
  } finally {
    Error.stackTraceLimit = limit;
    (Error as { prepareStackTrace?: Prepare }).prepareStackTrace = previous;
  }
}

/**
 * Resolves with the stack whose async frames are the tasks awaiting `target`
 * (innermost first); no async frames when nothing awaits it.
 */
export function probeAwaiters(target: Promise<unknown>): Promise<ProbedStack> {
  return new Promise<ProbedStack>((resolve) => {
    // `start` is the promise of the job that runs `read`: V8 begins the walk there.
    const start = Promise.resolve().then(function read() {
      // A throw here (a user's prepareStackTrace) would leave the probe, and the judgement awaiting
      // it, pending for ever. No imports in this module: it is also evaluated alone in vm contexts.
      try {
        resolve(captureWithAsyncFlags());
      } catch {
        resolve({ text: '' });
      }
    });
    // Give `start` exactly one reaction whose capability promise is `target`:
    // `then` builds the capability through the species constructor we supply.
    function Capability(executor: (res: () => void, rej: () => void) => void): Promise<unknown> {
      executor(noop, noop);
      return target;
    }
    Reflect.defineProperty(start, 'constructor', {
      value: { [Symbol.species]: Capability },
      configurable: true,
    });
    void start.then(undefined, undefined);
  });
}
