/**
 * stuck-stream: a write() that returned false (the buffer is over its
 * highWaterMark) inside a scope whose stream still waits for 'drain' when the
 * scope ends: nobody consumes the other side, so the producer that waits for
 * 'drain' waits forever and the buffered data is never delivered.
 * Writable.prototype.write is wrapped; a site is captured only when it returns false.
 * Also a readable created in the scope that still holds data nobody reads: its
 * birth is seen through EventEmitter.init (every stream constructor calls it).
 */
import { EventEmitter } from 'node:events';
import { IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { Duplex, Readable, Writable } from 'node:stream';
import { captureSite } from './capture.js';
import { pushBounded, type ScopeState, type StreamWriteRecord } from './state.js';

export interface StreamPatch {
  uninstall(): void;
}

type Write = (this: Writable, ...args: unknown[]) => boolean;

export function installStreamPatch(owner: () => ScopeState | undefined): StreamPatch {
  // The scope that last recorded a stream: one record per stream and scope.
  const recorded = new WeakMap<object, ScopeState>();
  // Duplex copies Writable's methods onto its own prototype: both need the wrapper.
  const protos = [Writable.prototype, Duplex.prototype] as unknown as Array<{ write: Write }>;
  const original = protos[0]!.write;
  const write: Write = function write(this: Writable, ...args: unknown[]) {
    const ok = original.apply(this, args);
    if (ok === false) {
      try {
        const s = owner();
        if (s !== undefined && recorded.get(this) !== s) {
          recorded.set(this, s);
          pushBounded(s.streamWrites, { stream: this, site: captureSite() }, stillBlocked);
        }
      } catch {
        // never break the caller
      }
    }
    return ok;
  };
  const patched = protos.filter((p) => p.write === original);
  for (const p of patched) p.write = write;

  const emitter = EventEmitter as unknown as { init: (this: unknown, ...args: unknown[]) => unknown };
  const init = emitter.init;
  emitter.init = function (this: unknown, ...args: unknown[]) {
    try {
      // Sockets are handles (leaked-handle covers them) and HTTP messages are made per request by
      // the runtime: neither is worth a stack on every creation.
      if (this instanceof Readable && !(this instanceof Socket) && !(this instanceof IncomingMessage)) {
        const s = owner();
        if (s !== undefined) pushBounded(s.readables, { stream: this, site: captureSite() }, (r) => !finishedReading(r.stream as Readable));
      }
    } catch {
      // never break a constructor
    }
    return init.apply(this, args);
  };
  return {
    uninstall() {
      for (const p of patched) p.write = original;
      emitter.init = init;
    },
  };
}

function finishedReading(r: Readable): boolean {
  return r.destroyed === true || r.readableEnded === true;
}

/** Holds buffered data, is paused, and nobody listens for 'data' or 'readable': it will never be read. */
export function holdsUnreadData(record: StreamWriteRecord): boolean {
  const r = record.stream as Readable;
  if (finishedReading(r) || r.readableLength === 0 || r.readableFlowing === true) return false;
  return r.listenerCount('data') === 0 && r.listenerCount('readable') === 0;
}

/** Still over its highWaterMark, not destroyed, not finished: no 'drain' has come. */
export function stillBlocked(record: StreamWriteRecord): boolean {
  const s = record.stream as Writable;
  return s.writableNeedDrain === true && s.destroyed !== true && s.writableFinished !== true;
}
