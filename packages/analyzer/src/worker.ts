/** Worker thread entry: processes one shard and posts the result back. */
import { parentPort, workerData } from 'node:worker_threads';
import { allChecks } from '@asyncsan/checks';
import { allProgramChecks } from './program-checks/all.js';
import { processShard } from './shard.js';
import type { WorkerMessage, WorkerSetup, WorkerWork } from './threads.js';

const setup = workerData as WorkerSetup;
const port = parentPort;
if (!port) throw new Error('worker.js must run as a worker thread');

const byId = <T extends { id: string }>(list: readonly T[], ids: readonly string[]): T[] =>
  ids.map((id) => {
    const found = list.find((c) => c.id === id);
    if (!found) throw new Error(`unknown check "${id}" in worker`);
    return found;
  });

const config = {
  checks: byId(allChecks, setup.checkIds),
  programChecks: byId(allProgramChecks, setup.programCheckIds),
  ruleOptions: setup.ruleOptions,
};
port.once('message', (work: WorkerWork) => {
  const result = processShard(work.specs, work.items, config, () => port.postMessage({ type: 'progress' } satisfies WorkerMessage));
  port.postMessage({ type: 'done', result } satisfies WorkerMessage);
});
