/**
 * Where a position of compiled JavaScript comes from, by the file's own source map
 * (`//# sourceMappingURL=` naming a .map file or an inline `data:` map, as tsc's
 * `sourceMap` and `inlineSourceMap` write them). Read when a finding is reported,
 * never while the program runs: the program's own stacks, error handling and speed
 * stay what they are without asyncsan (no `--enable-source-maps` forced on it),
 * and a file is read and its map decoded once per process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeMappings } from './race/source-map-lookup.js';

export interface OriginalPosition {
  /** Absolute path of the original source. */
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based, as V8 counts columns in stacks. */
  column: number;
}

interface FileMap {
  /** Absolute paths of the sources, or undefined for one that is not a file on this machine. */
  sources: Array<string | undefined>;
  mappings: string;
  decoded?: ReturnType<typeof decodeMappings>;
}

/** The last sourceMappingURL comment of a file (a bundler may leave earlier ones in). */
const MAPPING_URL = /^[ \t]*\/\/[#@][ \t]+sourceMappingURL=([^\s'"]+)[ \t]*$/gm;
const MAX_FILES = 512;
const maps = new Map<string, FileMap | null>();

function readMapText(url: string, generated: string): { text: string; at: string } | undefined {
  if (url.startsWith('data:')) {
    const comma = url.indexOf(',');
    if (comma < 0) return undefined;
    const meta = url.slice(5, comma);
    const data = url.slice(comma + 1);
    const text = meta.split(';').includes('base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data);
    return { text, at: generated };
  }
  const resolved = new URL(url, pathToFileURL(generated));
  if (resolved.protocol !== 'file:') return undefined;
  const at = fileURLToPath(resolved);
  return { text: readFileSync(at, 'utf8'), at };
}

/** A source's absolute path: relative to the map (and its sourceRoot), or a file: URL; other schemes are not files here. */
function sourcePath(source: unknown, root: string, mapFile: string): string | undefined {
  if (typeof source !== 'string' || source === '') return undefined;
  try {
    const url = new URL(root ? `${root.replace(/\/?$/, '/')}${source}` : source, pathToFileURL(mapFile));
    if (url.protocol !== 'file:') return undefined;
    const file = fileURLToPath(url);
    // A map that names sources this machine does not have (built elsewhere) says less than the file that ran.
    return existsSync(file) ? file : undefined;
  } catch {
    return undefined;
  }
}

function load(generated: string): FileMap | null {
  let code: string;
  try {
    code = readFileSync(generated, 'utf8');
  } catch {
    return null;
  }
  let url: string | undefined;
  for (const m of code.matchAll(MAPPING_URL)) url = m[1];
  if (url === undefined) return null;
  try {
    const read = readMapText(url, generated);
    if (!read) return null;
    const raw = JSON.parse(read.text) as { version?: unknown; sources?: unknown; sourceRoot?: unknown; mappings?: unknown };
    // Index maps (`sections`) and other versions are not read: the generated position stands.
    if (raw.version !== 3 || typeof raw.mappings !== 'string' || !Array.isArray(raw.sources)) return null;
    const root = typeof raw.sourceRoot === 'string' ? raw.sourceRoot : '';
    return { sources: raw.sources.map((s) => sourcePath(s, root, read.at)), mappings: raw.mappings };
  } catch {
    // A map that cannot be read or parsed: the generated position stands.
    return null;
  }
}

/** A file's source map, read once (null: it has none that can be read). */
function mapOf(generated: string): FileMap | null {
  let map = maps.get(generated);
  if (map === undefined) {
    if (maps.size >= MAX_FILES) maps.clear();
    map = load(generated);
    maps.set(generated, map);
  }
  return map;
}

/**
 * The original position of a generated one (1-based line and column, as in V8's
 * stacks), or undefined when the file has no source map, the map says nothing
 * about that line, or its source is not a file on this machine.
 */
export function originalPosition(generated: string, line: number, column: number): OriginalPosition | undefined {
  const map = mapOf(generated);
  if (map === null) return undefined;
  try {
    map.decoded ??= decodeMappings(map.mappings);
  } catch {
    maps.set(generated, null);
    return undefined;
  }
  const segments = map.decoded[line - 1];
  if (!segments || segments.length === 0) return undefined;
  // The segment the column falls in: the last one starting at or before it (a column before the first: the first).
  let best = segments[0]!;
  for (const seg of segments) {
    if (seg[0] <= column - 1) best = seg;
    else break;
  }
  const file = map.sources[best[1]];
  return file === undefined ? undefined : { file, line: best[2] + 1, column: best[3] + 1 };
}

/**
 * The one original source a compiled file was made from (tsc writes one .js per .ts),
 * or undefined when it has no source map or a map of several sources (a bundle).
 */
export function originalSource(generated: string): string | undefined {
  const map = mapOf(generated);
  return map !== null && map.sources.length === 1 ? map.sources[0] : undefined;
}
