/**
 * stuck-port: messages posted inside a scope to a MessagePort that nobody
 * receives from: the other end of the channel has no 'message' listener, was
 * never started, and is not closed. MessagePort.prototype.postMessage and close
 * are wrapped (a site is captured on the first post per port); the two ends of a
 * channel are the two ports the capture stage saw created together.
 */
import { MessagePort } from 'node:worker_threads';
import { captureSite } from './capture.js';
import type { ResourceRecord, ScopeState } from './state.js';

interface PostRecord {
  count: number;
  site: { stack?: string };
}

const posts = new WeakMap<object, PostRecord>();
const closed = new WeakSet<object>();

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
  const { postMessage, close } = proto;
  proto.postMessage = function (this: object, ...args: unknown[]) {
    try {
      if (owner() !== undefined) {
        const record = posts.get(this);
        if (record) record.count++;
        else posts.set(this, { count: 1, site: captureSite() });
      }
    } catch {
      // never break the caller
    }
    return postMessage.apply(this, args);
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
      if (!sent || closed.has(to) || closed.has(from) || receives(to)) continue;
      out.push({ sender: from, count: sent.count, site: sent.site });
    }
  }
  return out;
}
