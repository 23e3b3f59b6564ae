/**
 * What one judgement (Scope.collect) shares between its detectors: the scope's records read at the end,
 * the findings in the order they are reported, and the intermediate results one detector leaves for a
 * later one (which tasks sleep on which timer, which waits and pipelines are stuck, which streams a
 * pipeline or a deadlock already explains). The detectors run in the fixed order of ./index.ts.
 */
import type { Finding, HazardId } from '@asyncsan/core';
import type { AwaitChain } from '../diff.js';
import type { BleedSource } from '../bleed.js';
import type { Capture } from '../capture.js';
import type { LeftResource } from '../diff.js';
import type { FormatContext } from '../format.js';
import type { IgnoreRule } from '../ignore.js';
import type { IgnoredFinding } from '../ignore-current.js';
import type { FinishedTask } from '../leftovers.js';
import type { EventWaitRecord, PipelineRecord, ScopeState } from '../state.js';
import type { JudgeOptions } from '../tracer.js';

export interface Judgement {
  readonly state: ScopeState;
  /** The whole-program scope (its front end narrows what is judged). */
  readonly program: boolean;
  readonly options: JudgeOptions;
  readonly ctx: FormatContext;
  readonly chains: AwaitChain[];
  /** Event waits and pipelines pending at the end, read before the proof let go of their promises. */
  readonly waiting: Set<EventWaitRecord>;
  readonly pipes: PipelineRecord[];
  readonly capture: Capture;
  readonly rules: IgnoreRule[];
  readonly attribute: { cwd: string; internalPaths: string[]; maxProbes: number; sourceMaps: boolean };
  readonly finishedTasks: FinishedTask[];
  /** The scope's map from a top-level deadlock to the unsettled-task it stands for (Scope.topLevelFallbacks). */
  readonly topLevelFallbacks: Map<Finding, Finding>;
  bleedSource(): BleedSource;
  /** What is reported, in the order the detectors report it (mergeBySite keeps the first of a site). */
  readonly findings: Finding[];
  /** What an ignoreCurrent() snapshot covers, in the order it is met (the scope's `ignored`). */
  readonly ignored: IgnoredFinding[];
  /**
   * Judges `items` with the snapshots aside: what a snapshot covers is built one by one into `ignored`
   * with its reason, the rest is built and returned.
   */
  judge<T>(items: readonly T[], keyOf: (item: T) => object | undefined, build: (kept: T[]) => Finding[]): Finding[];

  /** Resources judged left over (the timeline reads them); unchanged when resources are not judged. */
  judgedLeft: LeftResource[];
  /** Lines of the deadlocks found before the resources were judged. */
  deadlocked: Set<string>;
  /** Tasks asleep on a timer their scope armed, and those timers (one root cause: reported as the task). */
  sleepsOn: Map<AwaitChain, LeftResource[]>;
  asleepOn: Set<LeftResource['record']>;
  /** Stuck event waits and pipelines: judged early, reported by the precedence step. */
  stuck: Finding[];
  piped: Finding[];
  /** Streams of a stuck pipeline: reported at the pipeline's call, not one by one. */
  inPipelines: Set<PipelineRecord['streams'][number]>;
  /** Set by the precedence step: lines whose unsettled task, and lines whose deadlock, another finding explains. */
  explained: Set<string>;
  stuckAt: Set<string>;
}

/** One step of the judgement: the hazard ids it reports (or decides about) and what it does. */
export interface Detector {
  readonly ids: readonly HazardId[];
  run(j: Judgement): void;
}

/** Findings about one stuck await share its line (an `await once(…)` and its call differ only in column). */
export const key = (f: Finding) => `${f.location?.file}:${f.location?.line}`;
