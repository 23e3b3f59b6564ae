/**
 * Whole-program front end: `node --import @asyncsan/tracer/register app.js`.
 * Traces the process as one scope. At a natural exit it reports tasks that never
 * completed and the project's async generators left suspended at a yield; on
 * SIGINT/SIGTERM (when the program has no handler of its own) it reports what keeps
 * the process alive, then dies of the same signal; on any other exit (process.exit())
 * it reports the ref'd timers and handles still open, and those generators. Compiled
 * TypeScript is reported at its .ts lines when its source map is at hand. Findings go to
 * $ASYNCSAN_OUTPUT_DIR/<pid>.json as { version: 1, findings }, or as text to stderr.
 * Worker threads load it too (they inherit the flags): each traces itself with a
 * registry of its own and sends its findings to the main thread, which reports
 * them with its own, once, for the whole process.
 */
import { mkdirSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { BroadcastChannel, isMainThread, threadId } from 'node:worker_threads';
import type { Finding } from '@asyncsan/core';
import { topLevelVerdict } from './deadlock.js';
import { beforeSignalDeath } from './signals.js';
import { formatText } from './text-report.js';
import { createTracer } from './tracer.js';

/**
 * A per-test front end loaded after this one (`asyncsan run -- node --import
 * asyncsan/register-test --test`) judges the process itself, test by test, and
 * writes its report: it calls this to take the program tracer out.
 */
const STAND_DOWN = Symbol.for('asyncsan.program.standDown');

/** Worker threads report to the main thread on this channel (one per process: workers share the pid). */
const CHANNEL = `asyncsan:findings:${process.pid}`;
/** How long the main thread waits at exit for a traced worker's findings that are still on their way. */
const WORKER_GRACE_MS = 200;

type WorkerMessage = { type: 'started'; threadId: number } | { type: 'findings'; threadId: number; findings: Finding[] };

function write(findings: Finding[]): void {
  const dir = process.env.ASYNCSAN_OUTPUT_DIR;
  try {
    if (dir) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, `${process.pid}.json`), `${JSON.stringify({ version: 1, findings }, null, 2)}\n`);
    } else if (findings.length > 0) {
      process.stderr.write(formatText(findings, `asyncsan (process ${process.pid})`));
    }
  } catch (error) {
    process.stderr.write(`asyncsan: could not write the report: ${String(error)}\n`);
  }
}

/** A worker posts and closes at once: the channel must not keep the worker alive or outlive it. */
function postToMain(message: WorkerMessage): void {
  try {
    const channel = new BroadcastChannel(CHANNEL);
    channel.postMessage(message);
    channel.close();
  } catch (error) {
    process.stderr.write(`asyncsan: worker ${threadId} could not send its report: ${String(error)}\n`);
  }
}

/**
 * The main thread's side: collects what traced workers send. Created before the
 * tracer's hooks are installed, so the channel is never one of the program's handles.
 */
function workerInbox() {
  const findings: Finding[] = [];
  /** Workers that said they trace themselves and have not reported yet. */
  const awaiting = new Set<number>();
  const channel = new BroadcastChannel(CHANNEL);
  channel.unref();
  let wake: (() => void) | undefined;
  channel.onmessage = (event) => {
    const m = (event as { data?: WorkerMessage }).data;
    if (m?.type === 'started') awaiting.add(m.threadId);
    else if (m?.type === 'findings') {
      awaiting.delete(m.threadId);
      findings.push(...m.findings);
      if (awaiting.size === 0) wake?.();
    }
  };
  return {
    findings,
    /**
     * At a natural exit every worker is gone, but their last messages may still be
     * in flight: keeps the loop alive until they land (bounded). False when none is awaited.
     */
    wait(): boolean {
      if (awaiting.size === 0) return false;
      channel.ref();
      const timer = setTimeout(done, WORKER_GRACE_MS);
      function done() {
        clearTimeout(timer);
        channel.unref();
        wake = undefined;
      }
      wake = done;
      return true;
    },
  };
}

if (isMainThread) runMain();
else runWorker();

function runWorker(): void {
  const noun = `worker thread ${threadId}`;
  const when = 'when the worker exits';
  const tracer = createTracer({ listeners: false, sourceMaps: true });
  const scope = tracer.startProgram(noun);
  postToMain({ type: 'started', threadId });
  let reported = false;
  let judging = false;
  const report = (findings: Finding[]) => {
    if (reported) return;
    reported = true;
    postToMain({ type: 'findings', threadId, findings });
  };
  process.on('beforeExit', () => {
    if (reported || judging) return;
    judging = true;
    scope.end({ settle: false, resources: false, noun, when }).then(report, () => report([]));
  });
  process.on('exit', () => {
    if (reported) return;
    report(judging ? [] : scope.endSync({ refedOnly: true, noun, when }));
  });
}

/** The entry module's real path: where its top-level code's frames point. */
function entryModule(): string | undefined {
  const entry = process.argv[1];
  if (!entry) return undefined;
  try {
    return realpathSync(path.resolve(entry));
  } catch {
    return path.resolve(entry);
  }
}

/**
 * Whether the entry's top-level await is still pending. Node up to 22 keeps an exit
 * listener for as long as it is (it sets exit code 13), so this can tell at
 * beforeExit; later versions check in C++ and tell only by the exit code.
 */
const topLevelAwaitListener = () => process.listeners('exit').some((l) => l.name === 'handleProcessExit');


function runMain(): void {
  const inbox = workerInbox();
  // Program-wide emitters all outlive "the program", so listener leaks are a per-scope (test) matter.
  const tracer = createTracer({ listeners: false, sourceMaps: true });
  const scope = tracer.startProgram('program');
  let reported = false;
  let judging = false;
  (globalThis as { [STAND_DOWN]?: () => void })[STAND_DOWN] = () => {
    reported = true;
    tracer.stop();
  };

  const report = (findings: Finding[]) => {
    if (reported) return;
    reported = true;
    write([...findings, ...inbox.findings]);
  };

  let waitedForWorkers = false;
  /** The natural exit's findings, written at 'exit' once the exit code is known. */
  let atExit: Finding[] | undefined;
  let topLevelPending = false;
  process.on('beforeExit', () => {
    if (reported || judging) return;
    // A worker's report can arrive after its exit: wait for it; beforeExit comes again after.
    if (!waitedForWorkers && (waitedForWorkers = true) && inbox.wait()) return;
    judging = true;
    topLevelPending = topLevelAwaitListener();
    // Tasks the entry's top-level await waits on are judged as a deadlock, until the exit code says otherwise.
    const topLevelAwait = entryModule();
    // Only microtasks from here: the loop is empty, the process exits right after.
    scope
      .end({ settle: false, resources: false, iterators: true, noun: 'program', when: 'when the process exits', ...(topLevelAwait ? { topLevelAwait } : {}) })
      .then(
        (findings) => (atExit = findings),
        () => (atExit = []),
      );
  });

  process.on('exit', (code) => {
    if (reported) return;
    if (atExit) {
      const pending = topLevelPending || code === 13 || process.exitCode === 13;
      report(topLevelVerdict(atExit, pending, scope.topLevelFallbacks));
    } else {
      // process.exit(): what keeps the process alive, and generators whose finally blocks it skips.
      report(judging ? [] : scope.endSync({ refedOnly: true, iterators: true, noun: 'program', when: 'when the process exits' }));
    }
  });

  // On SIGINT/SIGTERM that would kill it (the program has no handler of its own): what keeps it alive.
  beforeSignalDeath(async (signal) => {
    if (reported || judging) return;
    judging = true;
    try {
      report(await scope.end({ settle: false, refedOnly: true, noun: 'program', when: `when ${signal} arrived` }));
    } catch {
      report([]);
    }
  });
}
