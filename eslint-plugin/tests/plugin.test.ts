import { describe, expect, it } from 'vitest';
import { allChecks } from '@asyncsan/checks';
import { catalog, docsUrl } from '@asyncsan/core';
import plugin from '../src/index.js';

describe('eslint-plugin-asyncsan', () => {
  it('names itself after its package', () => {
    expect(plugin.meta).toEqual({ name: 'eslint-plugin-asyncsan', version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('has one rule per static check, adapted without loss', () => {
    expect(Object.keys(plugin.rules).sort()).toEqual(allChecks.map((c) => c.id).sort());
    for (const check of allChecks) {
      const { meta } = plugin.rules[check.id]!;
      expect(meta.type).toBe('problem');
      expect(meta.messages).toEqual(check.messages);
      expect(meta.schema).toEqual([check.schema]);
      expect(meta.docs?.url).toBe(docsUrl(check.id));
      expect(meta.docs?.description).toBe(catalog.get(check.id)!.description);
      expect(meta.hasSuggestions ?? false).toBe(check.hasSuggestions ?? false);
      expect(meta.fixable).toBe(check.fixable ? 'code' : undefined);
    }
  });

  it('configs: strict has every rule, recommended the recommended ones, at their catalog severity', () => {
    const level = (id: string) => (catalog.get(id)!.defaultSeverity === 'error' ? 'error' : 'warn');
    const ids = Object.keys(plugin.rules);
    // strict also turns on the options a check reserves for it (checkSyncThrows, checkAllCallees).
    const strictOptions: Record<string, object> = { 'floating-promise': { checkSyncThrows: true }, 'misused-async-callback': { checkSyncThrows: true }, 'missing-abort-propagation': { checkAllCallees: true } };
    const strictSetting = (id: string) => (strictOptions[id] ? [level(id), strictOptions[id]] : level(id));
    expect(plugin.configs.strict.rules).toEqual(Object.fromEntries(ids.sort().map((id) => [`asyncsan/${id}`, strictSetting(id)])));
    expect(plugin.configs.recommended.rules).toEqual(
      Object.fromEntries(ids.filter((id) => catalog.get(id)!.recommended).sort().map((id) => [`asyncsan/${id}`, level(id)])),
    );
    expect(plugin.configs.recommended.rules).not.toHaveProperty('asyncsan/uncancelled-siblings');
    expect(plugin.configs.strict.plugins?.asyncsan).toBe(plugin);
  });
});
