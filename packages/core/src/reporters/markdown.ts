import { docsUrl, getEntry } from '../catalog.js';
import type { Finding } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { countBySeverity, plural } from './context.js';

// Markdown table cells and inline text: neutralise pipes, HTML and newlines.
const cell = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r?\n/g, ' ');

/** A summary for $GITHUB_STEP_SUMMARY or a PR comment. */
export const markdownReporter = (findings: readonly Finding[], ctx: ReportContext): string => {
  const sorted = sortFindings(findings);
  const out = ['## asyncsan', ''];
  const c = countBySeverity(sorted);
  const baselined = ctx.baselined ? `, ${ctx.baselined} baselined` : '';
  if (sorted.length === 0) {
    out.push(`:white_check_mark: No async hazards found${baselined}.`, '');
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
    out.push(`| ${f.severity} | ${where} | \`${f.id}\` | ${cell(f.message)}${test} |`);
  }
  out.push('');
  return out.join('\n');
};
