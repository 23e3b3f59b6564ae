/** A short readable report for stderr, used by the whole-program front end when no output directory is set. */
import type { Finding } from '@asyncsan/core';

export function formatText(findings: readonly Finding[], header: string): string {
  const lines = [`${header}: ${findings.length} finding${findings.length === 1 ? '' : 's'}`];
  for (const f of findings) {
    const where = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '<process>';
    lines.push('', `${where}  ${f.id}  ${f.message}`);
    for (const stack of f.stacks ?? []) {
      if (stack.label) lines.push(`    ${stack.label}:`);
      for (const fr of stack.frames.slice(0, 8)) {
        lines.push(`      at ${fr.function ? `${fr.function} ` : ''}(${fr.file}:${fr.line}:${fr.column})${fr.external ? ' [external]' : ''}`);
      }
    }
    if (f.hint) lines.push(`    hint: ${f.hint}`);
  }
  return `${lines.join('\n')}\n`;
}
