import { docsUrl, getEntry } from '../catalog.js';
import type { Finding } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { countBySeverity, diagnosticKind, plural, statusOf, timesText } from './context.js';
import { filesNotAnalysed, sortDiagnostics } from '../document.js';

// Markdown table cells and inline text: neutralise pipes, HTML and newlines.
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');

/** A summary for $GITHUB_STEP_SUMMARY or a PR comment. */
export const markdownReporter = (findings: readonly Finding[], ctx: ReportContext): string => {
  const sorted = sortFindings(findings);
  const out = ['## asyncsan', ''];
  const c = countBySeverity(sorted);
  const baselined = ctx.baselined ? `, ${ctx.baselined} baselined` : '';
  const cmp = ctx.comparison;
  if (cmp) {
    const n = sorted.filter((f) => statusOf(f, ctx) === 'new').length;
    out.push(`Compared with \`${cell(cmp.base)}\`: **${n} new**, ${sorted.length - n} unchanged, ${cmp.fixed.length} fixed.`, '');
  }
  const fixed = cmp && cmp.fixed.length > 0
    ? ['', `### Fixed (${cmp.fixed.length})`, '', ...sortFindings(cmp.fixed).map((f) => `- \`${f.id}\` ${f.location ? `\`${cell(f.location.file)}:${f.location.line}\`` : ''} ${cell(f.message)}`), '']
    : [];
  const diagnostics = sortDiagnostics(ctx.diagnostics ?? []);
  const notAnalysed = diagnostics.length > 0
    ? [
        `### :x: ${plural(filesNotAnalysed(diagnostics), 'file')} could not be analysed`,
        '',
        '| Location | Problem |',
        '| --- | --- |',
        ...diagnostics.map((d) => `| \`${cell(d.file)}:${d.line}:${d.column}\` | ${diagnosticKind(d)}: ${cell(d.message)} |`),
        '',
      ]
    : [];
  if (sorted.length === 0) {
    out.push(diagnostics.length > 0 ? `No async hazards found in the files analysed${baselined}.` : `:white_check_mark: No async hazards found${baselined}.`, '', ...notAnalysed, ...fixed);
    return out.join('\n');
  }
  out.push(`**${plural(sorted.length, 'finding')}** (${plural(c.error, 'error')}, ${plural(c.warning, 'warning')}${baselined}).`, '');
  const byId = new Map<string, number>();
  for (const f of sorted) byId.set(f.id, (byId.get(f.id) ?? 0) + 1);
  out.push('| Hazard | Count | What |', '| --- | ---: | --- |');
  for (const [id, n] of [...byId].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))) {
    out.push(`| [\`${id}\`](${docsUrl(id)}) | ${n} | ${cell(getEntry(id)?.title ?? id)} |`);
  }
  out.push('', '| Severity | Location | Hazard | Message |', '| --- | --- | --- | --- |');
  for (const f of sorted) {
    const where = f.location ? `\`${cell(f.location.file)}:${f.location.line}:${f.location.column}\`` : '—';
    const test = f.test ? `<br>test: ${cell(f.test.fullName)}` : '';
    const status = statusOf(f, ctx);
    out.push(`| ${f.severity}${status ? ` (${status})` : ''} | ${where} | \`${f.id}\` | ${cell(f.message)}${timesText(f)}${test} |`);
  }
  out.push('', ...notAnalysed, ...fixed);
  return out.join('\n');
};
