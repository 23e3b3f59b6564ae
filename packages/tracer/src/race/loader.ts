/**
 * Node `module.register` hooks for race mode: the `load` hook instruments the
 * project's own ES modules (file: URLs ending in .js/.mjs, outside node_modules
 * and outside asyncsan itself) with the race transform, source map inline.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrument, withInlineMap } from './transform.js';

interface LoadContext {
  format?: string | null;
  conditions?: string[];
  importAttributes?: Record<string, string>;
}
interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | Uint8Array | null;
  shortCircuit?: boolean;
}
type NextLoad = (url: string, context?: LoadContext) => LoadResult | Promise<LoadResult>;

/** asyncsan's own packages: never instrumented (the runtime must not watch itself). */
const OWN_ROOT = (() => {
  const pkg = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  // In the asyncsan repository the packages sit side by side under packages/; installed, under node_modules.
  return path.dirname(pkg);
})();

export function shouldInstrument(url: string): boolean {
  if (!url.startsWith('file:')) return false;
  const pathname = url.split(/[?#]/)[0]!;
  if (!/\.m?js$/.test(pathname)) return false;
  if (pathname.includes('/node_modules/')) return false;
  const file = fileURLToPath(pathname);
  return !file.startsWith(OWN_ROOT + path.sep);
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || result.source == null || !shouldInstrument(url)) return result;
  const code = typeof result.source === 'string' ? result.source : Buffer.from(result.source as Uint8Array).toString('utf8');
  const out = instrument(code, fileURLToPath(url.split(/[?#]/)[0]!));
  if (!out) return result;
  return { format: 'module', source: withInlineMap(out), shortCircuit: true };
}
