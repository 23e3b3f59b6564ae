import type { Engine, Severity } from './finding.js';

/**
 * What every catalog entry says. The id names the check file, the program check,
 * the ESLint rule, fixtures/<id>/, docs/rules/<id>.md and the SARIF rule; the
 * tracer's detector modules are grouped by family and docs/hazards.md maps each
 * id to them (and to every other file that belongs to it).
 */
interface EntryFields {
  id: string;
  title: string;
  /** One line: what the hazard is. */
  description: string;
  /** Why it matters: the failure a user sees in production or CI. */
  why: string;
  /** How to fix it, in one or two sentences. */
  hint: string;
  defaultSeverity: Severity;
  /** Engines that detect this hazard (now or as planned in the catalog). */
  engines: readonly Engine[];
  /** In the ESLint `recommended` config (high precision); everything static is in `strict`. */
  recommended: boolean;
}

export const REPO_URL = 'https://github.com/asyncsan/asyncsan';

export function docsPath(id: string): string {
  return `docs/rules/${id}.md`;
}

export function docsUrl(id: string): string {
  return `${REPO_URL}/blob/main/${docsPath(id)}`;
}

// `as const` so that the ids are a type (HazardId) and a misspelt id fails to compile.
const entries = [
  {
    id: 'floating-promise',
    title: 'Floating promise',
    description: 'A promise is created and nobody awaits it, returns it or handles its rejection.',
    why: 'Its rejection becomes an unhandledRejection that crashes Node (or is lost), and the caller carries on before the work is done.',
    hint: 'Await it, return it, or handle the rejection with .catch(); mark a deliberate fire-and-forget with void.',
    defaultSeverity: 'error',
    // The tracer reports the runtime twin: a test's task left running at its end that finished during the settle.
    engines: ['lint', 'analyzer', 'tracer'],
    recommended: true,
  },
  {
    id: 'misused-async-callback',
    title: 'Async function where a void callback is expected',
    description: 'An async or promise-returning function is passed where the caller ignores the return value (forEach, event listeners, timers, Promise executors).',
    why: 'The caller never awaits the promise: errors escape as unhandled rejections and the caller runs on before the callback finishes.',
    hint: 'Handle the rejection inside the callback (try/catch around its awaits) and report the error there; for forEach, use a for…of loop with await instead.',
    defaultSeverity: 'error',
    engines: ['lint', 'analyzer'],
    recommended: true,
  },
  {
    id: 'never-settling-promise',
    title: 'Promise that can never settle',
    description: 'A new Promise executor has a code path that neither resolves, rejects nor throws.',
    why: 'Every await on it hangs forever: a request that never answers, a test that times out.',
    hint: 'Call resolve or reject on every path, including error branches of callbacks and early returns.',
    defaultSeverity: 'error',
    engines: ['lint', 'analyzer'],
    recommended: true,
  },
  {
    id: 'missing-abort-propagation',
    title: 'AbortSignal not passed on',
    description: 'A function receives an AbortSignal but calls something that accepts one without passing it.',
    why: 'Cancelling the caller leaves the inner work running: sockets, timers and queries outlive the request that wanted them.',
    hint: 'Pass the signal on: fetch(url, { signal }), setTimeout(ms, undefined, { signal }), once(emitter, name, { signal }).',
    defaultSeverity: 'warning',
    engines: ['lint', 'analyzer'],
    recommended: true,
  },
  {
    id: 'race-timeout-leak',
    title: 'Timeout in Promise.race is never cleared',
    description: 'Promise.race or Promise.any includes a timer-backed promise whose timer is not cleared on every path.',
    why: 'When the real work wins, the timer stays armed: it keeps the process alive and fires into finished work.',
    hint: 'Use AbortSignal.timeout(ms), or keep the timer handle and clearTimeout it in finally.',
    defaultSeverity: 'warning',
    engines: ['lint', 'analyzer'],
    recommended: true,
  },
  {
    id: 'uncancelled-siblings',
    title: 'Sibling tasks keep running after a failure',
    description: 'Promise.all or Promise.any runs tasks that share no AbortSignal, so the others keep running after the first rejection.',
    why: 'Promise.all rejects at the first failure but the siblings go on spending connections, CPU and quota for a result nobody reads.',
    hint: 'Create an AbortController, pass its signal to every task and abort it when one fails.',
    defaultSeverity: 'warning',
    engines: ['lint', 'analyzer'],
    recommended: false,
  },
  {
    id: 'unbounded-concurrency',
    title: 'Unbounded concurrency',
    description: 'Promise.all over xs.map(async …) starts one task per element, however many elements there are.',
    why: 'A large input opens thousands of sockets or queries at once: exhausted pools, rate limits, out-of-memory.',
    hint: 'Bound it with p-limit, p-map({ concurrency }) or a semaphore, or process the input in chunks.',
    defaultSeverity: 'warning',
    engines: ['lint', 'analyzer'],
    // strict only: on real code (bench corpus, bullmq, ioredis) at most 1 report in 13 was a real hazard; see docs/rules/unbounded-concurrency.md.
    recommended: false,
  },
  {
    id: 'leaked-timer',
    title: 'Leaked timer',
    description: 'A timer or interval outlives the scope that created it (a test, an object with a lifecycle).',
    why: 'It keeps the process alive, fires into torn-down state, and bleeds into the next test.',
    hint: 'Keep the handle and clear it in close()/dispose()/afterEach, or unref() it if it may outlive its owner.',
    defaultSeverity: 'error',
    engines: ['lint', 'analyzer', 'tracer'],
    // strict only (static): on real code most reports were a short timer that outlives close() by its own delay; see
    // docs/rules/leaked-timer.md "Why only in strict". The runtime tracer reports the timers a test really leaves.
    recommended: false,
  },
  {
    id: 'leaked-listener',
    title: 'Leaked listener',
    description: 'A listener is added to a longer-lived emitter, EventTarget or AbortSignal and never removed.',
    why: 'The closure and everything it holds live as long as the emitter: memory grows per request and MaxListenersExceededWarning follows.',
    hint: 'Remove the listener when the work ends (removeEventListener/off in finally), or pass { once: true } or { signal }.',
    defaultSeverity: 'warning',
    engines: ['lint', 'analyzer', 'tracer'],
    recommended: true,
  },
  {
    id: 'leaked-handle',
    title: 'Leaked handle',
    description: 'A socket, server, child process, file watcher, worker or MessagePort outlives the scope that created it.',
    why: 'It keeps the process from exiting ("Jest did not exit"), holds ports and file descriptors, and makes later tests flaky.',
    hint: 'Close it when the scope ends: server.close(), socket.destroy(), watcher.close(), worker.terminate(), port.close().',
    defaultSeverity: 'error',
    engines: ['tracer'],
    recommended: true,
  },
  {
    id: 'lost-update',
    title: 'Lost update across await',
    description: 'Shared state is read, the task awaits, and then writes a value derived from the stale read.',
    why: 'Another task may have written in between: its update is silently overwritten (balances, counters, caches).',
    hint: 'Read after the await, compute and write in one synchronous step, or hold a mutex over the read-await-write.',
    defaultSeverity: 'error',
    engines: ['lint', 'analyzer', 'tracer'],
    // strict only (static): on real code most reports were a write no other task can interleave with, or one that
    // loses nothing; see docs/rules/lost-update.md "Why only in strict". The runtime race detector (`--race`)
    // confirms the real ones.
    recommended: false,
  },
  {
    id: 'check-then-act',
    title: 'Check-then-act across await',
    description: 'A condition on shared state is checked, the task awaits, and then acts as if the condition still held.',
    why: 'Concurrent callers all pass the check before any acts: duplicate loads (cache stampede), double inserts, double spends.',
    hint: 'Cache the promise instead of the value, re-check after the await, or take a lock around check and act.',
    defaultSeverity: 'error',
    engines: ['lint', 'analyzer', 'tracer'],
    // strict only: on real code most reports were duplicate work (a cache filled twice with equal values) or an
    // interleaving the program never causes; see docs/rules/check-then-act.md "Why only in strict". The runtime
    // race detector (`--race`) confirms the real ones.
    recommended: false,
  },
  {
    id: 'mutex-not-released',
    title: 'Mutex not released on every path',
    description: 'An async mutex or semaphore is acquired without a release in finally.',
    why: 'One exception between acquire and release and every later caller waits forever.',
    hint: 'Release in finally, or use runExclusive()/await using so the release cannot be skipped.',
    defaultSeverity: 'error',
    engines: ['lint', 'analyzer'],
    recommended: true,
  },
  {
    id: 'lock-order-inversion',
    title: 'Lock order inversion',
    description: 'Two async critical sections take the same locks in opposite orders.',
    why: 'When both run at once each holds the lock the other wants: a deadlock that only shows under load.',
    hint: 'Take locks in one global order everywhere, or merge them into one lock.',
    defaultSeverity: 'error',
    engines: ['analyzer'],
    recommended: true,
  },
  {
    id: 'unsettled-task',
    title: 'Unsettled async task',
    description: 'An async function started in the scope never completed; it is suspended at an await that has not resumed.',
    why: 'Its finally blocks and cleanup never run, and whatever waits on it hangs.',
    hint: 'Find what the reported await waits on and make sure it settles, or cancel the task with an AbortSignal when the scope ends.',
    defaultSeverity: 'error',
    engines: ['tracer'],
    recommended: true,
  },
  {
    id: 'deadlock',
    title: 'Deadlock: all tasks asleep',
    description: 'The scope is waiting on a promise and nothing that could settle it is scheduled.',
    why: 'The test or program would hang until a timeout; asyncsan reports the wait-for chain at once instead.',
    hint: 'Follow the wait-for chain to the emitter, stream, port or lock nobody will signal, and make sure it is signalled or closed.',
    defaultSeverity: 'error',
    engines: ['tracer'],
    recommended: true,
  },
  {
    id: 'stuck-stream',
    title: 'Stuck stream',
    description: 'A stream can make no progress: a write awaiting a drain that will not come, a readable holding data with no consumer, a pipeline that never finishes.',
    why: 'The producer waits forever and buffered data is never delivered.',
    hint: 'Consume or destroy the stream, and use stream.pipeline so errors and ends propagate.',
    defaultSeverity: 'error',
    engines: ['tracer'],
    recommended: true,
  },
  {
    id: 'stuck-event-wait',
    title: 'Event wait that can never fire',
    description: 'events.once, an on() iterator or an EventTarget wait is pending on an emitter that is gone or closed.',
    why: 'The awaiting task hangs forever, holding whatever it captured.',
    hint: 'Pass a signal (once(emitter, name, { signal })) and listen for error/close, or race the wait with a timeout.',
    defaultSeverity: 'error',
    engines: ['tracer'],
    recommended: true,
  },
  {
    id: 'stuck-port',
    title: 'Stuck MessagePort',
    description: 'A MessagePort has queued messages and no listener to receive them.',
    why: 'The messages are never delivered and the port keeps the thread alive.',
    hint: 'Attach a message listener (which also starts the port) or close the port.',
    defaultSeverity: 'error',
    engines: ['tracer'],
    recommended: true,
  },
  {
    id: 'abandoned-iterator',
    title: 'Abandoned async iterator',
    description: 'An async generator is suspended at yield and its consumer is gone, so its finally block never runs.',
    why: 'Whatever the generator opened (a cursor, a file, a connection) is never closed.',
    hint: 'Consume it with for await…of (which calls return() on break) or call iterator.return() when done.',
    defaultSeverity: 'warning',
    engines: ['tracer'],
    recommended: true,
  },
  {
    id: 'cross-test-bleed',
    title: 'Cross-test bleed',
    description: 'A callback created in one test runs while another test is running.',
    why: 'The second test fails or passes for reasons that belong to the first: the classic flaky test.',
    hint: 'Clean up timers, listeners and pending work at the end of the test that created them.',
    defaultSeverity: 'error',
    engines: ['tracer'],
    recommended: true,
  },
  {
    id: 'unhandled-rejection',
    title: 'Unhandled rejection',
    description: 'A promise rejected and no handler was attached.',
    why: 'Node exits on it by default; in tests it is blamed on whichever test happens to be running.',
    hint: 'Await the promise or attach .catch() where it is created; the finding names the scope that started it.',
    defaultSeverity: 'error',
    engines: ['tracer'],
    recommended: true,
  },
] as const satisfies readonly EntryFields[];

/** One of the catalogued hazard ids: what engines emit and fixtures' `// expect:` markers name. */
export type HazardId = (typeof entries)[number]['id'];

/** One entry per hazard, shared by every engine. */
export interface CatalogEntry extends EntryFields {
  id: HazardId;
}

/** Keyed by id; any string may be looked up (ids read from files and configs are strings until checked). */
export const catalog: ReadonlyMap<string, CatalogEntry> = new Map(entries.map((e): [HazardId, CatalogEntry] => [e.id, e]));

export const catalogIds: readonly HazardId[] = entries.map((e) => e.id);

export function isHazardId(id: string): id is HazardId {
  return catalog.has(id);
}

export function getEntry(id: string): CatalogEntry | undefined {
  return catalog.get(id);
}

/** Returns the entry, or throws: engines must only emit catalogued ids. */
export function requireEntry(id: string): CatalogEntry {
  const entry = catalog.get(id);
  if (!entry) throw new Error(`asyncsan: unknown hazard id "${id}"`);
  return entry;
}
