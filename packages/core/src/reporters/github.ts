import { getEntry } from '../catalog.js';
import type { Finding } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { diagnosticKind, statusOf, timesText } from './context.js';
import { sortDiagnostics } from '../document.js';

// Workflow-command escaping, as @actions/core does it.
const escapeData = (s: string) => s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
const escapeProperty = (s: string) => escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');

/** GitHub Actions annotations (`::error file=…::message`), one per finding. */
export const githubReporter = (findings: readonly Finding[], ctx: ReportContext): string => {
  const lines = sortFindings(findings).map((f) => {
    const cmd = f.severity === 'error' ? 'error' : f.severity === 'warning' ? 'warning' : 'notice';
    const props: string[] = [];
    if (f.location) {
      const l = f.location;
      props.push(`file=${escapeProperty(l.file)}`, `line=${l.line}`, `col=${l.column}`);
      if (l.endLine) props.push(`endLine=${l.endLine}`);
      if (l.endColumn && (!l.endLine || l.endLine === l.line)) props.push(`endColumn=${l.endColumn}`);
    }
    props.push(`title=${escapeProperty(`asyncsan/${f.id}`)}`);
    const hint = f.hint ?? getEntry(f.id)?.hint;
    const status = statusOf(f, ctx);
    const text = `${status ? `[${status}] ` : ''}${f.message}${timesText(f)}${f.test ? ` [test: ${f.test.fullName}]` : ''}${hint ? `\nFix: ${hint}` : ''}`;
    return `::${cmd} ${props.join(',')}::${escapeData(text)}`;
  });
  for (const d of sortDiagnostics(ctx.diagnostics ?? [])) {
    const props = [`file=${escapeProperty(d.file)}`, `line=${d.line}`, `col=${d.column}`, `title=${escapeProperty(`asyncsan: ${diagnosticKind(d)}`)}`];
    lines.push(`::error ${props.join(',')}::${escapeData(`${d.message}${d.kind === 'syntax' ? '\nThe file was not analysed: fix the syntax error to check it.' : ''}`)}`);
  }
  if (ctx.comparison) {
    const n = findings.filter((f) => statusOf(f, ctx) === 'new').length;
    lines.push(`::notice title=asyncsan::${escapeData(`Compared with ${ctx.comparison.base}: ${n} new, ${findings.length - n} unchanged, ${ctx.comparison.fixed.length} fixed`)}`);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
};
