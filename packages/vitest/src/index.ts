/**
 * `plugins: [asyncsan()]` in vitest.config: each test becomes a tracer scope,
 * judged after its hooks; leaks, unsettled tasks, deadlocks and leaked
 * listeners are reported on the test that caused them.
 */
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import type {} from 'vitest/config'; // brings Vitest's configureVitest hook into Vite's Plugin type
import type { AsyncsanVitestOptions } from './options.js';
import { PROVIDE_KEY, resolveOptions } from './options.js';
import { AsyncsanReporter } from './reporter.js';

export type { AsyncsanVitestOptions, Mode } from './options.js';

const runnerPath = fileURLToPath(new URL('./runner.js', import.meta.url));

export function asyncsan(options: AsyncsanVitestOptions = {}): Plugin {
  const resolved = resolveOptions(options);
  return {
    name: 'asyncsan',
    config() {
      if (resolved.mode === 'off') return {};
      return { test: { runner: runnerPath, provide: { [PROVIDE_KEY]: resolved } } } as Record<string, unknown>;
    },
    configureVitest({ vitest }) {
      if (resolved.mode === 'off') return;
      // Reporters are created from the config after this hook: ours joins the user's.
      (vitest.config.reporters as unknown[]).push(new AsyncsanReporter(resolved));
    },
  };
}

export default asyncsan;
