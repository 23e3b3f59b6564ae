/**
 * eslint-plugin-asyncsan: thin ESLint rules over the @asyncsan/checks engine,
 * with `recommended` (high-precision rules) and `strict` (all) flat configs.
 *
 *   import asyncsan from 'eslint-plugin-asyncsan';
 *   export default [asyncsan.configs.recommended];
 */
import { readFileSync } from 'node:fs';
import type { TSESLint } from '@typescript-eslint/utils';
import { getEntry } from '@asyncsan/core';
import { allChecks } from '@asyncsan/checks';
import type { AsyncsanRule } from './create-rule.js';
import floatingPromise from './rules/floating-promise.js';
import misusedAsyncCallback from './rules/misused-async-callback.js';
import neverSettlingPromise from './rules/never-settling-promise.js';
import missingAbortPropagation from './rules/missing-abort-propagation.js';
import raceTimeoutLeak from './rules/race-timeout-leak.js';
import uncancelledSiblings from './rules/uncancelled-siblings.js';
import unboundedConcurrency from './rules/unbounded-concurrency.js';
import leakedTimer from './rules/leaked-timer.js';
import leakedListener from './rules/leaked-listener.js';
import lostUpdate from './rules/lost-update.js';
import checkThenAct from './rules/check-then-act.js';
import mutexNotReleased from './rules/mutex-not-released.js';

export { createRule } from './create-rule.js';
export type { AsyncsanRule, AsyncsanRuleDocs } from './create-rule.js';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

export const rules: Record<string, AsyncsanRule> = {
  'floating-promise': floatingPromise,
  'misused-async-callback': misusedAsyncCallback,
  'never-settling-promise': neverSettlingPromise,
  'missing-abort-propagation': missingAbortPropagation,
  'race-timeout-leak': raceTimeoutLeak,
  'uncancelled-siblings': uncancelledSiblings,
  'unbounded-concurrency': unboundedConcurrency,
  'leaked-timer': leakedTimer,
  'leaked-listener': leakedListener,
  'lost-update': lostUpdate,
  'check-then-act': checkThenAct,
  'mutex-not-released': mutexNotReleased,
};

type RuleLevel = 'error' | 'warn';
type RuleSetting = RuleLevel | [RuleLevel, Record<string, unknown>];

export interface AsyncsanPlugin {
  meta: { name: string; version: string };
  rules: Record<string, AsyncsanRule>;
  configs: { recommended: TSESLint.FlatConfig.Config; strict: TSESLint.FlatConfig.Config };
}

function levelOf(id: string): RuleLevel {
  return getEntry(id)?.defaultSeverity === 'error' ? 'error' : 'warn';
}

/** `strict` also turns on the options a check reserves for it (floating-promise's checkSyncThrows). */
function configOf(name: string, include: (id: string) => boolean, strict: boolean): TSESLint.FlatConfig.Config {
  const settings: Record<string, RuleSetting> = {};
  for (const id of Object.keys(rules).sort()) {
    if (!include(id)) continue;
    const extra = strict ? allChecks.find((c) => c.id === id)?.strictOptions : undefined;
    settings[`asyncsan/${id}`] = extra ? [levelOf(id), { ...extra }] : levelOf(id);
  }
  return { name: `asyncsan/${name}`, plugins: { asyncsan: plugin as unknown as TSESLint.FlatConfig.Plugin }, rules: settings };
}

const plugin: AsyncsanPlugin = {
  meta: { name: pkg.name, version: pkg.version },
  rules,
  configs: {} as AsyncsanPlugin['configs'],
};

plugin.configs.recommended = configOf('recommended', (id) => getEntry(id)?.recommended === true, false);
plugin.configs.strict = configOf('strict', () => true, true);

export default plugin;
