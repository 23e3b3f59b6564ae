/**
 * The race transform as a Vite plugin, for Vitest's race mode: instruments the
 * project's own modules after TypeScript is stripped (`enforce: 'post'`) with
 * the host's parser (`this.parse`). node_modules, virtual modules (`\0…`,
 * `virtual:…`) and non-script ids are left alone. The runtime itself is
 * installed by the host (installRaceRuntime) before instrumented code runs.
 */
import { originalPositionLookup, type RawSourceMap } from './source-map-lookup.js';
import { instrument, type InstrumentOptions } from './transform.js';

/** The slice of Vite's/Rollup's plugin context the transform uses. */
interface TransformContext {
  parse?: (code: string, options?: unknown) => unknown;
  /** The map from the original file to `code`, through the transforms before this one. */
  getCombinedSourcemap?: () => RawSourceMap | null;
}

export interface RaceTransformPlugin {
  name: string;
  enforce: 'post';
  transform(this: TransformContext, code: string, id: string): { code: string; map: unknown } | null;
}

const SCRIPT = /\.(m?[jt]sx?|cts|cjs)$/;

export function shouldTransformId(id: string): boolean {
  if (id.startsWith('\0') || id.startsWith('virtual:') || id.includes('/@id/')) return false;
  const file = id.split('?')[0]!;
  if (file.includes('/node_modules/') || file.includes('\\node_modules\\')) return false;
  return SCRIPT.test(file);
}

export function asyncsanRaceTransform(): RaceTransformPlugin {
  return {
    name: 'asyncsan:race',
    enforce: 'post',
    transform(code, id) {
      if (!shouldTransformId(id)) return null;
      const options: InstrumentOptions = {};
      if (typeof this.parse === 'function') options.parse = (src: string) => this.parse!(src);
      // Sites must name the original (TypeScript) lines, not the stripped ones.
      try {
        const before = this.getCombinedSourcemap?.();
        if (before && typeof before.mappings === 'string' && before.mappings !== '') options.originalPosition = originalPositionLookup(before);
      } catch {
        // No map from the earlier transforms: the code is its own original.
      }
      const out = instrument(code, id.split('?')[0]!, options);
      return out ? { code: out.code, map: out.map } : null;
    },
  };
}
