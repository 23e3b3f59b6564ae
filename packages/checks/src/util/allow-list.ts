/**
 * Allow-lists of known-safe functions and types, by name and origin:
 *   'name'                                          any declaration with that name
 *   { name: 'x' | ['x', 'y'], from: 'package', package: 'node:test' }
 *   { name, from: 'lib' }                           declared in TypeScript's default lib
 *   { name, from: 'file', path?: 'src/jobs.ts' }    declared in the project (not node_modules)
 */
import type * as TS from 'typescript';
import type { TypeScript } from '../check.js';
import { declarationPackage, normalizePackage } from './types.js';

export type AllowEntry =
  | string
  | {
      name: string | string[];
      from?: 'any' | 'package' | 'lib' | 'file';
      package?: string;
      path?: string;
    };

export const allowEntrySchema = {
  oneOf: [
    { type: 'string' },
    {
      type: 'object',
      properties: {
        name: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
        from: { enum: ['any', 'package', 'lib', 'file'] },
        package: { type: 'string' },
        path: { type: 'string' },
      },
      required: ['name'],
      additionalProperties: false,
    },
  ],
} as const;

function declarationMatches(ts: TypeScript, program: TS.Program, decl: TS.Declaration, entry: Exclude<AllowEntry, string>): boolean {
  const from = entry.from ?? (entry.package ? 'package' : 'any');
  const sf = decl.getSourceFile();
  switch (from) {
    case 'any':
      return true;
    case 'lib':
      return program.isSourceFileDefaultLibrary(sf);
    case 'package': {
      const pkg = declarationPackage(ts, decl);
      return pkg !== undefined && (entry.package === undefined || pkg === normalizePackage(entry.package));
    }
    case 'file': {
      const file = sf.fileName.replace(/\\/g, '/');
      if (file.includes('/node_modules/') || program.isSourceFileDefaultLibrary(sf)) return false;
      return entry.path === undefined || file.endsWith(entry.path.replace(/^\.\//, ''));
    }
  }
}

/**
 * Whether a symbol (a called function, or a promise's type) is allow-listed.
 * `writtenName` is the name at the use site (`describe` for node:test's
 * `suite`, which it re-exports under that name).
 */
export function isAllowed(
  ts: TypeScript,
  program: TS.Program,
  symbol: TS.Symbol | undefined,
  writtenName: string | undefined,
  entries: readonly AllowEntry[],
): boolean {
  if (!symbol || entries.length === 0) return false;
  const names = new Set([symbol.getName(), ...(writtenName ? [writtenName] : [])]);
  for (const raw of entries) {
    const entry = typeof raw === 'string' ? { name: raw } : raw;
    const wanted = Array.isArray(entry.name) ? entry.name : [entry.name];
    if (!wanted.some((n) => names.has(n))) continue;
    if ((symbol.getDeclarations() ?? []).some((d) => declarationMatches(ts, program, d, entry))) return true;
  }
  return false;
}
