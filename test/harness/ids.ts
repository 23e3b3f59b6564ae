/**
 * The lists of hazard ids the tests compare findings on, derived from the catalog
 * (packages/core/src/catalog.ts) so that a new id cannot be forgotten in one of them.
 */
import { catalog, catalogIds, type HazardId } from '@asyncsan/core';

const by = (engine: 'lint' | 'analyzer' | 'tracer'): readonly HazardId[] => catalogIds.filter((id) => catalog.get(id)!.engines.includes(engine));

/** Every id with an ESLint rule (and a per-file check in @asyncsan/checks). */
export const lintIds: readonly HazardId[] = by('lint');

/** Every id the tracer can report, with or without race mode: runtime findings are compared with the markers on all of them. */
export const tracerIds: readonly HazardId[] = by('tracer');

/** What the race runtime reports, in code it instrumented (`asyncsan run --race`, `asyncsan({ race: true })`). */
export const RACE_IDS: readonly HazardId[] = ['lost-update', 'check-then-act'];

/**
 * What the tracer reports without instrumenting anything: the ids whose folders under fixtures/runtime/ hold
 * the tracer's own fixtures (the race ids' folders hold instrumented programs, run by their own tests).
 */
export const TRACER_IDS: readonly HazardId[] = tracerIds.filter((id) => !RACE_IDS.includes(id));
