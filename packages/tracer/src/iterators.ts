/**
 * abandoned-iterator: an async generator of the project that a scope started
 * consuming, left suspended at a `yield` (its last next() said done: false, and no
 * next() is pending) and never returned or threw into: when the scope ends its
 * consumer is gone, so the generator's finally blocks never run.
 * %AsyncGeneratorPrototype%.next/return/throw are wrapped; a site is captured once
 * per generator, at its first next(), and a few stacks inside that first step, to
 * tell where the generator's own code lives: generators of Node or a dependency (a
 * fetch body's iterator, a stream's) are theirs to close, not the project's.
 */
import { Readable } from 'node:stream';
import { isTracerFrame, parseStack, type AttributeOptions, type ParsedFrame } from './attribute.js';
import { captureSite, probePromiseBirths } from './capture.js';
import { pushBounded, type GeneratorRecord, type ScopeState, type Site } from './state.js';

export interface IteratorPatch {
  uninstall(): void;
}

type Method = (this: object, ...args: unknown[]) => Promise<IteratorResult<unknown>>;

type GeneratorProto = Record<'next' | 'return' | 'throw', Method>;

/**
 * %AsyncGeneratorPrototype% of this realm, and of Node's own realm when that is another one (a vm
 * context, as in Vitest's vmThreads pool): Node's generators (a stream's async iterator, through
 * which fetch reads a body) are made there.
 */
function generatorPrototypes(): GeneratorProto[] {
  const local = Object.getPrototypeOf((async function* () {}).prototype) as GeneratorProto;
  try {
    const nodeIterator = (Readable.prototype as unknown as { [Symbol.asyncIterator](this: Readable): object })[Symbol.asyncIterator].call(new Readable({ read() {} }));
    const node = Object.getPrototypeOf(Object.getPrototypeOf(nodeIterator)) as GeneratorProto;
    if (node !== local && typeof node.next === 'function') return [local, node];
  } catch {
    // no Node stream iterator here: this realm's generators only
  }
  return [local];
}

/**
 * Stacks taken at promise births of a generator's first step, after next()'s own promise (born
 * before the body runs): the first one born inside the body (its first await or yield) has the body's frame.
 */
const BODY_STACKS = 1;

export function installIteratorPatch(owner: () => ScopeState | undefined): IteratorPatch {
  const records = new WeakMap<object, GeneratorRecord>();
  const undo = generatorPrototypes().map((proto) => patchPrototype(proto, records, owner));
  return {
    uninstall() {
      for (const u of undo) u();
    },
  };
}

function patchPrototype(proto: GeneratorProto, records: WeakMap<object, GeneratorRecord>, owner: () => ScopeState | undefined): () => void {
  const originals = { next: proto.next, return: proto.return, throw: proto.throw };

  proto.next = function next(this: object, ...args: unknown[]) {
    let record: GeneratorRecord | undefined;
    let result: Promise<IteratorResult<unknown>>;
    try {
      record = records.get(this);
      if (record === undefined) {
        const s = owner();
        if (s !== undefined) {
          record = { generator: this, site: captureSite(), suspended: false, pending: 0, finished: false };
          records.set(this, record);
          pushBounded(s.generators, record, (g) => !g.finished);
        }
      }
    } catch {
      // never break the caller
    }
    if (record !== undefined && record.body === undefined) {
      // The first step runs the generator's code synchronously up to its first await or yield.
      const body: Site[] = [];
      record.body = body;
      let first: number | undefined;
      result = probePromiseBirths(
        (id) => {
          // next()'s own promise is born first, before the body runs: no stack needed for it.
          first ??= id;
          if (id !== first && body.length < BODY_STACKS) body.push(captureSite());
        },
        () => originals.next.apply(this, args),
      );
    } else result = originals.next.apply(this, args);
    try {
      if (record !== undefined) {
        const r = record;
        r.pending++;
        result.then(
          (step) => {
            r.pending--;
            r.suspended = step.done !== true;
            if (step.done === true) r.finished = true;
          },
          () => {
            r.pending--;
            r.finished = true;
          },
        );
      }
    } catch {
      // never break the caller
    }
    return result;
  };
  for (const key of ['return', 'throw'] as const) {
    proto[key] = function (this: object, ...args: unknown[]) {
      const record = records.get(this);
      if (record !== undefined) record.finished = true;
      return originals[key].apply(this, args);
    };
  }
  return () => {
    Object.assign(proto, originals);
  };
}

/** Node's async_hooks frames between a promise's birth and the code that made it. */
const isHookFrame = (f: ParsedFrame) => isTracerFrame(f.absolute) || f.absolute.startsWith('node:internal/async_hooks');

/**
 * The generator function's own frame, from the stacks taken inside its first step: the
 * frame just above the (tracer's) next() wrapper, when a stack has one there. Undefined
 * when no stack reached into the body.
 */
export function generatorCode(g: GeneratorRecord, ctx: AttributeOptions): ParsedFrame | undefined {
  for (const site of g.body ?? []) {
    const frames = parseStack(site.stack, ctx);
    let i = 0;
    while (i < frames.length && isHookFrame(frames[i]!)) i++;
    let body: ParsedFrame | undefined;
    for (; i < frames.length && !isTracerFrame(frames[i]!.absolute); i++) body = frames[i];
    // Reached the wrapper with a frame in between: that frame is the generator's (next() itself has no file).
    if (body !== undefined && i < frames.length) return body;
  }
  return undefined;
}

/**
 * Suspended at a yield with nobody waiting on it and no way left to finish: its last next()
 * said done: false, no next() is pending (a `for await` waiting on a step that is stuck at an
 * await inside the generator is a stuck task, not an abandoned iterator), and it was never
 * returned or thrown into.
 */
export function isAbandoned(g: GeneratorRecord): boolean {
  return g.suspended && !g.finished && g.pending === 0;
}

/** An abandoned generator whose code is the project's: a generator of Node or a dependency is its owner's to close. */
export function projectGeneratorAbandoned(g: GeneratorRecord, ctx: AttributeOptions): boolean {
  if (!isAbandoned(g)) return false;
  const code = generatorCode(g, ctx);
  return code === undefined || code.external !== true;
}

/** An abandoned generator of Node's or undici's that iterates a response body (a stream's async iterator). */
export function bodyIteratorAbandoned(g: GeneratorRecord, ctx: AttributeOptions): boolean {
  if (!isAbandoned(g)) return false;
  const code = generatorCode(g, ctx);
  return code !== undefined && code.external === true && (code.absolute.includes('undici') || (code.absolute === 'node:internal/streams/readable' && code.function === 'createAsyncIterator'));
}
