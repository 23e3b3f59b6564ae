/**
 * Sharding files over worker threads. Each worker builds its own Program per
 * project it touches and runs `processShard` on its share; the main thread
 * merges the results and concludes the whole-program checks, so the outcome
 * does not depend on the number of threads.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { allChecks } from '@asyncsan/checks';
import { allProgramChecks } from './program-checks/all.js';
import type { LoadSpec, ShardConfig, ShardResult, WorkItem } from './shard.js';

export interface WorkerInput {
  specs: LoadSpec[];
  items: WorkItem[];
  checkIds: string[];
  programCheckIds: string[];
  ruleOptions: Record<string, unknown>;
}

export type WorkerMessage = { type: 'progress' } | { type: 'done'; result: ShardResult };

/** Workers can only run checks they can look up by id: the built-in ones. */
export function threadsSupported(config: ShardConfig): boolean {
  return (
    config.checks.every((c) => allChecks.includes(c)) && config.programChecks.every((c) => allProgramChecks.includes(c))
  );
}

/**
 * The young generation of each worker, in MB (V8's default is 48: 16 MB semi-spaces).
 * Type-checking allocates fast and most of it survives; with 192 MB the scavenger runs
 * a third as often (116 instead of 390 scavenges on the bench corpus) and the GC pauses
 * fall by 1 to 2 s, for about 100 MB more peak RSS.
 */
export const WORKER_YOUNG_GENERATION_MB = 192;

/** Whether this module runs from the built package (dist), where the worker script sits next to it. */
export function runningFromBuild(): boolean {
  return !import.meta.url.endsWith('.ts');
}

function workerScript(): URL {
  // From the built package the worker sits next to this file; from sources (tests) use the build.
  const here = import.meta.url;
  const url = here.endsWith('.ts') ? new URL('../dist/worker.js', here) : new URL('./worker.js', here);
  if (!existsSync(fileURLToPath(url))) throw new Error(`worker script missing (${fileURLToPath(url)}); build the analyzer first`);
  return url;
}

/** Contiguous shards keep each worker on few projects (one Program each). */
function split<T>(items: readonly T[], n: number): T[][] {
  const out: T[][] = [];
  const size = Math.ceil(items.length / n);
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

export async function runInThreads(
  specs: readonly LoadSpec[],
  items: readonly WorkItem[],
  config: ShardConfig,
  threads: number,
  onAnalyzed: () => void,
): Promise<ShardResult> {
  const script = workerScript();
  const shards = split(items, threads);
  const runs = shards.map(
    (shard) =>
      new Promise<ShardResult>((resolve, reject) => {
        const input: WorkerInput = {
          specs: [...specs],
          items: shard,
          checkIds: config.checks.map((c) => c.id),
          programCheckIds: config.programChecks.map((c) => c.id),
          ruleOptions: config.ruleOptions,
        };
        const worker = new Worker(script, { workerData: input, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } });
        let result: ShardResult | undefined;
        worker.on('message', (m: WorkerMessage) => {
          if (m.type === 'progress') onAnalyzed();
          else result = m.result;
        });
        worker.once('error', reject);
        worker.once('exit', (code) => {
          if (result) resolve(result);
          else reject(new Error(`analyser worker exited with code ${code} before finishing`));
        });
      }),
  );
  const results = await Promise.all(runs);
  return {
    results: results.flatMap((r) => r.results),
    diagnostics: results.flatMap((r) => r.diagnostics),
    summaries: results.flatMap((r) => r.summaries),
  };
}
