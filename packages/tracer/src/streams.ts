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
import { syncBuiltinESMExports } from 'node:module';
import { Socket } from 'node:net';
import stream, { Duplex, Readable, Writable } from 'node:stream';
import streamPromises from 'node:stream/promises';
import type { Finding } from '@asyncsan/core';
import { firstUserFrame, isTracerFrame, parseStack, toStack, type AttributeOptions } from './attribute.js';
import { captureSite } from './capture.js';
import { finding, targetName, type FormatContext } from './format.js';
import { pushBounded, type PipelineRecord, type ScopeState, type StreamWriteRecord } from './state.js';

/**
 * `x instanceof http.IncomingMessage` without importing node:http, which costs every Vitest
 * worker 6 ms: an IncomingMessage can only exist once the program loaded it.
 */
function isIncomingMessage(x: object): boolean {
  for (let p: unknown = Object.getPrototypeOf(x); p && p !== Readable.prototype; p = Object.getPrototypeOf(p)) {
    if ((p as { constructor?: { name?: unknown } }).constructor?.name !== 'IncomingMessage') continue;
    const http = process.getBuiltinModule('node:http');
    return x instanceof http.IncomingMessage;
  }
  return false;
}

export interface StreamPatch {
  uninstall(): void;
}

type Write = (this: Writable, ...args: unknown[]) => boolean;

export function installStreamPatch(
  owner: () => ScopeState | undefined,
  isPending: (scope: ScopeState, promise: Promise<unknown>) => boolean = () => true,
): StreamPatch {
  // The scope that last recorded a stream: one record per stream and scope.
  // (Its id: a stream outliving the scope must not keep the scope's records alive.)
  const recorded = new WeakMap<object, number>();
  // Duplex copies Writable's methods onto its own prototype: both need the wrapper.
  const protos = [Writable.prototype, Duplex.prototype] as unknown as Array<{ write: Write }>;
  const original = protos[0]!.write;
  const write: Write = function write(this: Writable, ...args: unknown[]) {
    const ok = original.apply(this, args);
    if (ok === false) {
      try {
        const s = owner();
        if (s !== undefined && recorded.get(this) !== s.id) {
          recorded.set(this, s.id);
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
      if (this instanceof Readable && !(this instanceof Socket) && !isIncomingMessage(this)) {
        const s = owner();
        if (s !== undefined) pushBounded(s.readables, { stream: this, site: captureSite() }, (r) => !finishedReading(r.stream as Readable));
      }
    } catch {
      // never break a constructor
    }
    return init.apply(this, args);
  };
  const pipelines = installPipelinePatch(owner, isPending);
  return {
    uninstall() {
      for (const p of patched) p.write = original;
      emitter.init = init;
      pipelines.uninstall();
    },
  };
}

type Pipeline = (...args: unknown[]) => unknown;

const isStreamLike = (o: unknown): o is object =>
  typeof o === 'object' && o !== null && (typeof (o as { pipe?: unknown }).pipe === 'function' || typeof (o as { write?: unknown }).write === 'function');

/**
 * stream.pipeline (callback form) and stream/promises pipeline: each call
 * inside a scope is remembered with its streams and its call site; the callback
 * is wrapped to say when it ran, the promise is asked whether it is still pending.
 */
function installPipelinePatch(owner: () => ScopeState | undefined, isPending: (scope: ScopeState, promise: Promise<unknown>) => boolean): StreamPatch {
  const callbackHolder = stream as unknown as { pipeline: Pipeline };
  const promiseHolder = streamPromises as unknown as { pipeline: Pipeline };
  const originals = { callback: callbackHolder.pipeline, promise: promiseHolder.pipeline };
  const keep = (s: ScopeState) => (p: PipelineRecord) => !p.done && (p.promise === undefined || isPending(s, p.promise));

  callbackHolder.pipeline = function pipeline(this: unknown, ...args: unknown[]) {
    try {
      const s = owner();
      const last = args.length - 1;
      if (s !== undefined && typeof args[last] === 'function') {
        const r: PipelineRecord = { streams: args.slice(0, last).filter(isStreamLike), site: captureSite(), done: false };
        const callback = args[last] as (...a: unknown[]) => unknown;
        args[last] = function (this: unknown, ...result: unknown[]) {
          r.done = true;
          return callback.apply(this, result);
        };
        pushBounded(s.pipelines, r, keep(s));
      }
    } catch {
      // never break the caller
    }
    return originals.callback.apply(this, args);
  };
  // util.promisify(stream.pipeline) reads a custom symbol off the function: keep it.
  for (const key of Object.getOwnPropertySymbols(originals.callback)) {
    Object.defineProperty(callbackHolder.pipeline, key, Object.getOwnPropertyDescriptor(originals.callback, key)!);
  }

  promiseHolder.pipeline = function pipeline(this: unknown, ...args: unknown[]) {
    const promise = originals.promise.apply(this, args);
    try {
      const s = owner();
      if (s !== undefined && promise instanceof Promise) {
        const streams = args.filter(isStreamLike);
        pushBounded(s.pipelines, { streams, site: captureSite(), done: false, promise }, keep(s));
      }
    } catch {
      // never break the caller
    }
    return promise;
  };
  syncBuiltinESMExports();
  return {
    uninstall() {
      callbackHolder.pipeline = originals.callback;
      promiseHolder.pipeline = originals.promise;
      syncBuiltinESMExports();
    },
  };
}

/** Is the pipeline still running (callback not called, promise pending)? */
export function pipelineRunning(p: PipelineRecord, isPending: (promise: Promise<unknown>) => boolean): boolean {
  return !p.done && (p.promise === undefined || isPending(p.promise));
}

/**
 * Why a running pipeline can never finish, or undefined while it still might:
 * its destination (or a stage) is blocked on a 'drain' nothing will bring, or its
 * source never ended and nothing that could feed it is scheduled.
 */
export function whyPipelineStuck(p: PipelineRecord, scheduled: boolean): string | undefined {
  return safely(() => whyStuck(p, scheduled), undefined);
}

/** Streams are user objects (subclasses, stream-likes): a getter that throws means "not stuck", never a broken judgement. */
function safely<T>(read: () => T, fallback: T): T {
  try {
    return read();
  } catch {
    return fallback;
  }
}

function whyStuck(p: PipelineRecord, scheduled: boolean): string | undefined {
  const name = (o: object) => (o as { constructor?: { name?: string } }).constructor?.name ?? 'stream';
  for (let i = p.streams.length - 1; i >= 0; i--) {
    const w = p.streams[i] as Writable;
    if (w.writableNeedDrain === true && w.destroyed !== true && !scheduled) {
      return `its ${i === p.streams.length - 1 ? 'destination' : 'stage'} ${name(w)} is blocked with ${w.writableLength} bytes buffered and nothing reads from it, so the 'drain' it waits for never comes`;
    }
  }
  const source = p.streams[0] as (Readable & { _handle?: unknown; socket?: { destroyed?: boolean } | null }) | undefined;
  if (source === undefined || scheduled) return undefined;
  // A source backed by a handle (a socket, a pipe, an HTTP message's socket) may still be fed from outside the scope.
  const backed = (source._handle !== undefined && source._handle !== null) || (source.socket != null && source.socket.destroyed !== true);
  if (!backed && typeof source.readableEnded === 'boolean' && !source.readableEnded && source.destroyed !== true) {
    return `its source ${name(source)} never ended and nothing that could feed it (a timer, handle or pending I/O) is scheduled`;
  }
  return undefined;
}

function finishedReading(r: Readable): boolean {
  return r.destroyed === true || r.readableEnded === true;
}

/**
 * A fetch() response body (the Readable undici makes for it) that is still receiving: the
 * server's end has not arrived and nobody destroyed it, so undici keeps the connection busy
 * (paused by backpressure) until the response is read, cancelled or garbage-collected.
 */
export function unfinishedFetchBody(record: StreamWriteRecord, ctx: AttributeOptions): boolean {
  const r = record.stream as Readable & { _readableState?: { ended?: boolean } };
  const receiving = safely(() => r.destroyed !== true && r._readableState?.ended === false, false);
  return receiving && parseStack(record.site.stack, ctx).some((f) => f.external === true && f.absolute.includes('undici'));
}

/** Holds buffered data, is paused, and nobody listens for 'data' or 'readable': it will never be read. */
export function holdsUnreadData(record: StreamWriteRecord): boolean {
  const r = record.stream as Readable;
  return safely(() => !(finishedReading(r) || r.readableLength === 0 || r.readableFlowing === true) && r.listenerCount('data') === 0 && r.listenerCount('readable') === 0, false);
}

/** Still over its highWaterMark, not destroyed, not finished: no 'drain' has come. */
export function stillBlocked(record: StreamWriteRecord): boolean {
  const s = record.stream as Writable;
  return safely(() => s.writableNeedDrain === true && s.destroyed !== true && s.writableFinished !== true, false);
}

export function pipelineFindings(stuck: ReadonlyArray<{ pipeline: PipelineRecord; why: string }>, ctx: FormatContext): Finding[] {
  const out: Finding[] = [];
  for (const { pipeline, why } of stuck) {
    const frames = parseStack(pipeline.site.stack, ctx).filter((f) => !isTracerFrame(f.absolute));
    const at = firstUserFrame(frames);
    if (!at) continue;
    const chain = pipeline.streams.map((s) => targetName(s)).join(' → ');
    const message = `pipeline(${chain}) started in this ${ctx.noun} has not finished ${ctx.when} and never will: ${why}`;
    const hint = 'End the source (end() / push(null)) or destroy it when the work is cancelled, make sure the destination is consumed, and pass { signal } so the pipeline can be aborted.';
    out.push(finding('stuck-stream', message, at, [toStack('pipeline started at', frames)], hint, ctx));
  }
  return out;
}
