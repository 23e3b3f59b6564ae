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
