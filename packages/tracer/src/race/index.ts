/**
 * Race mode: the instrumentation (one transform, two hosts) and the runtime
 * that detects lost updates and check-then-act interleavings as they happen.
 */
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export { instrument, withInlineMap, HANDLE, RUNTIME_GLOBAL } from './transform.js';
export type { InstrumentOptions, InstrumentResult, SiteEntry } from './transform.js';
export { RaceRuntime, Task, installRaceRuntime, getRaceRuntime } from './runtime.js';
export type { ModuleHandle, RaceOptions, Site } from './runtime.js';
export { createShuffler, parseSeed, prng } from './shuffle.js';
export type { Shuffler } from './shuffle.js';
export { asyncsanRaceTransform, shouldTransformId } from './vite-plugin.js';
export type { RaceTransformPlugin } from './vite-plugin.js';
export { shouldInstrument } from './loader.js';

/**
 * For `node --import <raceRegisterUrl>`: installs the runtime and the instrumenting
 * loader hooks. Always the built file, also when this module runs from src/ (tests).
 */
export const raceRegisterUrl = pathToFileURL(path.join(path.dirname(path.dirname(path.dirname(fileURLToPath(import.meta.url)))), 'dist', 'race', 'register.js')).href;
