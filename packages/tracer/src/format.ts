/**
 * Stage 5, format: one Finding per leftover, with a message that says what it
 * is and where it came from, and a fix hint per kind.
 */
import type { Finding, HazardId, Stack, TestRef } from '@asyncsan/core';
import { requireEntry } from '@asyncsan/core/catalog';
import { decidingFrame, isTracerFrame, firstUserFrame, locationOf, parseStack, toStack, type AttributeOptions, type ParsedFrame } from './attribute.js';
import { ownerSite } from './api-sites.js';
import { generatorCode } from './iterators.js';
import { CANCELLED_BODY_HINT, outerUserFrame } from './web-streams.js';
import type { AwaitChain, LeftResource } from './diff.js';
import type { GeneratorRecord, EventWaitRecord, StreamWriteRecord, ListenerRecord, RejectionRecord, ResourceRecord } from './state.js';

export interface FormatContext extends AttributeOptions {
  scopeName: string;
  test?: TestRef;
  /** "scope" for API scopes, "program" for the whole-program front end. */
  noun: string;
  /** When the judgement happened, e.g. "when it ends", "when SIGINT arrived". */
  when: string;
  /** Only what holds the process open is reported (a signal interrupted it): say so. */
  keepsAlive?: boolean;
}

export function finding(
  id: HazardId,
  message: string,
  at: ParsedFrame,
  stacks: Stack[],
  hint: string | undefined,
  ctx: FormatContext,
): Finding {
  const entry = requireEntry(id);
  const f: Finding = {
    id,
    severity: entry.defaultSeverity,
    message,
    engine: 'tracer',
    location: locationOf(at),
    stacks,
    hint: hint ?? entry.hint,
  };
  if (ctx.test) f.test = ctx.test;
  return f;
}

interface TimeoutFields {
  _idleTimeout?: number;
  _repeat?: number | null;
}

export interface ResourceText {
  id: 'leaked-timer' | 'leaked-handle';
  what: string;
  state: string;
  hint: string;
}

export function describe(left: LeftResource): ResourceText {
  const { type, resource } = left.record;
  switch (type) {
    case 'Timeout': {
      const t = resource as TimeoutFields;
      const interval = t._repeat !== null && t._repeat !== undefined;
      const ms = t._idleTimeout ?? 0;
      return interval
        ? {
            id: 'leaked-timer',
            what: `setInterval(…, ${ms})`,
            state: 'is still armed',
            hint: 'Keep the handle and clearInterval it when its owner stops (close(), dispose(), afterEach).',
          }
        : {
            id: 'leaked-timer',
            what: `setTimeout(…, ${ms})`,
            state: 'has not fired yet',
            hint: 'Keep the handle and clearTimeout it when the work it guards is done or cancelled.',
          };
    }
    case 'Immediate':
      return { id: 'leaked-timer', what: 'setImmediate(…)', state: 'has not run yet', hint: 'Keep the handle and clearImmediate it, or stop re-scheduling it when the owner stops.' };
    case 'TCPSERVERWRAP':
    case 'PIPESERVERWRAP':
      return { id: 'leaked-handle', what: 'A server', state: 'is still listening', hint: 'Call server.close() (and close its open connections) when the scope ends.' };
    case 'TCPWRAP':
    case 'PIPEWRAP':
      return { id: 'leaked-handle', what: type === 'TCPWRAP' ? 'A TCP socket' : 'A pipe or IPC socket', state: 'is still open', hint: 'End or destroy the socket (socket.destroy()) when the scope ends.' };
    case 'UDPWRAP':
      return { id: 'leaked-handle', what: 'A UDP socket', state: 'is still open', hint: 'Call socket.close() when the scope ends.' };
    case 'PROCESSWRAP':
      return { id: 'leaked-handle', what: 'A child process', state: 'is still running', hint: "Wait for the child's 'exit' or kill() it when the scope ends." };
    case 'FSEVENTWRAP':
      return { id: 'leaked-handle', what: 'An fs.watch() watcher', state: 'is still watching', hint: 'Call watcher.close() when the scope ends, or pass { signal }.' };
    case 'STATWATCHER':
      return { id: 'leaked-handle', what: 'An fs.watchFile() watcher', state: 'is still polling', hint: 'Call fs.unwatchFile() with the same listener when the scope ends.' };
    case 'WORKER':
      return { id: 'leaked-handle', what: 'A worker thread', state: 'is still running', hint: 'Call worker.terminate() or let the worker exit before the scope ends.' };
    case 'MESSAGEPORT':
      return { id: 'leaked-handle', what: 'A MessagePort', state: 'is still open', hint: 'Call port.close() on both ends of the channel when the scope ends.' };
    case 'FILEHANDLE':
      return { id: 'leaked-handle', what: 'A FileHandle (fs.promises.open)', state: 'is still open', hint: 'Close it in finally (await handle.close()) or use `await using`.' };
    default:
      return { id: 'leaked-handle', what: `A ${type} handle`, state: 'is still open', hint: requireEntry('leaked-handle').hint };
  }
}

/** The function a timer was created with (setTimeout, setInterval, setImmediate); undefined for handles. */
function timerApi(record: ResourceRecord): string | undefined {
  if (record.type === 'Immediate') return 'setImmediate';
  if (record.type !== 'Timeout') return undefined;
  const repeat = (record.resource as TimeoutFields)._repeat;
  return repeat !== null && repeat !== undefined ? 'setInterval' : 'setTimeout';
}

/**
 * Sites found in a record's own creation stack, which never changes: one judgement asks for the same
 * record up to three times (its finding, the bleed watch on it, a task asleep on it), and parsing is the cost.
 * The options that shape the parse (cwd, internal and runner paths, source maps) are the tracer's, fixed per record.
 */
const ownSites = new WeakMap<ResourceRecord, { frames: ParsedFrame[]; at: ParsedFrame }>();

/** Where user code created a timer or handle (past thin wrappers named after the timer API); undefined when only runtime or library code did. */
export function resourceSite(record: ResourceRecord, ctx: AttributeOptions): { frames: ParsedFrame[]; at: ParsedFrame } | undefined {
  const known = ownSites.get(record);
  if (known !== undefined) return known;
  let frames = parseStack(record.site?.stack, ctx);
  let at = decidingFrame(frames, timerApi(record));
  if (at) {
    const own = { frames, at };
    ownSites.set(record, own);
    return own;
  }
  // Created inside a runtime callback (after a DNS lookup, on accept): blame where user code started it.
  for (const fallback of [ownerSite(record.resource), record.origin]) {
    if (at || !fallback) continue;
    frames = parseStack(fallback.stack, ctx);
    at = firstUserFrame(frames);
  }
  return at ? { frames, at } : undefined;
}

/** When one call opens several handles (a child process and its stdio pipes), the one named. */
const TYPE_RANK = ['PROCESSWRAP', 'WORKER', 'TCPSERVERWRAP', 'PIPESERVERWRAP', 'FSEVENTWRAP', 'STATWATCHER', 'TCPWRAP', 'UDPWRAP', 'FILEHANDLE', 'MESSAGEPORT', 'PIPEWRAP', 'Timeout', 'Immediate'];
const rank = (type: string) => {
  const i = TYPE_RANK.indexOf(type);
  return i < 0 ? TYPE_RANK.length : i;
};

interface Group {
  lead: LeftResource;
  frames: ParsedFrame[];
  at: ParsedFrame;
  counts: Map<string, number>;
}

/** Groups leftovers created at the same place into one finding (with a `count`), named after the most telling handle. */
export function resourceFindings(left: readonly LeftResource[], ctx: FormatContext): Finding[] {
  const groups = new Map<string, Group>();
  for (const l of left) {
    const site = resourceSite(l.record, ctx);
    if (!site) continue; // created entirely by library or runtime code: not the user's to fix
    const { frames, at } = site;
    const key = `${describe(l).id}|${l.record.idleGuard === true}|${at.absolute}:${at.line}:${at.column}`;
    const g = groups.get(key);
    if (g) {
      g.counts.set(l.record.type, (g.counts.get(l.record.type) ?? 0) + 1);
      if (rank(l.record.type) < rank(g.lead.record.type)) g.lead = l;
    } else groups.set(key, { lead: l, frames, at, counts: new Map([[l.record.type, 1]]) });
  }
  return [...groups.values()].map(({ lead, frames, at, counts }) => {
    const text = describe(lead);
    const count = counts.get(lead.record.type) ?? 1;
    const alive = ctx.keepsAlive ? `, keeping the ${ctx.noun.startsWith('worker') ? 'worker' : 'process'} alive` : '';
    if (lead.record.idleGuard === true) {
      // A timeout guarding a promise that settled without it: firing can only settle that promise again.
      const holds = lead.refed ? `, but it keeps the ${ctx.noun.startsWith('worker') ? 'worker' : 'process'} alive until it fires` : '';
      const message =
        `${text.what}, armed in a Promise executor as a guard, ${text.state} ${ctx.when}${alive}; the promise it guards has already settled, ` +
        `so all it can do is settle it again, which does nothing${holds}`;
      const hint = 'Clear the guard once the promise settles (clearTimeout in a finally), or use AbortSignal.timeout(ms), which goes away by itself.';
      const f = finding(text.id, message, at, [toStack('created at', frames)], hint, ctx);
      f.severity = 'info';
      if (count > 1) f.count = count;
      return f;
    }
    const message = `${text.what} created in this ${ctx.noun} ${text.state} ${ctx.when}${alive}`;
    const f = finding(text.id, message, at, [toStack('created at', frames)], text.hint, ctx);
    if (count > 1) f.count = count;
    return f;
  });
}

export function fnName(frame: ParsedFrame): string {
  return frame.function ? `async ${frame.function}` : 'an async function';
}

const PROVEN_HINT =
  'Nothing leaks: the task and what it awaits were collected. If the task has cleanup to run, make what it awaits settle (reject a read when its signal aborts); a deliberate wait forever needs nothing.';

export function unsettledFindings(chains: readonly AwaitChain[], ctx: FormatContext, sleepsOn?: ReadonlyMap<AwaitChain, readonly LeftResource[]>): Finding[] {
  return chains.map((c) => {
    const waiters = c.frames.slice(c.frames.indexOf(c.at) + 1).filter((f) => !f.external);
    const by = waiters.length > 0 ? `; awaited by ${waiters.map((f) => f.function ?? '<anonymous>').join(' ← ')}` : '';
    const timers = sleepsOn?.get(c);
    const timer = timers?.[0];
    if (timer !== undefined) {
      // One root cause: the task sleeps on a timer of its scope; the timer is not reported on its own.
      const site = resourceSite(timer.record, ctx);
      const armed = site ? ` (armed at ${site.at.file}:${site.at.line})` : '';
      const more = timers!.length > 1 ? ` (${timers!.length} tasks asleep here, each on its own timer)` : '';
      const message = `${fnName(c.at)} started in this ${ctx.noun} never completed: it is still asleep at this await ${ctx.when}, until ${describe(timer).what}${armed} fires after the ${ctx.noun} ended${more}${by}`;
      const f = finding('unsettled-task', message, c.at, [toStack('await chain', c.frames), ...(site ? [toStack('timer created at', site.frames)] : [])], 'Await the task before the scope ends, or cancel it: clear its timer and settle what it waits on (an AbortSignal does both).', ctx);
      if (site) f.related = [{ label: 'timer armed at', location: locationOf(site.at) }];
      return f;
    }
    if (c.body !== undefined && !c.proven) return bodyWorkFinding(c, ctx, by);
    if (c.proven) {
      // Go's leaked goroutine is blocked and still holds what it references; this one cannot even be found:
      // the promise it waits on was collected, so the task goes with it. Its finally blocks never run, but nothing leaks.
      const message =
        `${fnName(c.at)} started in this ${ctx.noun} never completed: ${ctx.when} it waits at this await on a promise that nothing references any more${by}. ` +
        'Proven by a garbage collection: nothing can ever settle that promise, so the task never resumes and its finally blocks never run, ' +
        'but it is garbage (collected with everything it holds), not a leak';
      const f = finding('unsettled-task', message, c.at, [toStack('await chain', c.frames)], PROVEN_HINT, ctx);
      f.severity = 'info';
      return f;
    }
    const message = `${fnName(c.at)} started in this ${ctx.noun} never completed: it is still suspended at this await ${ctx.when}${by}`;
    return finding('unsettled-task', message, c.at, [toStack('await chain', c.frames)], undefined, ctx);
  });
}

/** A task left running that is a web stream's work rather than the scope's (web-streams.ts): info. */
function bodyWorkFinding(c: AwaitChain, ctx: FormatContext, by: string): Finding {
  const outer = outerUserFrame(c);
  let message: string;
  let hint: string;
  if (c.body === 'pull') {
    message =
      `${fnName(outer)}, a web stream's pull(), is still waiting at this await ${ctx.when}, for a read from another web stream${by}: ` +
      `the stream called it to refill its queue and awaits it (the ${ctx.noun} left the body neither read to the end nor cancelled); ` +
      'it finishes once that stream is written to or closed';
    hint = `Read the body to the end or cancel it before the ${ctx.noun} ends. If its producer has finished, check that it closes the stream it writes into: otherwise the body never ends.`;
  } else {
    message =
      `${fnName(outer)} started in this ${ctx.noun} is still running ${ctx.when}, writing into a web stream whose reader cancelled it ` +
      `(a body the ${ctx.noun} cancelled): its writes go nowhere; it is the body's producer, not work the ${ctx.noun} waits for, and runs until its own loop ends${by}`;
    hint = CANCELLED_BODY_HINT;
  }
  const f = finding('unsettled-task', message, c.at, [toStack('await chain', c.frames)], hint, ctx);
  f.severity = 'info';
  return f;
}

/** What an events.once() wait waits for, e.g. "'ready' from an EventEmitter", and the line it waits at. */
export function describeEventWait(wait: EventWaitRecord, ctx: AttributeOptions): { line: string; what: string } | undefined {
  const at = firstUserFrame(parseStack(wait.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute)));
  if (!at) return undefined;
  const event = typeof wait.event === 'symbol' ? wait.event.toString() : `'${wait.event}'`;
  const name = targetName(wait.emitter);
  return { line: `${at.absolute}:${at.line}`, what: `${event} from ${/^[aeiou]/i.test(name) ? 'an' : 'a'} ${name}` };
}

export function targetName(target: object): string {
  try {
    const name = (target as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? name : 'emitter';
  } catch {
    // A user object (a Proxy, a throwing constructor getter): name it generically.
    return 'emitter';
  }
}

/** "Name: message" of a rejection reason; its getters and conversions are user code and may throw. */
function describeReason(reason: unknown): string {
  try {
    return reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason);
  } catch {
    return 'a value that cannot be converted to a string';
  }
}

export function listenerFindings(listeners: Iterable<ListenerRecord>, ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const l of listeners) {
    const frames = parseStack(l.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    // Only listeners user code added itself: runtime and library internals manage their own.
    const at = frames[0];
    if (!at || at.external) continue;
    const event = typeof l.event === 'symbol' ? l.event.toString() : `'${l.event}'`;
    const how = l.kind === 'emitter' ? 'off()/removeListener()' : 'removeEventListener() (or pass { once: true } / { signal })';
    const message = `A ${event} listener added in this ${ctx.noun} to a ${targetName(l.target)} created before it is still registered ${ctx.when}: the closure lives as long as the ${targetName(l.target)}`;
    out.push(finding('leaked-listener', message, at, [toStack('added at', frames)], `Remove it with ${how} when the work ends.`, ctx));
  }
  return out;
}

export function rejectionFindings(rejections: readonly RejectionRecord[], ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const r of rejections) {
    const frames = parseStack(r.stack, ctx);
    // Where the rejected promise was made (Promise.reject(e)) is where a handler belongs; the error may come from anywhere.
    const made = parseStack(r.site?.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const madeAt = firstUserFrame(made);
    const at = madeAt ?? firstUserFrame(frames);
    if (!at) continue;
    const what = describeReason(r.reason);
    const message = r.thrown
      ? `A callback started in this ${ctx.noun} threw and nothing caught it (${what})`
      : `A promise of this ${ctx.noun} rejected and no handler was attached (${what})`;
    const stacks = madeAt ? [toStack('rejected promise made at', made), ...(frames.length > 0 ? [toStack('error created at', frames)] : [])] : [toStack(r.thrown ? 'thrown at' : 'rejected with', frames)];
    if (r.handledBy !== undefined && !r.thrown) {
      // The scope itself listens for unhandled rejections (a test asserting that a library reports a callback's
      // error out of band): it expects this one. Not a finding.
      if (r.handledBy.site !== undefined) continue;
      // Handled out of band by a process-level listener the program installed earlier (a safety net that logs):
      // the process does not crash, but the promise still had no handler where it was made.
      const f = finding(
        'unhandled-rejection',
        `${message}; a process 'unhandledRejection' listener of the program's own received it, so nothing crashes: reported for information`,
        at,
        stacks,
        'If the rejection is not meant to reach the process-level listener, handle it where the promise is made (.catch() or await).',
        ctx,
      );
      f.severity = 'info';
      out.push(f);
      continue;
    }
    out.push(finding('unhandled-rejection', message, at, stacks, undefined, ctx));
  }
  return out;
}

export function stuckEventWaitFindings(waits: ReadonlyArray<{ wait: EventWaitRecord; why: string }>, ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const { wait, why } of waits) {
    const frames = parseStack(wait.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const at = firstUserFrame(frames);
    if (!at) continue;
    const name = targetName(wait.emitter);
    const event = typeof wait.event === 'symbol' ? wait.event.toString() : `'${wait.event}'`;
    const message =
      wait.kind === 'on'
        ? `for await over on(${name}, ${event}) is still waiting for the next event ${ctx.when}, but the ${name} ${why}: no event can arrive and the loop never ends`
        : `once(${name}, ${event}) is still waiting ${ctx.when}, but the ${name} ${why}: the event can never fire and the task awaiting it hangs`;
    out.push(finding('stuck-event-wait', message, at, [toStack('waiting at', frames)], undefined, ctx));
  }
  return out;
}

export function stuckStreamFindings(writes: readonly StreamWriteRecord[], ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const w of writes) {
    const frames = parseStack(w.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const at = firstUserFrame(frames);
    if (!at) continue;
    const name = targetName(w.stream);
    const buffered = (w.stream as { writableLength?: number }).writableLength ?? 0;
    const message = `write() to this ${name} returned false and it still waits for 'drain' ${ctx.when}, with ${buffered} bytes buffered: nothing consumes the other side, so the data is never delivered`;
    out.push(finding('stuck-stream', message, at, [toStack('written at', frames)], undefined, ctx));
  }
  return out;
}

export function stuckPortFindings(stuck: ReadonlyArray<{ count: number; site: { stack?: string } }>, ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const p of stuck) {
    const frames = parseStack(p.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const at = firstUserFrame(frames);
    if (!at) continue;
    const what = p.count === 1 ? 'A message posted here waits' : `${p.count} messages posted through this port wait`;
    const message = `${what} ${ctx.when} at the other end of the channel, which has no 'message' listener and was never started: it is never delivered`;
    out.push(finding('stuck-port', message, at, [toStack('posted at', frames)], undefined, ctx));
  }
  return out;
}

export function abandonedIteratorFindings(generators: readonly GeneratorRecord[], ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const g of generators) {
    const frames = parseStack(g.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const at = firstUserFrame(frames);
    if (!at) continue;
    const code = generatorCode(g, ctx);
    const name = code?.function !== undefined ? `The async generator ${code.function}` : 'An async generator';
    const message = `${name} consumed here is still suspended at a yield ${ctx.when}: nobody will call next() or return() again, so its finally blocks never run`;
    const f = finding('abandoned-iterator', message, at, [toStack('consumed at', frames)], undefined, ctx);
    if (code !== undefined) f.related = [{ label: 'generator code', location: locationOf(code) }];
    out.push(f);
  }
  return out;
}

export function unreadStreamFindings(readables: readonly StreamWriteRecord[], ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const r of readables) {
    const frames = parseStack(r.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const at = firstUserFrame(frames);
    if (!at) continue;
    const name = targetName(r.stream);
    const buffered = (r.stream as { readableLength?: number }).readableLength ?? 0;
    const message = `This ${name} created in this ${ctx.noun} still holds ${buffered} unread bytes ${ctx.when} and nothing reads it (paused, no 'data' or 'readable' listener): the data is never delivered`;
    out.push(finding('stuck-stream', message, at, [toStack('created at', frames)], undefined, ctx));
  }
  return out;
}

/**
 * A fetch() response whose body the scope began to read (at `g`'s first next()) and left
 * neither read to the end nor cancelled while its connection is still receiving it.
 */
export function unfinishedBodyFindings(generators: readonly GeneratorRecord[], ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const g of generators) {
    const frames = parseStack(g.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const at = firstUserFrame(frames);
    if (!at) continue;
    const message =
      `The body of a fetch() response read here was neither read to the end nor cancelled ${ctx.when}, and its connection is still busy receiving it: ` +
      'the socket stays open (and a server waiting to close keeps waiting) until the response is garbage-collected';
    const hint = 'Read the body to the end (await res.text(), res.arrayBuffer()) or cancel what you do not read (await reader.cancel(), await res.body?.cancel()).';
    out.push(finding('stuck-stream', message, at, [toStack('read at', frames)], hint, ctx));
  }
  return out;
}
