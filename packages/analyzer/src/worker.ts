/** Worker thread entry: processes one shard and posts the result back. */
import { parentPort, workerData } from 'node:worker_threads';
import { allChecks } from '@asyncsan/checks';
import { allProgramChecks } from './program-checks/all.js';
import { processShard } from './shard.js';
import type { WorkerInput, WorkerMessage } from './threads.js';

const input = workerData as WorkerInput;
const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');

const byId = <T extends { id: string }>(list: readonly T[], ids: readonly string[]): T[] =>
  ids.map((id) => {
    const found = list.find((c) => c.id === id);
    if (!found) throw new Error(`unknown check "${id}" in worker`);
    return found;
  });

const result = processShard(
  input.specs,
  input.items,
  {
    checks: byId(allChecks, input.checkIds),
    programChecks: byId(allProgramChecks, input.programCheckIds),
    ruleOptions: input.ruleOptions,
  },
  () => port.postMessage({ type: 'progress' } satisfies WorkerMessage),
);
port.postMessage({ type: 'done', result } satisfies WorkerMessage);
