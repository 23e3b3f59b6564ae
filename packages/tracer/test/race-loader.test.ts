/**
 * The Node host of the race transform: which URLs the load hook instruments
 * (the project's own .js/.mjs ES modules only), and what it hands back.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { raceRegisterUrl } from '../src/race/index.js';
import { load, shouldInstrument } from '../src/race/loader.js';

const project = '/home/me/project';
const url = (p: string) => pathToFileURL(path.join(project, p)).href;
const packagesDir = path.resolve(import.meta.dirname, '..', '..');

describe('race loader', () => {
  it('instruments the project’s own .js and .mjs files only', () => {
    expect(shouldInstrument(url('src/app.mjs'))).toBe(true);
    expect(shouldInstrument(url('src/app.js'))).toBe(true);
    expect(shouldInstrument(`${url('src/app.mjs')}?v=2`)).toBe(true);
    expect(shouldInstrument(url('node_modules/lib/index.js'))).toBe(false);
    expect(shouldInstrument(url('src/data.json'))).toBe(false);
    expect(shouldInstrument(url('src/native.node'))).toBe(false);
    expect(shouldInstrument('node:fs')).toBe(false);
    expect(shouldInstrument('data:text/javascript,export default 1')).toBe(false);
    // asyncsan itself is never watched.
    expect(shouldInstrument(pathToFileURL(path.join(packagesDir, 'tracer/dist/race/runtime.js')).href)).toBe(false);
    expect(shouldInstrument(pathToFileURL(path.join(packagesDir, 'core/dist/index.js')).href)).toBe(false);
  });

  it('returns instrumented ES modules with an inline source map, and leaves the rest alone', async () => {
    const source = 'let n = 0;\nexport async function bump() { n = n + (await 1); }\n';
    const next = (format: string) => async () => ({ format, source });
    const out = await load(url('src/a.mjs'), {}, next('module'));
    expect(out.shortCircuit).toBe(true);
    const code = String(out.source);
    expect(code).toContain('__asyncsan.aw( 1, 3)');
    expect(code).toMatch(/\n\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,[A-Za-z0-9+/=]+\n$/);
    const cjs = await load(url('src/a.js'), {}, next('commonjs'));
    expect(cjs.source).toBe(source);
    const dep = await load(url('node_modules/x/a.mjs'), {}, next('module'));
    expect(dep.source).toBe(source);
    const bytes = await load(url('src/b.mjs'), {}, async () => ({ format: 'module', source: new TextEncoder().encode(source) }));
    expect(String(bytes.source)).toContain('__asyncsan.t(');
  });

  it('points --import at the built register, also from the sources', () => {
    expect(raceRegisterUrl).toBe(pathToFileURL(path.join(packagesDir, 'tracer/dist/race/register.js')).href);
    expect(existsSync(fileURLToPath(raceRegisterUrl))).toBe(true);
  });
});
