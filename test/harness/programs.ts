/**
 * The whole-program fixtures (fixtures/runtime/<id>/*.mjs and *.cjs) of the tracer's detectors:
 * one listing for every test that runs them, through `node --import …/register` or the `asyncsan` bin.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fixturesRoot, listSourceFiles } from './expectations.js';
import { TRACER_IDS } from './ids.js';

export { TRACER_IDS } from './ids.js';

/** Programs that never exit on their own: interrupted with this signal once they print "ready". */
export const INTERRUPTED = new Map<string, NodeJS.Signals>([
  ['fixtures/runtime/leaked-handle/bad-never-exits.mjs', 'SIGINT'],
  ['fixtures/runtime/leaked-handle/good-graceful-shutdown.mjs', 'SIGINT'],
  ['fixtures/runtime/leaked-timer/bad-killed-by-sigterm.mjs', 'SIGTERM'],
  ['fixtures/runtime/stuck-stream/bad-program-unread-pipe.mjs', 'SIGINT'],
]);

/** Programs that exit with a code of their own (Node's 13: an unsettled top-level await); the bin exits with it too. */
export const OWN_EXIT_CODES = new Map<string, number>([['fixtures/runtime/deadlock/bad-program-top-level-await.mjs', 13]]);

/** Every whole-program fixture, ESM and CommonJS; other runtime fixtures (instrumented hazards) have their own tests. */
export function programFixtures(): string[] {
  return TRACER_IDS.flatMap((id) => {
    const dir = path.join(fixturesRoot, 'runtime', id);
    return existsSync(dir) ? listSourceFiles(dir, ['.mjs', '.cjs']).filter((f) => !f.endsWith('.test.mjs')) : [];
  });
}

/**
 * The node:test fixtures (fixtures/runtime/<id>/*.test.mjs): per-test detectors (leaked
 * listeners, abandoned iterators, bleed between tests) run through the bin as
 * `asyncsan run -- node --import asyncsan/register-test --test <file>`.
 */
export function nodeTestFixtures(): string[] {
  return TRACER_IDS.flatMap((id) => {
    const dir = path.join(fixturesRoot, 'runtime', id);
    return existsSync(dir) ? listSourceFiles(dir, ['.test.mjs']) : [];
  });
}
