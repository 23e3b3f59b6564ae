/**
 * Stage 3, diff: what the scope created and still holds once it has settled —
 * live timers and handles, pending async tasks (with the await each is
 * suspended on), listeners still registered, rejections nobody handled.
 */
import type * as Http from 'node:http';
import type * as Https from 'node:https';
import { createRequire } from 'node:module';
import path from 'node:path';
import { probeAwaiters, type ProbedStack } from './await-chain.js';
import { awaitedTimeoutSignal, CONNECTION_TYPES, handleOwner, isOpen, zlibBusy, type OutsideHandle, type PendingRequest } from './capture.js';
import { isTracerFrame, parseStack, type AttributeOptions, type ParsedFrame } from './attribute.js';
import type { ResourceRecord, ScopeState } from './state.js';

export function isRefed(record: ResourceRecord): boolean {
  const r = record.resource as { hasRef?: () => unknown };
  try {
    return typeof r.hasRef === 'function' && r.hasRef() === true;
  } catch {
    return false;
  }
}

/** process.stdout/stderr/stdin as pipes or sockets: opened lazily on first use, owned by the process. */
function isStdio(record: ResourceRecord): boolean {
  const fd = (record.resource as { fd?: unknown }).fd;
  return typeof fd === 'number' && fd >= 0 && fd <= 2;
}

export interface LeftResource {
  record: ResourceRecord;
  refed: boolean;
}

/**
 * The callback only settles a promise: a resolve or reject function itself (native), or a
 * function whose whole body is one call of a plain name whose arguments call nothing but
 * constructors (`() => reject(new Error('timeout'))`).
 */
export function onlySettles(fn: unknown): boolean {
  if (typeof fn !== 'function') return false;
  let text: string;
  try {
    text = Function.prototype.toString.call(fn);
  } catch {
    return false;
  }
  // A promise's resolving functions are native and anonymous; a bound function prints alike but is named
  // `bound …` (`setTimeout(socket.destroy.bind(socket), 30000)`, ws' closing timer, settles nothing).
  if (/^function \(\) \{ \[native code\] \}$/.test(text)) return (fn as { name?: unknown }).name === '';
  const m = /^(?:function\s*[\w$]*\s*\([\w$\s,]*\)|\([\w$\s,]*\)\s*=>|[\w$]+\s*=>)\s*(\{[\s\S]*\}|[\s\S]*)$/.exec(text.trim());
  if (!m) return false;
  let body = m[1]!.trim();
  if (body.startsWith('{')) body = body.slice(1, -1).trim();
  body = body.replace(/;$/, '').trim();
  const call = /^(?:return\s+)?[\w$]+\(([\s\S]*)\)$/.exec(body);
  if (!call) return false;
  // Every other call in the arguments must be a `new`: a literal, an error built for the rejection.
  const args = call[1]!;
  const calls = args.match(/[\w$.\]\)]\s*\(/g)?.length ?? 0;
  const news = args.match(/\bnew\s+[\w$.]+\s*\(/g)?.length ?? 0;
  return calls === news && !args.includes('=>') && !/\bfunction\b/.test(args);
}

/** User frames between a timer and the `new Promise` whose executor armed it: the executor and a thin helper or two. */
const EXECUTOR_DEPTH = 3;
/** All frames there (a fake clock's own, a library's): beyond this, the executor is too far to be the one. */
const EXECUTOR_REACH = 12;

/**
 * Was the timer of this creation stack armed by a Promise executor, right there: `new Promise`
 * just below the code that armed it? Then the latest promise born before the timer is the one
 * that executor is constructing (its resolve or reject is what the timer's callback can reach).
 */
export function armedInExecutor(stack: string | undefined, options: AttributeOptions): boolean {
  if (typeof stack !== 'string') return false;
  const executorAt = stack
    .split('\n')
    .filter((l) => /^\s*at /.test(l))
    .findIndex((l) => /^\s*at new Promise \(<anonymous>\)$/.test(l));
  if (executorAt < 0) return false;
  const above = parseStack(stack, options).filter((f) => f.index < executorAt && !isTracerFrame(f.absolute) && !f.absolute.startsWith('node:'));
  return above.length <= EXECUTOR_REACH && above.filter((f) => !f.external).length <= EXECUTOR_DEPTH;
}

export function markIdleGuards(scope: ScopeState, options: AttributeOptions): void {
  for (const r of scope.resources.values()) {
    if (r.type !== 'Timeout' || r.promiseBefore === undefined || r.site === undefined || !isOpen(r)) continue;
    const t = r.resource as { _repeat?: number | null; _onTimeout?: unknown };
    if (t._repeat !== null && t._repeat !== undefined) continue;
    if (!armedInExecutor(r.site.stack, options)) continue;
    if (!onlySettles(t._onTimeout)) continue;
    // Its promise settled, or it is still pending but lost a race that is over: nobody listens any more.
    const race = scope.raced?.get(r.promiseBefore);
    if (scope.pending.hasId(r.promiseBefore) && (race === undefined || scope.pending.hasId(race))) continue;
    r.idleGuard = true;
  }
}

/** Timers and handles the scope created that are still open. */
export function leftResources(scope: ScopeState, options: { refedOnly: boolean }): LeftResource[] {
  const out: LeftResource[] = [];
  for (const record of scope.resources.values()) {
    if (!isOpen(record) || isStdio(record)) continue;
    // AbortSignal.timeout's timer: Node keeps it unref'd and clears it when the signal is collected.
    if (record.timeoutSignal !== undefined) continue;
    const refed = isRefed(record);
    // A port nobody listens on is not started: it holds nothing open.
    if (record.type === 'MESSAGEPORT' && !refed) continue;
    if (options.refedOnly && !refed) continue;
    out.push({ record, refed });
  }
  return out;
}

/** What hasScheduledWork reads beside the scope: the capture's registries of process-wide work. */
export interface WorkRegistry {
  readonly requests: Map<number, PendingRequest>;
  readonly zlibs: Set<WeakRef<object>>;
  readonly outside: Set<OutsideHandle>;
  readonly live: ReadonlySet<ScopeState>;
}

/**
 * Could anything still call back into the scope? What Node counts when it decides whether the
 * process may exit, narrowed to what can plausibly wake this scope:
 * - its own ref'd timers and handles (an unref'd timer is someone's watchdog, a test runner's
 *   timeout, not work the scope waits for; the exception is an AbortSignal.timeout timer whose
 *   abort someone listens for);
 * - every async resource that has not called back yet: a file read, a DNS lookup, a thread-pool
 *   job (crypto, zlib), a native addon's work, wherever it was started (one started at module
 *   level or by another test may be what this one awaits). A JavaScript AsyncResource counts only
 *   when a live scope created it: outside, it is a context carrier that may never run;
 * - a zlib stream still working through its input;
 * - an open, ref'd connection (socket, pipe, worker, child process) of another live scope, or
 *   born outside the scopes: a reply on it may settle what the scope awaits.
 */
export function hasScheduledWork(scope: ScopeState, work?: WorkRegistry): boolean {
  for (const record of scope.resources.values()) if (isOpen(record) && (isRefed(record) || awaitedTimeoutSignal(record))) return true;
  if (work === undefined) return false;
  for (const [id, r] of work.requests) {
    if (r.resource.deref() === undefined) {
      work.requests.delete(id);
      continue;
    }
    if (!r.carrier || (r.owner !== undefined && !r.owner.ended)) return true;
  }
  for (const ref of work.zlibs) {
    const z = ref.deref();
    if (z === undefined) work.zlibs.delete(ref);
    else if (zlibBusy(z)) return true;
  }
  for (const h of work.outside) {
    const record: ResourceRecord = { asyncId: 0, type: h.type, resource: h.resource };
    if (!isOpen(record)) work.outside.delete(h);
    else if (isRefed(record) && !isStdio(record)) return true;
  }
  for (const other of work.live) {
    if (other === scope || other.ended) continue;
    for (const record of other.resources.values()) if (CONNECTION_TYPES.has(record.type) && isOpen(record) && isRefed(record) && !isStdio(record)) return true;
  }
  return false;
}

export interface AwaitChain {
  /** Async frames, innermost (the suspended await) first. */
  frames: ParsedFrame[];
  /** The first user frame among them: where the task is stuck. */
  at: ParsedFrame;
  /** The pending promise the innermost task awaits (dropped before a proof of unreachability). */
  promise?: Promise<unknown>;
  /**
   * Every pending promise awaited at this same chain (tasks suspended at the same awaits): the proof of
   * unreachability must collect them all, not one (dropped with `promise`).
   */
  sameAwaits?: Promise<unknown>[];
  /** Set when those promises were garbage-collected: nothing can ever settle them. */
  proven?: boolean;
  /** Set when the task is a web stream's work, not the scope's (web-streams.ts): a body's pull(), a producer writing into a cancelled body. */
  body?: 'pull' | 'cancelled';
  /** Set when an ignoreCurrent() snapshot holds that promise: the task was alive then (with the snapshot's reason). */
  current?: { reason?: string };
  /** Async id of the promise it awaits (≈ when it suspended there), when asked for (the timeline's logical clock). */
  since?: number;
  /** Async id of the oldest pending promise on the same chain (≈ when the task started). */
  born?: number;
  /** Async ids of the pending promises this task awaits directly (the probes that found exactly this chain), when asked for. */
  awaited?: number[];
  /**
   * Every probed promise whose awaiters are this chain or a tail of it: the awaits its tasks are
   * suspended at. Once none is pending, the tasks have moved on (leftovers.ts).
   */
  tasks?: Promise<unknown>[];
}

const frameKey = (f: ParsedFrame) => `${f.absolute}:${f.line}:${f.column}`;

/** Lets go of the promises a chain holds (`promise`, `sameAwaits`): held, they keep its tasks alive. */
export function dropPromises(chain: AwaitChain): void {
  delete chain.promise;
  delete chain.sameAwaits;
}

/**
 * Await chains of the scope's pending tasks. Each pending promise is asked who
 * awaits it; chains that are the tail of a longer one are the same stuck task
 * seen from further out and are dropped.
 */
export async function pendingChains(
  scope: ScopeState,
  options: AttributeOptions & { maxProbes: number },
  idOf?: (promise: Promise<unknown>) => number | undefined,
  withTasks = false,
  probed?: WeakMap<Promise<unknown>, ProbedStack>,
): Promise<AwaitChain[]> {
  const targets: Promise<unknown>[] = [];
  for (const p of scope.pending.values()) {
    if (targets.length >= options.maxProbes) break;
    targets.push(p);
  }
  const probes = await Promise.all(
    targets.map((p) => {
      const known = probed?.get(p);
      if (known !== undefined) return known;
      return probeAwaiters(p).then((probe) => {
        probed?.set(p, probe);
        return probe;
      });
    }),
  );
  // Tasks suspended at the same awaits along the same chain are one finding.
  const byKey = new Map<string, ParsedFrame[]>();
  const promiseOf = new Map<string, Promise<unknown>>();
  const allOf = new Map<string, Promise<unknown>[]>();
  const oldest = new Map<string, number>();
  const awaited = new Map<string, number[]>();
  for (const [i, probe] of probes.entries()) {
    const all = parseStack(probe.text, options);
    const flags = probe.async;
    if (flags) for (const f of all) f.async = flags[f.index] === true || f.async;
    const frames = all.filter((f) => f.async);
    if (frames.length === 0) continue;
    const key = frames.map(frameKey).join('|');
    byKey.set(key, frames);
    promiseOf.set(key, targets[i]!);
    const same = allOf.get(key);
    if (same === undefined) allOf.set(key, [targets[i]!]);
    else same.push(targets[i]!);
    const id = idOf?.(targets[i]!);
    if (id !== undefined && !((oldest.get(key) ?? Infinity) <= id)) oldest.set(key, id);
    if (id !== undefined) awaited.set(key, [...(awaited.get(key) ?? []), id]);
  }
  const keys = [...byKey.keys()];
  const chains: AwaitChain[] = [];
  for (const [key, frames] of byKey) {
    if (keys.some((other) => other !== key && other.endsWith(`|${key}`))) continue;
    const at = frames.find((f) => !f.external);
    if (!at) continue;
    const chain: AwaitChain = { frames, at, promise: promiseOf.get(key), sameAwaits: allOf.get(key) };
    if (withTasks) chain.tasks = keys.flatMap((other) => (other === key || key.endsWith(`|${other}`) ? (allOf.get(other) ?? []) : []));
    if (idOf) {
      chain.since = idOf(chain.promise!);
      chain.awaited = awaited.get(key) ?? [];
      // The outer tasks of the chain (its tails) are pending since they were called.
      for (const other of keys) {
        if (other !== key && !key.endsWith(`|${other}`)) continue;
        const id = oldest.get(other);
        if (id !== undefined && (chain.born === undefined || id < chain.born)) chain.born = id;
      }
    }
    chains.push(chain);
  }
  return chains;
}

/**
 * Tasks asleep on a timer their scope armed: the chain awaits the promise whose executor armed a
 * one-shot timer still pending (`await new Promise((r) => setTimeout(r, ms))`, a sleep() helper).
 * Per chain, every such timer (one per task suspended at that await).
 */
export function sleepingTasks(chains: readonly AwaitChain[], left: readonly LeftResource[], options: AttributeOptions): Map<AwaitChain, LeftResource[]> {
  const byPromise = new Map<number, LeftResource>();
  for (const l of left) {
    const r = l.record;
    if (r.type !== 'Timeout' || r.promiseBefore === undefined || r.idleGuard === true) continue;
    const repeat = (r.resource as { _repeat?: number | null })._repeat;
    if (repeat !== null && repeat !== undefined) continue;
    if (armedInExecutor(r.site?.stack, options)) byPromise.set(r.promiseBefore, l);
  }
  const out = new Map<AwaitChain, LeftResource[]>();
  if (byPromise.size === 0) return out;
  for (const c of chains) {
    // Several tasks asleep at the same await (started in a loop) are one chain: each has its timer.
    const timers = (c.awaited ?? []).flatMap((id) => byPromise.get(id) ?? []);
    if (timers.length > 0) out.set(c, timers);
  }
  return out;
}

/**
 * A handle a dependency opened for its own use: the code that created it (the first frame past
 * the runtime's) is in node_modules. Unref'd, it holds nothing open (a build tool's service
 * process between calls, a pool's idle socket): the dependency's to manage, not a leak of the test.
 */
export function dependencyHandle(record: ResourceRecord, options: AttributeOptions): boolean {
  if (record.pooledAtEnd === true || inGlobalAgentPool(record)) return true;
  const creator = parseStack(record.site?.stack, options).find((f) => !isTracerFrame(f.absolute) && !f.absolute.startsWith('node:'));
  return creator !== undefined && creator.external === true && creator.absolute.includes(`${path.sep}node_modules${path.sep}`);
}

const require = createRequire(import.meta.url);

/**
 * Marks the scope's sockets idle in a global agent's free pool when it ends. Judged later (warn mode judges
 * beside the next test), such a socket may be back in use by then, for the next test's request: it went to
 * the pool, not astray (hono's node-server tests).
 */
export function notePooledSockets(state: ScopeState): void {
  for (const record of state.resources.values()) {
    if (record.type === 'TCPWRAP' && isOpen(record) && inGlobalAgentPool(record)) record.pooledAtEnd = true;
  }
}

function globalAgents(): Http.Agent[] {
  return [(require('node:http') as typeof Http).globalAgent, (require('node:https') as typeof Https).globalAgent];
}

/**
 * An idle keep-alive socket in the free pool of Node's own `http.globalAgent` / `https.globalAgent` (unref'd while
 * free): the runtime's pool keeps it for the next request to the host, as a dependency's pool would.
 */
function inGlobalAgentPool(record: ResourceRecord): boolean {
  if (record.type !== 'TCPWRAP') return false;
  const owner = handleOwner(record.resource);
  if (owner === undefined) return false;
  return globalAgents().some((agent) => Object.values(agent.freeSockets ?? {}).some((list) => list?.includes(owner as never) === true));
}
