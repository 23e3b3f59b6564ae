/**
 * Stage 4, attribute: turn a creation stack into frames (user frames first,
 * node_modules and node: internals marked external and collapsed) and pick the
 * user frame where the fix goes. Stacks are parsed from their formatted text, so
 * whatever source-map support is installed (Node's, Vitest's) is honoured.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Location, Stack, StackFrame } from '@asyncsan/core';
import { originalPosition } from './source-maps.js';

/** This package's own code (src when run from source, dist when built): its frames are never the user's. */
export const TRACER_ROOT = path.dirname(fileURLToPath(import.meta.url));
const TRACER_PACKAGE = path.dirname(TRACER_ROOT);
const TRACER_CODE = [path.join(TRACER_PACKAGE, 'src'), path.join(TRACER_PACKAGE, 'dist')];

export interface AttributeOptions {
  cwd: string;
  /** Absolute directories whose frames count as external, besides node_modules and the tracer. */
  internalPaths: readonly string[];
  /**
   * Map the project's frames through their files' source maps (compiled TypeScript run as
   * JavaScript): for hosts whose stacks are not mapped already (a program, node:test).
   */
  sourceMaps?: boolean;
}

const FRAME = /^\s*at (?:(async )?(?:(.*?) \()?)?(.+?):(\d+):(\d+)\)?\s*$/;

export interface ParsedFrame extends StackFrame {
  async?: boolean;
  /** Absolute path or node: specifier, before making it relative. */
  absolute: string;
  /** Ordinal of the frame line in the stack text (unparsable frame lines count too). */
  index: number;
  /** With `sourceMaps`: the generated file the frame ran in, when `absolute` is its original source. */
  generated?: string;
}

function toPath(file: string): string {
  if (file.startsWith('file://')) {
    try {
      return fileURLToPath(file);
    } catch {
      return file;
    }
  }
  return file;
}

/** The same function in the same file (an anonymous one: at the same place). */
export const sameFrame = (a: ParsedFrame, b: ParsedFrame): boolean =>
  a.absolute === b.absolute && (a.function !== undefined ? a.function === b.function : a.line === b.line && a.column === b.column);

export function isTracerFrame(absolute: string): boolean {
  return TRACER_CODE.some((dir) => absolute.startsWith(dir + path.sep));
}

export function isExternalPath(absolute: string, options: AttributeOptions): boolean {
  if (!path.isAbsolute(absolute)) return true; // node:internal/…, native, <anonymous>
  if (absolute.includes(`${path.sep}node_modules${path.sep}`)) return true;
  if (isTracerFrame(absolute)) return true;
  return options.internalPaths.some((p) => absolute === p || absolute.startsWith(p.endsWith(path.sep) ? p : p + path.sep));
}

type Prepare = (error: Error, sites: NodeJS.CallSite[]) => unknown;

/** V8's default frame lines, from the call sites: what a stack reads like with no formatter installed. */
export function formatCallSites(sites: readonly NodeJS.CallSite[]): string {
  return ['Error', ...sites.map((s) => `    at ${String(s)}`)].join('\n');
}

/**
 * Runs `fn` (synchronously: no user code but its getters runs meanwhile) with the user's
 * Error.prepareStackTrace guarded. Creation sites are formatted lazily, when the tracer reads
 * them: a formatter that throws would otherwise throw out of the judgement; there the default
 * text is used instead.
 */
export function withGuardedStacks<T>(fn: () => T): T {
  const user = Error.prepareStackTrace as Prepare | undefined;
  if (typeof user !== 'function') return fn();
  const guarded = function (this: unknown, error: Error, sites: NodeJS.CallSite[]): unknown {
    try {
      return user.call(this, error, sites);
    } catch {
      try {
        return formatCallSites(sites);
      } catch {
        return '';
      }
    }
  };
  Error.prepareStackTrace = guarded;
  try {
    return fn();
  } finally {
    // Only ours is taken back: code run inside may have installed another on purpose.
    if (Error.prepareStackTrace === guarded) Error.prepareStackTrace = user;
  }
}

/** Parses V8's formatted stack text ("    at fn (file:line:col)") into frames, skipping the message line. */
/** A parsed frame line, before its position in a stack is known. */
type FrameTemplate = Omit<ParsedFrame, 'index'>;

/**
 * Parsed frame lines, per set of options (cwd and internal paths decide `file` and
 * `external`). Judgements parse the same lines over and over (a test runner's own
 * frames, in every test), and a line's path conversions are the costly part.
 */
const lineCaches = new Map<string, Map<string, FrameTemplate | null>>();
const LINE_CACHE_MAX = 4096;

function lineCache(options: AttributeOptions): Map<string, FrameTemplate | null> {
  const key = `${options.sourceMaps === true ? 'mapped' : ''}\0${options.cwd}\0${options.internalPaths.join('\0')}`;
  let cache = lineCaches.get(key);
  if (cache === undefined) {
    if (lineCaches.size >= 16) lineCaches.clear();
    cache = new Map();
    lineCaches.set(key, cache);
  } else if (cache.size >= LINE_CACHE_MAX) cache.clear();
  return cache;
}

function parseFrameLine(line: string, options: AttributeOptions): FrameTemplate | null {
  const m = FRAME.exec(line);
  if (!m) return null;
  let absolute = toPath(m[3]!);
  let position = { line: Number(m[4]), column: Number(m[5]) };
  let generated: string | undefined;
  // Only the project's own files: a dependency's frames are collapsed anyway, and reading their maps costs.
  if (options.sourceMaps === true && !isExternalPath(absolute, options)) {
    const original = originalPosition(absolute, position.line, position.column);
    if (original) {
      generated = absolute;
      absolute = original.file;
      position = original;
    }
  }
  const file = path.isAbsolute(absolute) ? path.relative(options.cwd, absolute).split(path.sep).join('/') : absolute;
  const frame: FrameTemplate = { file, line: position.line, column: position.column, absolute };
  if (generated !== undefined) frame.generated = generated;
  if (m[2]) frame.function = m[2];
  if (m[1]) frame.async = true;
  if (isExternalPath(absolute, options)) frame.external = true;
  return frame;
}

export function parseStack(text: unknown, options: AttributeOptions): ParsedFrame[] {
  // A user's Error.prepareStackTrace may make `stack` anything: only V8-style text is read.
  if (typeof text !== 'string' || text === '') return [];
  const cache = lineCache(options);
  const frames: ParsedFrame[] = [];
  let index = -1;
  for (const line of text.split('\n')) {
    if (/^\s*at /.test(line)) index++;
    else continue;
    let template = cache.get(line);
    if (template === undefined) {
      template = parseFrameLine(line, options);
      cache.set(line, template);
    }
    // A fresh object per frame: callers mark frames (async flags) in place.
    if (template !== null) frames.push({ ...template, index });
  }
  return frames;
}

/** The npm package a path lies in (the part after its last node_modules/), if any. */
export function packageOf(file: string): string | undefined {
  const parts = file.split(/[\\/]/);
  const at = parts.lastIndexOf('node_modules');
  if (at < 0 || at + 1 >= parts.length) return undefined;
  const first = parts[at + 1]!;
  return first.startsWith('@') && at + 2 < parts.length ? `${first}/${parts[at + 2]}` : first;
}

/** What a run of external frames is collapsed by: the runtime, one package, or the tracer. */
function externalGroup(f: ParsedFrame): string {
  if (!path.isAbsolute(f.absolute)) return 'runtime';
  return packageOf(f.absolute) ?? (isTracerFrame(f.absolute) ? 'asyncsan' : 'internal');
}

/** Keeps user frames and the first frame of every run of external frames from one package (or the runtime). */
export function collapseFrames(frames: readonly ParsedFrame[]): StackFrame[] {
  const out: StackFrame[] = [];
  let previousGroup: string | undefined;
  for (const f of frames) {
    const group = f.external ? externalGroup(f) : undefined;
    if (group !== undefined && group === previousGroup) continue;
    previousGroup = group;
    const frame: StackFrame = { file: f.file, line: f.line, column: f.column };
    if (f.function !== undefined) frame.function = f.async ? `async ${f.function}` : f.function;
    if (f.external) frame.external = true;
    out.push(frame);
  }
  return out;
}

export function firstUserFrame(frames: readonly ParsedFrame[]): ParsedFrame | undefined {
  return frames.find((f) => !f.external);
}

/** The method a frame runs as: the last segment of its name, or its `[as name]` alias. */
function methodName(frame: ParsedFrame): string | undefined {
  const name = frame.function;
  if (name === undefined) return undefined;
  const alias = /\[as ([\w$]+)\]$/.exec(name);
  if (alias) return alias[1];
  return name.slice(name.lastIndexOf('.') + 1);
}

/**
 * The user frame that decided, for a resource created through the API `api` (setTimeout,
 * setInterval, …): thin wrappers named after the API (a `timeoutManager.setTimeout` helper, a
 * provider's `setTimeout: (cb, ms) => setTimeout(cb, ms)`) are passed over for their caller,
 * the code that chose to schedule it. When only wrappers are the user's, the first one.
 */
export function decidingFrame(frames: readonly ParsedFrame[], api: string | undefined): ParsedFrame | undefined {
  const first = firstUserFrame(frames);
  if (first === undefined || api === undefined) return first;
  return frames.find((f) => !f.external && methodName(f) !== api) ?? first;
}

export function locationOf(frame: StackFrame): Location {
  return { file: frame.file, line: frame.line, column: frame.column };
}

/** The stack from the first user frame on (the runtime's own frames above it are noise), collapsed. */
export function toStack(label: string, frames: readonly ParsedFrame[]): Stack {
  const first = frames.findIndex((f) => !f.external);
  return { label, frames: collapseFrames(first > 0 ? frames.slice(first) : frames) };
}
