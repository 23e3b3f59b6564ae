/**
 * Whole-program front end: `node --import @asyncsan/tracer/register app.js`.
 * Traces the process as one scope. At a natural exit it reports tasks that never
 * completed; on SIGINT/SIGTERM (when the program has no handler of its own) it
 * reports what keeps the process alive, then dies of the same signal; on any
 * other exit it reports the ref'd timers and handles still open. Findings go to
 * $ASYNCSAN_OUTPUT_DIR/<pid>.json as { version: 1, findings }, or as text to stderr.
 * Worker threads load it too (they inherit the flags) and write <pid>-<threadId>.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';
import type { Finding } from '@asyncsan/core';
import { formatText } from './text-report.js';
import { createTracer } from './tracer.js';

function write(findings: Finding[]): void {
  const dir = process.env.ASYNCSAN_OUTPUT_DIR;
  try {
    if (dir) {
      mkdirSync(dir, { recursive: true });
      // One file per process, and per worker thread (they share the pid).
      const name = isMainThread ? `${process.pid}.json` : `${process.pid}-${threadId}.json`;
      writeFileSync(path.join(dir, name), `${JSON.stringify({ version: 1, findings }, null, 2)}\n`);
    } else if (findings.length > 0) {
      process.stderr.write(formatText(findings, `asyncsan (process ${process.pid}${isMainThread ? '' : `, worker ${threadId}`})`));
    }
  } catch (error) {
    process.stderr.write(`asyncsan: could not write the report: ${String(error)}\n`);
  }
}

{
  // Program-wide emitters all outlive "the program", so listener leaks are a per-scope (test) matter.
  const tracer = createTracer({ listeners: false });
  const scope = tracer.startProgram('program');
  let reported = false;
  let judging = false;

  const report = (findings: Finding[]) => {
    if (reported) return;
    reported = true;
    write(findings);
  };

  process.on('beforeExit', () => {
    if (reported || judging) return;
    judging = true;
    // Only microtasks from here: the loop is empty, the process exits right after.
    scope.end({ settle: false, resources: false, noun: 'program', when: 'when the process exits' }).then(report, () => report([]));
  });

  process.on('exit', () => {
    if (reported) return;
    report(judging ? [] : scope.endSync({ refedOnly: true, noun: 'program', when: 'when the process exits' }));
  });

  const onSignal = (signal: NodeJS.Signals) => {
    // The program handles the signal itself: let it; the exit path reports.
    if (process.listenerCount(signal) > 1 || judging) return;
    judging = true;
    const reraise = () => {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      process.kill(process.pid, signal);
    };
    scope
      .end({ settle: false, refedOnly: true, noun: 'program', when: `when ${signal} arrived` })
      .then(report, () => report([]))
      .finally(reraise);
  };
  // Signals are delivered to the main thread only.
  if (isMainThread) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
}
