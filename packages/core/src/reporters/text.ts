import { getEntry, docsUrl } from '../catalog.js';
import { fileLineReader } from '../fingerprint.js';
import type { Finding, Stack } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { countBySeverity, diagnosticKind, locationText, plural, statusOf, timesText } from './context.js';
import { filesNotAnalysed, sortDiagnostics } from '../document.js';

const codes = { red: 31, yellow: 33, cyan: 36, gray: 90, bold: 1, green: 32, dim: 2 } as const;
type Paint = (style: keyof typeof codes, s: string) => string;

function painter(enabled: boolean): Paint {
  return enabled ? (style, s) => `\u001b[${codes[style]}m${s}\u001b[0m` : (_style, s) => s;
}

function codeFrame(f: Finding, ctx: ReportContext, paint: Paint): string[] {
  const loc = f.location;
  if (!loc) return [];
  const read = ctx.readLine ?? fileLineReader(ctx.cwd);
  const target = read(loc.file, loc.line);
  if (target === undefined) return [];
  const out: string[] = [];
  const width = String(loc.line + 1).length;
  for (let n = loc.line - 1; n <= loc.line + 1; n++) {
    const text = n === loc.line ? target : read(loc.file, n);
    if (text === undefined || n < 1) continue;
    const gutter = `${n === loc.line ? '>' : ' '} ${String(n).padStart(width)} | `;
    out.push(`    ${n === loc.line ? paint('red', gutter) : paint('gray', gutter)}${text.replace(/\t/g, '  ')}`);
    if (n === loc.line) {
      const start = Math.max(1, loc.column);
      const end = loc.endLine === loc.line && loc.endColumn && loc.endColumn > start ? loc.endColumn : target.length + 1;
      const pad = target.slice(0, start - 1).replace(/\t/g, '  ').replace(/[^ ]/g, ' ');
      out.push(`    ${paint('gray', `  ${' '.repeat(width)} | `)}${pad}${paint('red', '^'.repeat(Math.max(1, end - start)))}`);
    }
  }
  return out;
}

function stackLines(stack: Stack, paint: Paint): string[] {
  const out: string[] = [];
  let depth = 0;
  for (let s: Stack | undefined = stack; s && depth < 8; s = s.createdAt, depth++) {
    out.push(`    ${paint('gray', depth === 0 ? (s.label ?? 'stack') : `created at${s.label ? ` (${s.label})` : ''}`)}`);
    let collapsed = 0;
    for (const fr of s.frames) {
      if (fr.external) {
        collapsed++;
        continue;
      }
      if (collapsed > 0) {
        out.push(`      ${paint('gray', `… ${plural(collapsed, 'external frame')}`)}`);
        collapsed = 0;
      }
      out.push(`      at ${fr.function ? `${fr.function} ` : ''}${paint('cyan', `(${locationText(fr)})`)}`);
    }
    if (collapsed > 0) out.push(`      ${paint('gray', `… ${plural(collapsed, 'external frame')}`)}`);
  }
  return out;
}

/** ESLint-stylish grouped by file, with a code frame, stacks, a fix hint and the docs link. */
export const textReporter = (findings: readonly Finding[], ctx: ReportContext): string => {
  const paint = painter(ctx.color === true);
  const sorted = sortFindings(findings);
  const lines: string[] = [];
  let currentFile: string | undefined | null = null;
  for (const f of sorted) {
    const file = f.location?.file;
    if (file !== currentFile) {
      if (currentFile !== null) lines.push('');
      lines.push(paint('bold', file ?? '(process)'));
      currentFile = file;
    }
    const pos = f.location ? `${f.location.line}:${f.location.column}` : '-';
    const sev = f.severity === 'error' ? paint('red', 'error') : f.severity === 'warning' ? paint('yellow', 'warning') : paint('cyan', 'info');
    const message = f.message.replace(/\r?\n/g, '\n           ');
    const status = statusOf(f, ctx);
    const tag = status ? `${status === 'new' ? paint('bold', '[new]') : paint('gray', '[unchanged]')} ` : '';
    const times = timesText(f);
    lines.push(`  ${paint('gray', pos.padEnd(7))} ${sev}  ${tag}${message}${times ? paint('bold', times) : ''}  ${paint('gray', f.id)}`);
    lines.push(...codeFrame(f, ctx, paint));
    if (f.test) lines.push(`    ${paint('gray', 'test:')} ${f.test.fullName} ${paint('gray', `(${f.test.file})`)}`);
    for (const r of f.related ?? []) lines.push(`    ${paint('gray', `${r.label}:`)} ${locationText(r.location)}`);
    for (const s of f.stacks ?? []) lines.push(...stackLines(s, paint));
    const hint = f.hint ?? getEntry(f.id)?.hint;
    if (hint) lines.push(`    ${paint('green', 'fix:')} ${hint}`);
    lines.push(`    ${paint('gray', `docs: ${docsUrl(f.id)}`)}`);
  }
  const cmp = ctx.comparison;
  if (cmp) {
    if (cmp.fixed.length > 0) {
      if (lines.length > 0) lines.push('');
      lines.push(paint('green', `Fixed since ${cmp.base}:`));
      for (const f of sortFindings(cmp.fixed)) lines.push(`  ${paint('green', '✔')} ${f.location ? locationText(f.location) : '(process)'}  ${f.message}  ${paint('gray', f.id)}`);
    }
    const n = sorted.filter((f) => statusOf(f, ctx) === 'new').length;
    if (lines.length > 0) lines.push('');
    lines.push(`Compared with ${cmp.base}: ${n} new, ${sorted.length - n} unchanged, ${cmp.fixed.length} fixed`);
  }
  const diagnostics = sortDiagnostics(ctx.diagnostics ?? []);
  const notAnalysed = filesNotAnalysed(diagnostics);
  if (notAnalysed > 0) {
    if (lines.length > 0) lines.push('');
    lines.push(paint('bold', `Could not analyse ${plural(notAnalysed, 'file')} (findings there are missing):`));
    for (const d of diagnostics) lines.push(`  ${paint('cyan', locationText(d))}  ${paint('red', diagnosticKind(d))}  ${d.message}`);
  }
  const c = countBySeverity(sorted);
  const baselined = ctx.baselined ? ` · ${ctx.baselined} baselined` : '';
  const skipped = notAnalysed > 0 ? paint('red', ` · ${plural(notAnalysed, 'file')} could not be analysed`) : '';
  if (sorted.length === 0) {
    if (notAnalysed > 0) lines.push('');
    lines.push(notAnalysed > 0 ? `${paint('red', '✖')} No async hazards found in the files analysed${baselined}${skipped}` : `${paint('green', '✔')} No async hazards found${baselined}`);
  } else {
    lines.push('');
    const parts = [plural(c.error, 'error'), plural(c.warning, 'warning'), ...(c.info ? [`${c.info} info`] : [])];
    lines.push(paint(c.error > 0 ? 'red' : 'yellow', `✖ ${plural(sorted.length, 'problem')} (${parts.join(', ')})`) + baselined + skipped);
  }
  return `${lines.join('\n')}\n`;
};
