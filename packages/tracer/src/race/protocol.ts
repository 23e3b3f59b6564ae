/**
 * What instrumented code and the runtime agree on: the names the transform
 * writes into modules and the flags it passes. Its own module so that the
 * runtime (loaded in every test worker) does not load the transform, its
 * parser and magic-string (only the host that rewrites code needs those).
 */

/** The per-module handle the prelude binds; every rewrite calls through it. */
export const HANDLE = '__asyncsan';
/** Where the runtime installs itself. */
export const RUNTIME_GLOBAL = '__asyncsanRace';

/** Site flags passed with reads. */
export const READ_IN_CONDITION = 1;

/** One site: 1-based line and column of the original source, and a short label. */
export type SiteEntry = [line: number, column: number, label: string];

/**
 * What `HANDLE` is: the methods instrumented code calls. The names are one or two letters because the
 * transform writes them at every access it rewrites (shorter code to parse and to read in a stack).
 * `site` is the index of the access in the module's site table; `flags` holds READ_IN_CONDITION.
 * Each call does the plain operation and returns what it would, so the rewritten code runs unchanged.
 */
export interface ModuleHandle {
  /** task: runs an async function's body (`fn`) as a new task frame, started at `site`. */
  t(site: number, fn: () => Promise<unknown>): Promise<unknown>;
  /** await: the current task suspends on `value` at `site` (awaiting a frame's promise joins that frame). */
  aw<T>(value: T, site: number): T | Promise<Awaited<T>>;
  /** read: `obj[key]`, recorded as a read of that property. */
  r(obj: unknown, key: PropertyKey, site: number, flags: number): unknown;
  /** write: `obj[key] = value`, recorded as a write of that property. */
  w(obj: unknown, key: PropertyKey, value: unknown, site: number): unknown;
  /** update: `obj[key]++` / `--` (`delta` ±1, `prefix` 1 for the prefix form): a read then a write. */
  u(obj: unknown, key: PropertyKey, delta: number, prefix: number, site: number): unknown;
  /** read variable: `value` of the variable `name`; `rec`: the per-activation record of a captured local, absent for module variables. */
  rv<T>(value: T, name: string, site: number, flags: number, rec?: object): T;
  /** read private: `value` of the private field `key` (`this.#x`, which cannot be passed as a key) of `obj`. */
  rp<T>(obj: object, key: string, value: T, site: number, flags: number): T;
  /** write private: records a write of the private field `key` of `obj`; returns `value`. */
  wp<T>(obj: object, key: string, value: T, site: number): T;
  /** write variable: records a write of the variable `name` (`rec` as for rv); returns `value`. */
  wv<T>(value: T, name: string, site: number, rec?: object): T;
  /** method call: `obj[method](...args)`; on a Map/Set/WeakMap/WeakSet, get/has read the entry `args[0]`, other methods write it. */
  mc(obj: unknown, method: string, site: number, flags: number, ...args: unknown[]): unknown;
  /** lock call: `obj[method](...args)`; on an async-mutex lock, tracks what the task holds. */
  lx(obj: unknown, method: string, site: number, ...args: unknown[]): unknown;
  /** keep: stores `obj` in `o` so a compound assignment evaluates its object once; returns it. */
  k<T>(obj: T): T;
  /** keep key: stores a computed `key` in `o2`, for the same reason; returns it. */
  k2<T>(key: T): T;
  /** The object last kept by k. */
  o: unknown;
  /** The key last kept by k2. */
  o2: unknown;
}
