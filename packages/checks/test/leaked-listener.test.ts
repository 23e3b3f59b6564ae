import { describe, expect, it } from 'vitest';
import { leakedListener } from '../src/leaked-listener.js';
import { fixtureDiff, runInMemory, runOnFixture } from './in-memory.js';

const run = (code: string, options?: Partial<typeof leakedListener.defaultOptions>) => runInMemory(leakedListener, code, options);

const at = (code: string) =>
  run(code)
    .sort((a, b) => a.start - b.start)
    .map((r) => `${r.messageId}@${r.line}:${r.column}`);

describe('leaked-listener', () => {
  it('reports a listener on an injected emitter that close() never removes', () => {
    const results = run(`import { EventEmitter } from 'node:events';
export class Consumer {
  constructor(private readonly bus: EventEmitter) {
    this.bus.on('message', this.onMessage);
  }
  private onMessage = (m: string) => { void m; };
  close() {}
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notRemoved@4:5']);
    expect(results[0]!.message).toContain("The 'message' listener this.onMessage added to this.bus is never removed by close()");
    expect(results[0]!.message).toContain("this.bus.off('message', this.onMessage)");
  });

  it('names an event given by a variable as written, not as a quoted placeholder (apollo-server signal handlers)', () => {
    const results = run(`export class Server {
  private readonly handlers: (() => void)[] = [];
  start(signals: NodeJS.Signals[]) {
    for (const signal of signals) {
      const signalHandler = () => this.stop();
      process.on(signal, signalHandler);
    }
  }
  stop() {}
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notRemoved@6:7']);
    expect(results[0]!.message).toContain('The signal listener signalHandler added to process is never removed by stop()');
    expect(results[0]!.message).toContain('process.off(signal, signalHandler)');
  });

  it('reports an inline listener on a global in a class with [Symbol.dispose]', () => {
    const results = run(`export class Shutdown {
  start() {
    process.on('SIGTERM', () => this.stopAll());
  }
  stopAll() {}
  [Symbol.dispose]() {}
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['inlineListener@3:5']);
    expect(results[0]!.message).toContain('[Symbol.dispose]() cannot remove it');
  });

  it('reports a listener a cleanup-returning function does not remove', () => {
    expect(
      at(`export function watchResize(target: EventTarget, onResize: () => void) {
  target.addEventListener('resize', onResize);
  return () => {};
}`),
    ).toEqual(['notRemoved@2:3']);
  });

  it('reports an abort listener on a passed-in signal without once or removal', () => {
    const results = run(`export async function fetchWithCleanup(signal: AbortSignal, work: () => Promise<void>) {
  signal.addEventListener('abort', () => console.log('aborted'));
  await work();
}
export function onCancel(options: { signal: AbortSignal }, cb: () => void) {
  options.signal.addEventListener('abort', cb);
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['abortListener@2:3', 'abortListener@6:3']);
    expect(results[0]!.message).toContain("added to signal without { once: true } and is never removed");
  });

  it('accepts abort listeners with a removal in finally or in another method, with once in a sync function, or on a fresh signal', () => {
    expect(
      at(`export function sync(signal: AbortSignal, stop: () => void) {
  signal.addEventListener('abort', stop, { once: true });
}
export async function a(signal: AbortSignal, work: () => Promise<void>) {
  const onAbort = () => {};
  signal.addEventListener('abort', onAbort);
  try { await work(); } finally { signal.removeEventListener('abort', onAbort); }
}
export class Request {
  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort);
  }
  private onAbort = () => {};
  dispose() { this.signal.removeEventListener('abort', this.onAbort); }
}
export function b() {
  const controller = new AbortController();
  controller.signal.addEventListener('abort', () => {});
  AbortSignal.timeout(10).addEventListener('abort', () => {});
  return controller;
}`),
    ).toEqual([]);
  });

  it('reports { once: true } in work that completes without an abort, with where it completes as the related location', () => {
    const results = run(`export async function a(signal: AbortSignal, work: () => Promise<void>) {
  signal.addEventListener('abort', () => {}, { once: true });
  await work();
}
export function b(signal: AbortSignal, work: (done: () => void) => void) {
  return new Promise<void>((resolve) => {
    signal.addEventListener('abort', () => resolve(), { once: true });
    work(() => resolve());
  });
}
export async function c(signal: AbortSignal, work: () => Promise<number>) {
  if (signal.aborted) return 0;
  signal.addEventListener('abort', () => {}, { once: true });
  return work();
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['onceAbortListener@2:3', 'onceAbortListener@7:5', 'onceAbortListener@13:3']);
    expect(results.map((r) => r.related.map((x) => `${x.label}@${x.line}:${x.column}`))).toEqual([
      ['the work returns here with the listener still attached@4:1'],
      ['the work resolves here with the listener still attached@8:16'],
      ['the work returns here with the listener still attached@14:3'],
    ]);
    expect(results[1]!.message).toContain("has { once: true }, which removes it only if signal aborts: when the work resolves without an abort");
  });

  it('reports a listener removed on the abort and error paths but not where the work resolves or returns', () => {
    const results = run(`export function a(signal: AbortSignal, start: (cb: (err?: Error) => void) => void) {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      signal.removeEventListener('abort', onAbort);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort);
    start((err) => {
      if (err) {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      } else resolve();
    });
  });
}
export async function b(signal: AbortSignal, work: () => Promise<void>) {
  const onAbort = () => {};
  signal.addEventListener('abort', onAbort);
  try {
    await work();
  } catch (e) {
    signal.removeEventListener('abort', onAbort);
    throw e;
  }
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['abortListenerPath@7:5', 'abortListenerPath@18:3']);
    expect(results.map((r) => r.related.map((x) => `${x.label}@${x.line}:${x.column}`))).toEqual([
      ['the work resolves here with the listener still attached@12:14'],
      ['the work returns here with the listener still attached@25:1'],
    ]);
  });

  it('accepts a removal on every completion path: before resolving (directly or through a cleanup function), after the awaited promise, in .finally(), in a returned cleanup, or through a handed-off listener', () => {
    expect(
      at(`export function a(signal: AbortSignal, start: (cb: (err?: Error) => void) => void) {
  return new Promise<void>((resolve, reject) => {
    const cleanup = () => signal.removeEventListener('abort', onAbort);
    const onAbort = () => { cleanup(); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
    start((err) => {
      cleanup();
      if (err) reject(err);
      else resolve();
    });
  });
}
export async function b(signal: AbortSignal, start: (cb: () => void) => void) {
  const onAbort = () => {};
  await new Promise<void>((resolve) => {
    signal.addEventListener('abort', onAbort);
    start(resolve);
  });
  signal.removeEventListener('abort', onAbort);
}
export function c(signal: AbortSignal, start: (cb: () => void) => void) {
  const onAbort = () => {};
  return new Promise<void>((resolve) => {
    signal.addEventListener('abort', onAbort, { once: true });
    start(resolve);
  }).finally(() => signal.removeEventListener('abort', onAbort));
}
declare function track(signal: AbortSignal, listener: () => void): void;
export async function e(signal: AbortSignal, work: () => Promise<void>) {
  const abort = () => {};
  signal.addEventListener('abort', abort, { once: true });
  track(signal, abort);
  await work();
}`),
    ).toEqual([]);
  });

  it('reports a function that adds a listener to an outside emitter and runs itself again without removing it', () => {
    const results = run(`import type { EventEmitter } from 'node:events';
export function poll(bus: EventEmitter, next: () => Promise<boolean>) {
  const onClose = () => {};
  const round = () => {
    bus.on('close', onClose);
    void next().then((more) => {
      if (more) round();
      else bus.off('close', onClose);
    });
  };
  round();
}
export function ok(bus: EventEmitter, next: () => Promise<boolean>) {
  const onClose = () => {};
  const round = () => {
    bus.on('close', onClose);
    void next().then((more) => {
      bus.off('close', onClose);
      if (more) round();
    });
  };
  round();
}
export function ownEmitter(make: () => EventEmitter, next: () => Promise<boolean>) {
  const round = () => {
    const bus = make();
    bus.on('close', () => {});
    void next().then((more) => { if (more) round(); });
  };
  round();
}`);
    expect(results.map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['restartListener@5:5']);
    expect(results[0]!.related.map((x) => `${x.label}@${x.line}:${x.column}`)).toEqual(['round() runs again here with the listener still attached@7:17']);
  });

  it('reports signal.onabort = … and a dropped addAbortListener remover on a signal from outside, not on fresh signals', () => {
    expect(
      at(`import { addAbortListener } from 'node:events';
export function a(signal: AbortSignal, stop: () => void) {
  signal.onabort = stop;
  addAbortListener(signal, stop);
  const kept = addAbortListener(signal, stop);
  const own = new AbortController();
  own.signal.onabort = stop;
  addAbortListener(own.signal, stop);
  signal.onabort = null;
  return kept;
}`),
    ).toEqual(['onabortAssigned@3:3', 'droppedRemover@4:3']);
  });

  it('takes an untyped value named like a signal for one in JavaScript', () => {
    expect(
      at(`export function a(options: any, work: (cb: () => void) => void) {
  return new Promise<void>((resolve) => {
    options.signal.addEventListener('abort', () => {}, { once: true });
    work(() => resolve());
  });
}
export function b(emitter: any) {
  emitter.addEventListener('abort', () => {}, { once: true });
}`),
    ).toEqual(['onceAbortListener@3:5']);
  });

  it('accepts removal in the teardown (through a helper), removeAllListeners, destroying the target, { signal }, own emitters and this', () => {
    expect(
      at(`import { EventEmitter } from 'node:events';
export class Consumer extends EventEmitter {
  private readonly controller = new AbortController();
  private readonly own = new EventEmitter();
  constructor(private readonly bus: EventEmitter, private readonly other: EventEmitter, private readonly win: EventTarget) {
    super();
    this.bus.on('message', this.onMessage);
    this.other.on('data', (d: string) => { void d; });
    this.win.addEventListener('focus', () => {}, { signal: this.controller.signal });
    this.own.on('x', () => {});
    this.on('self', () => {});
  }
  private onMessage = (m: string) => { void m; };
  close() { this.detach(); this.controller.abort(); }
  private detach() {
    this.bus.off('message', this.onMessage);
    this.other.removeAllListeners('data');
  }
}
export class Connection {
  constructor(private readonly socket: EventEmitter & { destroy(): void }) {
    socket.on('data', (chunk: string) => { void chunk; });
  }
  close() { this.socket.destroy(); }
}
export function watch(target: EventTarget, onResize: () => void) {
  target.addEventListener('resize', onResize);
  return () => target.removeEventListener('resize', onResize);
}
export function noLifecycle(bus: EventEmitter) {
  bus.on('x', () => {});
}`),
    ).toEqual([]);
  });

  it('treats emitters made by Node factories as the class\'s own, like new Socket()', () => {
    expect(
      at(`import { spawn, fork, exec, execFile, type ChildProcess } from 'node:child_process';
import { createServer, request, type Server, type ClientRequest } from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
export class Owner {
  private a: ChildProcess | undefined;
  private b!: ChildProcess;
  private c!: ChildProcess;
  private d!: ChildProcess;
  private server!: Server;
  private s1!: net.Socket;
  private s2!: net.Socket;
  private s3!: tls.TLSSocket;
  private req!: ClientRequest;
  start() {
    this.a = spawn('ls');
    this.a.on('message', () => {});
    this.a.stdout?.on('data', () => {});
    this.b = fork('child.js');
    this.b.on('message', () => {});
    this.c = exec('ls');
    this.c.on('message', () => {});
    this.d = execFile('ls');
    this.d.on('message', () => {});
    this.server = createServer();
    this.server.on('request', () => {});
    this.s1 = net.connect(1);
    this.s1.on('data', () => {});
    this.s2 = net.createConnection(1);
    this.s2.on('data', () => {});
    this.s3 = tls.connect(1);
    this.s3.on('data', () => {});
    this.req = request('http://x');
    this.req.on('response', () => {});
  }
  close() {}
}`),
    ).toEqual([]);
  });

  it('still reports a field filled by a call that is not a factory of fresh emitters', () => {
    expect(
      at(`import { EventEmitter } from 'node:events';
const shared = new EventEmitter();
function spawn(): EventEmitter { return shared; }
export class Owner {
  private bus!: EventEmitter;
  start() {
    this.bus = spawn();
    this.bus.on('job', () => {});
  }
  close() {}
}`),
    ).toEqual(['inlineListener@8:5']);
  });

  it('follows aliases of the target into the teardown (fields and locals), and ending a parent ends its pipes', () => {
    expect(
      at(`import type { ServerResponse } from 'node:http';
import type { ChildProcess } from 'node:child_process';
export class Sse {
  private _res: ServerResponse | undefined;
  start(res: ServerResponse) {
    this._res = res;
    res.on('drain', () => {});
  }
  close() { this._res?.end(); }
}
export class Stdio {
  constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', () => {});
  }
  async close() {
    const toClose = this.child;
    toClose.kill('SIGTERM');
  }
}`),
    ).toEqual([]);
    // The alias is dropped, not ended.
    expect(
      at(`import type { ServerResponse } from 'node:http';
export class Sse {
  private _res: ServerResponse | undefined;
  start(res: ServerResponse) {
    this._res = res;
    res.on('drain', () => {});
  }
  close() { this._res = undefined; }
}`),
    ).toEqual(['inlineListener@6:5']);
  });

  it("accepts a resource's last event ('close', 'exit', 'end', 'finish', 'error') on a resource it was given, not on globals or long-lived emitters", () => {
    expect(
      at(`import type { ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
export class Scope {
  constructor(private readonly child: ChildProcess, socket: Socket, req: IncomingMessage) {
    this.child.on('exit', () => this.done());
    this.child.on('close', () => this.done());
    this.child.on('error', () => this.done());
    socket.on('end', () => this.done());
    socket.on('close', this.done);
    req.on('close', () => this.done());
  }
  private done = () => {};
  dispose() {}
}`),
    ).toEqual([]);
    expect(
      at(`import { EventEmitter } from 'node:events';
import { Socket } from 'node:net';
const shared = new Socket();
export class Scope {
  constructor(private readonly bus: EventEmitter) {
    this.bus.on('close', this.done);
    process.on('exit', this.done);
    shared.on('close', this.done);
  }
  private done = () => {};
  dispose() {}
}
export class PerRequest {
  constructor(req: import('node:http').IncomingMessage) {
    req.socket.on('close', this.done);
  }
  private done = () => {};
  dispose() {}
}`),
    ).toEqual(['notRemoved@6:5', 'notRemoved@7:5', 'notRemoved@8:5', 'notRemoved@15:5']);
  });

  it('takes extra lifecycle method names (lifecycleMethods option)', () => {
    const code = `export class View {
  mount() { process.on('SIGINT', this.layout); }
  layout = () => {};
  unmount() {}
}`;
    expect(at(code)).toEqual([]);
    expect(run(code, { lifecycleMethods: ['unmount'] }).map((r) => `${r.messageId}@${r.line}:${r.column}`)).toEqual(['notRemoved@2:13']);
  });

  it('matches the expect markers in fixtures/leaked-listener exactly', () => {
    const { files, diff } = fixtureDiff(leakedListener);
    expect(files).toBeGreaterThan(1);
    expect(diff).toBe('');
  });
});

describe('leaked-listener in test files', () => {
  it('leaves a test file to the runtime side; the same text as program code is reported', () => {
    const file = 'leaked-listener/good-in-test.test.ts';
    expect(runOnFixture(leakedListener, file)).toEqual([]);
    expect(runOnFixture(leakedListener, file, {}, { asProgramCode: true }).map((r) => `${r.messageId}@${r.line}`)).toEqual(['inlineListener@13', 'abortListener@23']);
  });
});
