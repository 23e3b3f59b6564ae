import { builtinModules } from 'node:module';
import type { UntypedImport } from '@asyncsan/analyzer';

const SHOWN = 4;

/**
 * One warning for every import whose module has no types, e.g. `asyncsan: warning: 2 imports have no types
 * (node:events at app.ts:1, ./store.js at app.ts:2): what they give is \`any\`, where no check sees a promise, an
 * emitter or a timer. Install the dependencies and their types (node:* needs @types/node), or fix the tsconfig.`
 */
export function untypedImportsWarning(untyped: readonly UntypedImport[]): string {
  const byModule = new Map<string, UntypedImport[]>();
  for (const u of untyped) byModule.set(u.module, [...(byModule.get(u.module) ?? []), u]);
  const modules = [...byModule];
  const listed = modules.slice(0, SHOWN).map(([name, sites]) => `${name} at ${sites[0]!.file}:${sites[0]!.line}${sites.length > 1 ? ` (+${sites.length - 1})` : ''}`);
  if (modules.length > SHOWN) listed.push(`${modules.length - SHOWN} more module${modules.length - SHOWN === 1 ? '' : 's'}`);
  const node = modules.some(([name]) => isNodeBuiltin(name)) ? ' (node:* needs @types/node)' : '';
  const n = untyped.length;
  return (
    `asyncsan: warning: ${n} import${n === 1 ? ' has' : 's have'} no types (${listed.join(', ')}): what ${n === 1 ? 'it gives' : 'they give'} is \`any\`, ` +
    `where no check sees a promise, an emitter or a timer. Install the dependencies and their types${node}, or fix the tsconfig.\n`
  );
}

function isNodeBuiltin(name: string): boolean {
  return name.startsWith('node:') || builtinModules.includes(name.split('/')[0]!);
}
