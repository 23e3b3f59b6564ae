/**
 * `plugins: [asyncsan()]` in vitest.config: each test becomes a tracer scope,
 * judged after its hooks; leaks, unsettled tasks, deadlocks and leaked
 * listeners are reported on the test that caused them.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import type {} from 'vitest/config'; // brings Vitest's configureVitest hook into Vite's Plugin type
import type { Finding } from '@asyncsan/core';
import type { AsyncsanVitestOptions, Mode } from './options.js';
import { PROVIDE_KEY, resolveOptions, withProjectConfig } from './options.js';
import { AsyncsanReporter } from './reporter.js';
import { asyncsanRaceTransform } from '@asyncsan/tracer/race';

export type { AsyncsanVitestOptions, Mode } from './options.js';

const runnerPath = fileURLToPath(new URL('./runner.js', import.meta.url));

/**
 * The runner and the engine it loads are plain ESM: loaded natively rather than
 * through Vite's transform (which a workspace or linked install would otherwise
 * get, at a cost in every worker).
 */
function nativeModules(): RegExp[] {
  const dirs = [path.dirname(runnerPath)];
  for (const name of ['@asyncsan/tracer', '@asyncsan/core']) {
    try {
      dirs.push(path.dirname(fileURLToPath(import.meta.resolve(name))));
    } catch {
      // not resolvable from here: Vite finds it under node_modules and externalizes it anyway
    }
  }
  return dirs.map((d) => new RegExp(`^${(d + path.sep).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}

/**
 * Set on a Vitest instance our reporter was added to. A global symbol, not a WeakSet of this module:
 * a config that imports the plugin by a relative path gets its own bundled copy of this module for
 * each project of a test.projects config that extends it.
 */
const REPORTING = Symbol.for('asyncsan.vitest.reporting');

export function asyncsan(options: AsyncsanVitestOptions = {}): Plugin {
  const resolved = resolveOptions(options);
  const race = resolved.race && resolved.mode !== 'off' ? asyncsanRaceTransform() : undefined;
  return {
    name: 'asyncsan',
    // Race mode instruments the project's own modules after TypeScript is stripped (hence 'post').
    ...(race ? { enforce: 'post' as const, transform: race.transform as Plugin['transform'] } : {}),
    config() {
      if (resolved.mode === 'off') return {};
      return { test: { runner: runnerPath, provide: { [PROVIDE_KEY]: resolved }, server: { deps: { external: nativeModules() } } } } as Record<string, unknown>;
    },
    async configureVitest({ vitest, project }) {
      if (resolved.mode === 'off') return;
      // The asyncsan config (the file the CLI reads) is read and validated here, before any
      // test runs; the workers get it with the options.
      const options = await withProjectConfig(resolved, project.config.root);
      useRunner(project.config as unknown as ProjectConfig);
      provide(project, options);
      if (isRoot(project)) {
        try {
          provide(vitest, options);
        } catch {
          // The root is still being set up (Vitest cannot name it yet): this project is it, provided above.
        }
      }
      // Reporters are created from the config after this hook: ours joins the user's, once per run
      // (with `test.projects` extending the root config, the hook runs again for every project).
      const run = vitest as unknown as Record<symbol, boolean | undefined>;
      if (run[REPORTING] !== true) {
        run[REPORTING] = true;
        (vitest.config.reporters as unknown[]).push(new AsyncsanReporter(options));
      }
    },
  };
}

export default asyncsan;

/**
 * Is this the root project? Vitest 4.1 throws "Root project is not initialized" when asked while
 * the root's own plugins are being configured, with `test.projects` in the config: then it is the root.
 */
function isRoot(project: object): boolean {
  try {
    return (project as { isRootProject?: () => boolean }).isRootProject?.() === true;
  } catch {
    return true;
  }
}

interface ProjectConfig {
  runner?: string;
  server?: { deps?: { external?: Array<string | RegExp> } };
}

/**
 * Vitest 5 runs the config hook for the root config only: a test.projects project that extends it
 * gets the root's plugins (so this configureVitest) but not what the hook added. Its resolved config
 * gets our runner here, unless it has a runner of its own.
 */
function useRunner(config: ProjectConfig): void {
  if (config.runner !== undefined && config.runner !== runnerPath) return;
  config.runner = runnerPath;
  const deps = ((config.server ??= {}).deps ??= {});
  const external = (deps.external ??= []);
  for (const re of nativeModules()) if (!external.some((e) => String(e) === String(re))) external.push(re);
}

/** Replaces the options provided to the workers (a project, or the root's config that later projects copy). */
function provide(target: { config: { provide?: Record<string, unknown> }; provide?: (key: never, value: never) => void }, options: unknown): void {
  if (typeof target.provide === 'function') target.provide(PROVIDE_KEY as never, options as never);
  if (target.config.provide && PROVIDE_KEY in target.config.provide) target.config.provide[PROVIDE_KEY] = options;
}

// `task.meta.asyncsan = 'off'` type-checks in TypeScript test files. TaskMeta is declared in
// @vitest/runner on Vitest 4 and in vitest itself on Vitest 5 (which has no @vitest/runner), and
// an augmentation merges only where the interface is declared, not through a re-export: both are
// augmented (test/vitest-meta-typing.test.ts). Each is a no-op where the other one applies.
declare module '@vitest/runner' {
  interface TaskMeta {
    /** Per-test mode, read when the test is judged: 'off' drops its findings, 'warn' reports without failing. */
    asyncsan?: Mode;
    /** Findings of this test (set by the runner). */
    asyncsanFindings?: Finding[];
    /** cross-test-bleed findings seen while this test ran, about the test that left the timer armed (set by the runner). */
    asyncsanBleed?: Finding[];
  }
}
declare module 'vitest' {
  interface TaskMeta {
    /** Per-test mode, read when the test is judged: 'off' drops its findings, 'warn' reports without failing. */
    asyncsan?: Mode;
    /** Findings of this test (set by the runner). */
    asyncsanFindings?: Finding[];
    /** cross-test-bleed findings seen while this test ran, about the test that left the timer armed (set by the runner). */
    asyncsanBleed?: Finding[];
  }
}
