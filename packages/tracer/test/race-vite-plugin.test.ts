/**
 * The Vite host of the race transform: real Vite (its TypeScript strip, its
 * `this.parse`) transforms a TypeScript module through the plugin; sites name
 * the original TypeScript lines, node_modules and virtual ids are skipped; the
 * host's parser is the one used when the context has one.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Parser } from 'acorn';
import { createServer } from 'vite';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { asyncsanRaceTransform, shouldTransformId } from '../src/race/vite-plugin.js';
import { RUNTIME_GLOBAL, type SiteEntry } from '../src/race/transform.js';
import { RaceRuntime } from '../src/race/runtime.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'asyncsan-race-vite-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('asyncsanRaceTransform()', () => {
  it('skips node_modules, virtual modules and non-scripts', () => {
    expect(shouldTransformId('/p/src/a.ts')).toBe(true);
    expect(shouldTransformId('/p/src/a.mjs?v=123')).toBe(true);
    expect(shouldTransformId('/p/node_modules/x/index.js')).toBe(false);
    expect(shouldTransformId('\0virtual:thing')).toBe(false);
    expect(shouldTransformId('virtual:thing.js')).toBe(false);
    expect(shouldTransformId('/p/src/style.css')).toBe(false);
  });

  it("parses with the host's this.parse when the context has one, to the same output as the fallback parser", () => {
    const code = [
      'let total = 0;',
      'export async function add(fetch) {',
      '  total = total + (await fetch());',
      '}',
    ].join('\n');
    const id = '/p/src/total.js';
    const plugin = asyncsanRaceTransform();
    // Vite's parse is an ESTree parser: acorn with the fallback's options stands in for it.
    const parse = vi.fn((src: string) => Parser.parse(src, { ecmaVersion: 'latest', sourceType: 'module' }));
    const hosted = plugin.transform.call({ parse }, code, id);
    expect(parse).toHaveBeenCalledTimes(1);
    expect(parse.mock.calls[0]![0]).toBe(code);
    const fallback = plugin.transform.call({}, code, id);
    expect(hosted).not.toBeNull();
    expect(hosted!.code).toContain('__asyncsan');
    expect(hosted!.code).toBe(fallback!.code);
    expect(JSON.stringify(hosted!.map)).toBe(JSON.stringify(fallback!.map));
    // Skipped ids never reach the parser.
    parse.mockClear();
    expect(plugin.transform.call({ parse }, code, '/p/node_modules/x/index.js')).toBeNull();
    expect(parse).not.toHaveBeenCalled();
  });

  it('instruments TypeScript after Vite strips it, with sites on the original lines', async () => {
    mkdirSync(path.join(root, 'src'), { recursive: true });
    const source = [
      'interface Ledger {', // 1: gone after the strip
      '  fetch(id: string): Promise<number>;',
      '}',
      'export const label = "日本語 é";', // 4: offsets after non-ASCII text must stay right
      'export class Account {',
      '  balance: number = 0;',
      '  constructor(private readonly ledger: Ledger) {}',
      '',
      '  async applyCredit(id: string): Promise<void> {',
      '    this.balance = this.balance + (await this.ledger.fetch(id));', // 10
      '  }',
      '}',
    ].join('\n');
    writeFileSync(path.join(root, 'src/account.ts'), source);
    const server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [asyncsanRaceTransform()],
      server: { middlewareMode: true, ws: false },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    try {
      const result = await server.transformRequest('/src/account.ts');
      const code = result!.code;
      expect(code).not.toContain('interface Ledger');
      expect(code).toContain('applyCredit(id) {return __asyncsan.t(1, { "Account.applyCredit": async () => {');
      const table = JSON.parse(/\.module\("[^"]*", (\[.*?\]\])\);/.exec(code)![1]!) as SiteEntry[];
      expect(table.map(([line, , label]) => `${line} ${label}`)).toEqual([
        // The parameter property becomes a constructor write of this.ledger.
        '7 this.ledger',
        '9 Account.applyCredit',
        '10 this.balance',
        '10 this.balance',
        '10 await',
        '10 this.ledger',
      ]);
      // Columns too: `this.balance` read is at column 20 of line 10.
      expect(table[3]![1]).toBe(20);
    } finally {
      await server.close();
    }
  });

  it('runs instrumented TypeScript under Vite SSR and reports the race on the TypeScript line', async () => {
    mkdirSync(path.join(root, 'src'), { recursive: true });
    writeFileSync(
      path.join(root, 'src/bank.ts'),
      [
        'type Amount = number;', // 1
        'const tick = (): Promise<void> => new Promise((r) => setTimeout(r, 2));',
        'async function credit(n: Amount): Promise<Amount> {',
        '  await tick();',
        '  return n;',
        '}',
        'class Account {',
        '  balance: Amount = 0;',
        '  async applyCredit(n: Amount): Promise<void> {',
        '    this.balance = this.balance + (await credit(n));', // 10
        '  }',
        '}',
        'export async function run(): Promise<number> {',
        '  const account = new Account();',
        '  await Promise.all([account.applyCredit(1), account.applyCredit(2)]);',
        '  return account.balance;',
        '}',
      ].join('\n'),
    );
    const g = globalThis as Record<string, unknown>;
    const previous = g[RUNTIME_GLOBAL];
    const rt = new RaceRuntime({ cwd: root });
    g[RUNTIME_GLOBAL] = rt;
    const server = await createServer({
      root,
      configFile: false,
      logLevel: 'silent',
      plugins: [asyncsanRaceTransform()],
      server: { middlewareMode: true, ws: false },
      optimizeDeps: { noDiscovery: true, include: [] },
    });
    try {
      const mod = (await server.ssrLoadModule('/src/bank.ts')) as { run: () => Promise<number> };
      expect(await mod.run()).toBe(2);
      expect(rt.findings.map((f) => `${f.id} ${f.location?.file}:${f.location?.line}:${f.location?.column}`)).toEqual(['lost-update src/bank.ts:10:5']);
      expect(rt.findings[0]!.related?.map((r) => `${r.location.line}:${r.location.column}`)).toEqual(['10:20', '10:5', '10:36']);
    } finally {
      g[RUNTIME_GLOBAL] = previous;
      await server.close();
    }
  });
});
