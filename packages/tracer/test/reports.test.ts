import http from 'node:http';
/**
 * What the report says, beyond the fixtures' ids and lines (fixtures.test.ts checks those):
 * severities, counts, causes, related places and stacks of the findings issue 16 reshaped, on
 * the same fixtures, through the API.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { createTracer, type Tracer } from '@asyncsan/tracer';
import { fixturesRoot, repoRoot } from '@asyncsan/test-harness/expectations';

interface FixtureModule {
  main(): unknown;
  next?(): unknown;
  cleanup?(): unknown;
}

async function run(tracer: Tracer, rel: string): Promise<{ findings: Finding[]; next: Finding[]; deadlocked: boolean }> {
  const mod = (await import(path.join(fixturesRoot, 'runtime', rel))) as FixtureModule;
  try {
    const first = await tracer.trace(rel, () => mod.main());
    expect(first.error).toBeUndefined();
    const next = mod.next ? await tracer.trace(`${rel} (next)`, () => mod.next!()) : undefined;
    return { findings: first.findings, next: next?.findings ?? [], deadlocked: first.deadlocked };
  } finally {
    await mod.cleanup?.();
  }
}

const brief = (f: Finding) => `${f.id}:${f.location?.line} ${f.severity}${f.count ? ` ×${f.count}` : ''}`;

// One tracer at a time (each describe has its own), as a test runner has.
describe('reports worth acting on', () => {
  let tracer: Tracer;
  // proveWithGc: tells garbage from leaks, as the Vitest plugin does.
  beforeAll(() => (tracer = createTracer({ cwd: repoRoot, proveWithGc: true })));
  afterAll(() => tracer.stop());

  it("an unref'd interval is no leak; firing while the next test runs, it is one bleed for its site (two timers, many firings)", async () => {
    const r = await run(tracer, 'cross-test-bleed/bad-unref-interval-fires-in-next-test.ts');
    expect(r.findings).toEqual([]);
    expect(r.next.map(brief)).toEqual(['cross-test-bleed:8 error']);
  });

  it('tasks waiting on garbage are reported at info, as garbage, not as leaks', async () => {
    const r = await run(tracer, 'unsettled-task/bad-waits-on-garbage.ts');
    expect(r.findings.map(brief)).toEqual(['unsettled-task:8 info', 'unsettled-task:15 info']);
    for (const f of r.findings) {
      expect(f.message).toContain('Proven by a garbage collection: nothing can ever settle that promise');
      expect(f.message).toContain('it is garbage (collected with everything it holds), not a leak');
    }
  });

  it('a still-resumable task stays an error', async () => {
    const r = await run(tracer, 'unsettled-task/bad-floating-task.ts');
    expect(r.findings.map(brief)).toEqual(['unsettled-task:9 error']);
  });

  it('a guard timer whose promise already settled is info; one whose promise is pending is an error', async () => {
    const r = await run(tracer, 'leaked-timer/bad-idle-guard.ts');
    expect(r.findings.map(brief).sort()).toEqual(['leaked-timer:9 error', 'leaked-timer:9 info']);
    const idle = r.findings.find((f) => f.severity === 'info')!;
    expect(idle.message).toBe(
      'setTimeout(…, 30000), armed in a Promise executor as a guard, has not fired yet when it ends; the promise it guards has already settled, so all it can do is settle it again, which does nothing, but it keeps the process alive until it fires',
    );
  });

  it('a bound method armed in an executor is no guard: it settles nothing, so the timer is an error (ws closing timer)', async () => {
    const r = await run(tracer, 'leaked-timer/bad-bound-fallback-timer.ts');
    expect(r.findings.map(brief)).toEqual(['leaked-timer:13 error']);
  });

  it('a guard whose promise lost a Promise.race that is over is info too', async () => {
    const r = await run(tracer, 'leaked-timer/bad-race-guard.ts');
    expect(r.findings.map(brief)).toEqual(['leaked-timer:8 info']);
  });

  it('a generator of the project left at a yield: named, with where its code is', async () => {
    const r = await run(tracer, 'abandoned-iterator/bad-first-row-only.ts');
    expect(r.findings.map(brief)).toEqual(['abandoned-iterator:15 warning']);
    expect(r.findings[0]!.message).toMatch(/^The async generator rows consumed here is still suspended at a yield/);
    expect(r.findings[0]!.related).toEqual([{ label: 'generator code', location: expect.objectContaining({ file: 'fixtures/runtime/abandoned-iterator/bad-first-row-only.ts', line: 7 }) }]);
  });

  it('a for-await waiting on a step stuck inside the generator: the stuck await alone, no abandoned iterator', async () => {
    const r = await run(tracer, 'abandoned-iterator/good-next-pending.ts');
    expect(r.findings.map(brief)).toEqual(['unsettled-task:12 error']);
  });

  it("a fetch body half read: one stuck-stream at the read, not Node's iterator as abandoned", async () => {
    const r = await run(tracer, 'stuck-stream/bad-fetch-body-half-read.ts');
    expect(r.findings.map(brief)).toEqual(['stuck-stream:20 error']);
    expect(r.findings[0]!.message).toContain('neither read to the end nor cancelled');
  });

  it('tasks waiting on a discarded fake-clock timer are not reported; a real timer after the clock is', async () => {
    expect((await run(tracer, 'unsettled-task/good-fake-clock-discarded.ts')).findings).toEqual([]);
    const real = await run(tracer, 'unsettled-task/bad-real-timer-after-fake-clock.ts');
    expect(real.findings.map(brief)).toEqual(['unsettled-task:16 error']);
    expect(real.findings[0]!.related?.map((x) => `${x.label}@${x.location.line}`)).toEqual(['timer armed at@11']);
  });
});

describe('reports that point at the fix', () => {
  let tracer: Tracer;
  beforeAll(() => (tracer = createTracer({ cwd: repoRoot })));
  afterAll(() => tracer.stop());

  it('a task asleep on its own timer, resuming in the next test: one finding at the await naming the timer, one bleed', async () => {
    const r = await run(tracer, 'cross-test-bleed/bad-task-resumes-in-next-test.ts');
    expect(r.findings.map(brief)).toEqual(['unsettled-task:10 error']);
    expect(r.findings[0]!.message).toBe(
      'async refreshCache started in this scope never completed: it is still asleep at this await when it ends, until setTimeout(…, 600) (armed at fixtures/runtime/cross-test-bleed/bad-task-resumes-in-next-test.ts:7) fires after the scope ended',
    );
    expect(r.next.map(brief)).toEqual(['cross-test-bleed:10 error']);
  });

  it('a timer armed through thin wrappers is reported where the code decided, with the wrappers in its stack', async () => {
    const r = await run(tracer, 'leaked-timer/bad-timer-through-wrapper.ts');
    expect(r.findings.map(brief)).toEqual(['leaked-timer:26 error ×2']);
    const frames = r.findings[0]!.stacks![0]!.frames.filter((f) => !f.external).map((f) => `${f.function ?? '<anonymous>'}:${f.line}`);
    expect(frames.slice(0, 3)).toEqual(['Object.setTimeout:9', 'TimeoutManager.setTimeout:16', 'CacheEntry.scheduleGc:26']);
  });

  it('tasks started in a loop, asleep at one await each on its own timer: one finding, no timer of theirs beside it', async () => {
    const r = await run(tracer, 'unsettled-task/bad-sleepers-started-in-a-loop.ts');
    expect(r.findings.map(brief)).toEqual(['unsettled-task:12 error']);
    expect(r.findings[0]!.message).toContain('until setTimeout(…, 500) (armed at fixtures/runtime/unsettled-task/bad-sleepers-started-in-a-loop.ts:8) fires after the scope ended (3 tasks asleep here, each on its own timer)');
  });

  it('the same site N times is one finding with a count', async () => {
    const r = await run(tracer, 'leaked-timer/bad-same-site-many-times.ts');
    expect(r.findings.map(brief)).toEqual(['leaked-timer:6 error ×3']);
  });

  it("a writer asleep on 'drain' is one deadlock whose cause is the blocked write", async () => {
    const r = await run(tracer, 'deadlock/bad-writer-waits-for-drain.ts');
    expect(r.deadlocked).toBe(true);
    expect(r.findings.map(brief)).toEqual(['deadlock:9 error']);
    const [deadlock] = r.findings;
    expect(deadlock!.message).toContain("waits at this await for 'drain' from a PassThrough");
    expect(deadlock!.message).toContain("its cause: write() to this PassThrough returned false with");
    expect(deadlock!.related).toEqual([{ label: 'blocked write', location: expect.objectContaining({ line: 9, column: 14 }) }]);
    expect(deadlock!.stacks!.map((s) => s.label)).toEqual(['wait-for chain', 'written at']);
  });
});

describe("a dependency's own service process", () => {
  let tracer: Tracer;
  let dir: string;
  beforeAll(() => {
    tracer = createTracer({ cwd: repoRoot });
    dir = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-dep-'));
  });
  afterAll(() => {
    tracer.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  // A build tool starts one service process per Node process, lazily, keeps it for later calls and unrefs it while idle.
  const service = `import { spawn } from 'node:child_process';
let child;
export function build() {
  child ??= spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  child.unref();
  return child;
}`;

  it('unref\'d, opened by the dependency for itself: not a leak of the test', async () => {
    mkdirSync(path.join(dir, 'node_modules/build-tool'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules/build-tool/index.mjs'), service);
    const tool = (await import(pathToFileURL(path.join(dir, 'node_modules/build-tool/index.mjs')).href)) as { build(): { kill(): void } };
    let child: { kill(): void } | undefined;
    const r = await tracer.trace('builds', () => void (child = tool.build()));
    child?.kill();
    expect(r.findings).toEqual([]);
  });

  it('the same process started by the project\'s own code is reported', async () => {
    writeFileSync(path.join(dir, 'own-service.mjs'), service);
    const own = (await import(pathToFileURL(path.join(dir, 'own-service.mjs')).href)) as { build(): { kill(): void } };
    let child: { kill(): void } | undefined;
    const r = await tracer.trace('builds', () => void (child = own.build()));
    child?.kill();
    expect(r.findings.map((f) => `${f.id}:${f.location?.line}`)).toEqual(['leaked-handle:4']);
  });
});

describe("Node's global agent keeps an idle keep-alive socket", () => {
  let tracer: Tracer;
  let server: http.Server;
  let url: string;
  beforeAll(async () => {
    tracer = createTracer({ cwd: repoRoot });
    server = http.createServer((_req, res) => res.end('ok'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
  });
  afterAll(async () => {
    tracer.stop();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const get = (agent?: http.Agent) =>
    new Promise<void>((resolve, reject) => {
      http.get(url, { agent }, (res) => {
        res.resume();
        res.on('end', () => setImmediate(resolve));
      }).on('error', reject);
    });

  it("in its free pool, unref'd: the runtime's pool, not a leak of the test", async () => {
    const r = await tracer.trace('gets', () => get());
    expect(Object.values(http.globalAgent.freeSockets).flat()).toHaveLength(1);
    expect(r.findings).toEqual([]);
  });

  it("an agent of the test's own left with its socket is reported", async () => {
    const agent = new http.Agent({ keepAlive: true });
    const r = await tracer.trace('gets', () => get(agent));
    agent.destroy();
    expect(r.findings.map((f) => f.id)).toEqual(['leaked-handle']);
  });
});

describe('unhandled rejections: where the promise was made, and who handled it', () => {
  // Vitest fails a run on an unhandled rejection: its listeners step aside for one that only
  // swallows, added before the tracer, so the tracer counts it as the runner's, not the program's.
  let tracer: Tracer;
  const runnerListeners = process.listeners('unhandledRejection');
  const swallow = () => {};
  beforeAll(() => {
    for (const l of runnerListeners) process.off('unhandledRejection', l);
    process.on('unhandledRejection', swallow);
    tracer = createTracer({ cwd: repoRoot });
  });
  afterAll(() => {
    tracer.stop();
    process.off('unhandledRejection', swallow);
    for (const l of runnerListeners) process.on('unhandledRejection', l);
  });

  it('at the Promise.reject() that made the rejected promise, with the error\'s own stack beside it', async () => {
    const r = await run(tracer, 'unhandled-rejection/bad-rejected-promise-made-here.ts');
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.findings.map(brief)).toEqual(['unhandled-rejection:8 error']);
    const stacks = r.findings[0]!.stacks!;
    expect(stacks.map((s) => s.label)).toEqual(['rejected promise made at', 'error created at']);
    expect(stacks[1]!.frames.find((f) => !f.external)?.line).toBe(4);
  });

  it("one a process listener of the program's own received is info; one the test listens for itself is not reported", async () => {
    const r = await run(tracer, 'unhandled-rejection/bad-caught-by-global-listener.ts');
    expect(r.findings.map(brief)).toEqual(['unhandled-rejection:9 info']);
    expect(r.findings[0]!.message).toContain("a process 'unhandledRejection' listener of the program's own received it, so nothing crashes");
    expect((await run(tracer, 'unhandled-rejection/good-expected-by-test-listener.ts')).findings).toEqual([]);
  });
});

describe('proveWithGc', () => {
  it('keeps `gc` to itself: contexts made afterwards (a vmThreads test file) do not see one', async () => {
    const { runInNewContext } = await import('node:vm');
    const tracer = createTracer({ cwd: repoRoot, proveWithGc: true });
    try {
      expect(runInNewContext('typeof gc')).toBe('undefined');
    } finally {
      tracer.stop();
    }
  });
});
