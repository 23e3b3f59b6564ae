/**
 * stuck-port: messages posted inside a scope to a MessagePort that nobody
 * receives from: the other end of the channel has no 'message' listener, was
 * never started, and is not closed. MessagePort.prototype.postMessage and close
 * are wrapped (a site is captured on the first post per port); the two ends of a
 * channel are the two ports the capture stage saw created together.
 *
 * An end that went to another thread (in a transfer list, or the end `new Worker()`
 * hands the thread as its parentPort) is received there, out of sight: a channel
 * with such an end is never reported. Worker.prototype.postMessage is wrapped to
 * see the transfers it makes and to leave its own port's posts alone.
 */
import { MessagePort, Worker } from 'node:worker_threads';
import { captureSite } from './capture.js';
import type { ResourceRecord, ScopeState } from './state.js';

interface PostRecord {
  count: number;
  site: { stack?: string };
}

const posts = new WeakMap<object, PostRecord>();
const closed = new WeakSet<object>();
/** Ports sent to another thread in a transfer list: their messages are received there. */
const transferred = new WeakSet<object>();
/** Set while Worker.prototype.postMessage runs: the port it posts on is the worker's own, whose other end is the thread's parentPort. */
let inWorkerPost = 0;

/** The MessagePorts of a postMessage's transfer list (`[port]` or `{ transfer: [port] }`). */
function noteTransfers(options: unknown): void {
  const list = Array.isArray(options) ? options : typeof options === 'object' && options !== null ? (options as { transfer?: unknown }).transfer : undefined;
  if (!Array.isArray(list)) return;
  for (const item of list) if (item instanceof MessagePort) transferred.add(item);
}

/** Was close() called on this MessagePort, or did it see its 'close' (the other end closed), while the tracer ran? */
export function isClosedPort(port: object): boolean {
  return closed.has(port);
}

/**
 * A wait on a port: also learn when the channel closes from the other end (the
 * port then gets 'close'). A 'close' listener does not keep the port alive.
 */
export function followPortClose(port: object): void {
  if (!(port instanceof MessagePort) || closed.has(port)) return;
  try {
    port.addEventListener('close', () => closed.add(port), { once: true });
  } catch {
    // not a port we can follow
  }
}

export interface PortPatch {
  uninstall(): void;
}

type Method = (this: object, ...args: unknown[]) => unknown;

export function installPortPatch(owner: () => ScopeState | undefined): PortPatch {
  const proto = MessagePort.prototype as unknown as { postMessage: Method; close: Method };
  const workerProto = Worker.prototype as unknown as { postMessage: Method };
  const { postMessage, close } = proto;
  const workerPostMessage = workerProto.postMessage;
  proto.postMessage = function (this: object, ...args: unknown[]) {
    try {
      noteTransfers(args[1]);
      if (inWorkerPost === 0 && owner() !== undefined) {
        const record = posts.get(this);
        if (record) record.count++;
        else posts.set(this, { count: 1, site: captureSite() });
      }
    } catch {
      // never break the caller
    }
    return postMessage.apply(this, args);
  };
  workerProto.postMessage = function (this: object, ...args: unknown[]) {
    inWorkerPost++;
    try {
      return workerPostMessage.apply(this, args);
    } finally {
      inWorkerPost--;
    }
  };
  proto.close = function (this: object, ...args: unknown[]) {
    try {
      closed.add(this);
    } catch {
      // not an object: close() itself throws the right error
    }
    return close.apply(this, args);
  };
  return {
    uninstall() {
      proto.postMessage = postMessage;
      proto.close = close;
      workerProto.postMessage = workerPostMessage;
    },
  };
}

interface PortLike {
  hasRef?: () => unknown;
  listenerCount?: (type: string) => number;
  onmessage?: unknown;
}

function receives(port: object): boolean {
  const p = port as PortLike;
  try {
    if (p.hasRef?.() === true) return true;
    if (typeof p.onmessage === 'function') return true;
    return (p.listenerCount?.('message') ?? 0) > 0;
  } catch {
    return true;
  }
}

export interface StuckPort {
  sender: object;
  count: number;
  site: { stack?: string };
}

/** Channels created in the scope whose messages wait at an end nobody receives from. */
export function stuckPorts(scope: ScopeState): StuckPort[] {
  const ports = [...scope.resources.values()].filter((r) => r.type === 'MESSAGEPORT').sort((a, b) => a.asyncId - b.asyncId);
  const out: StuckPort[] = [];
  const sameSite = (a: ResourceRecord, b: ResourceRecord) => a.site?.stack === b.site?.stack;
  for (let i = 0; i + 1 < ports.length; i++) {
    const a = ports[i]!;
    const b = ports[i + 1]!;
    if (b.asyncId !== a.asyncId + 1 || !sameSite(a, b)) continue;
    i++;
    for (const [from, to] of [
      [a.resource, b.resource],
      [b.resource, a.resource],
    ] as const) {
      const sent = posts.get(from);
      if (!sent || closed.has(to) || closed.has(from) || transferred.has(to) || transferred.has(from) || receives(to)) continue;
      out.push({ sender: from, count: sent.count, site: sent.site });
    }
  }
  return out;
}
