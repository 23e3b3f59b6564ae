import { describe, expect, it } from 'vitest';
import type { Finding } from '@asyncsan/core';
import { failsTest, resolveOptions } from '../src/options.js';
import { asyncsan } from '../src/index.js';

describe('asyncsan() options', () => {
  it('defaults to fail under CI and warn elsewhere', () => {
    expect(resolveOptions({}, { CI: 'true' }).mode).toBe('fail');
    expect(resolveOptions({}, { CI: '' }).mode).toBe('warn');
    expect(resolveOptions({}, { CI: 'false' }).mode).toBe('warn');
    expect(resolveOptions({}, {})).toEqual({ mode: 'warn', exclude: [], ignore: [], outputFile: undefined, settleMs: 50, race: false, verbose: false });
  });

  it('stops on an unknown or mistyped option with one clear line', () => {
    expect(() => resolveOptions({ mdoe: 'fail' } as never)).toThrow('asyncsan(): unknown option "mdoe"; expected one of mode, exclude, ignore, outputFile, settleMs, race, shuffle, verbose');
    expect(() => resolveOptions({ mode: 'loud' } as never)).toThrow('asyncsan(): "mode" must be "fail", "warn" or "off", got "loud"');
    expect(() => resolveOptions({ exclude: 'test/**' } as never)).toThrow('asyncsan(): "exclude" must be an array of glob strings');
    expect(() => resolveOptions({ settleMs: -1 })).toThrow('asyncsan(): "settleMs" must be a non-negative number');
    expect(() => resolveOptions({ verbose: 'yes' } as never)).toThrow('asyncsan(): "verbose" must be true or false');
  });

  it('mode off adds neither runner nor reporter', () => {
    const plugin = asyncsan({ mode: 'off' });
    expect((plugin.config as () => unknown)()).toEqual({});
  });

  it('sets the runner, provides the options and loads the engine natively', () => {
    const config = (asyncsan({ mode: 'warn', exclude: ['legacy/**'] }).config as () => { test: Record<string, unknown> })();
    expect(String(config.test.runner)).toMatch(/packages[/\\]vitest[/\\](src|dist)[/\\]runner\.js$/);
    expect(config.test.provide).toEqual({ asyncsan: { mode: 'warn', exclude: ['legacy/**'], ignore: [], outputFile: undefined, settleMs: 50, race: false, verbose: false } });
    const external = (config.test.server as { deps: { external: RegExp[] } }).deps.external;
    expect(external.map((r) => r.test(`${process.cwd()}/packages/tracer/dist/tracer.js`)).some(Boolean)).toBe(true);
  });

  it('info findings fail a test only when failOn says info; warnings and errors do by default', () => {
    const of = (severity: Finding['severity']): Finding => ({ id: 'unsettled-task', severity, message: 'm', engine: 'tracer' });
    const defaults = resolveOptions({ mode: 'fail' }, {});
    expect(failsTest([of('info'), of('info')], defaults)).toBe(false);
    expect(failsTest([of('info'), of('warning')], defaults)).toBe(true);
    expect(failsTest([of('info')], resolveOptions({ mode: 'fail', failOn: 'info' }, {}))).toBe(true);
    expect(failsTest([of('warning')], resolveOptions({ mode: 'fail', failOn: 'error' }, {}))).toBe(false);
  });
});
