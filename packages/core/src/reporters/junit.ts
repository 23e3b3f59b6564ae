import { getEntry } from '../catalog.js';
import type { Finding } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { diagnosticKind, locationText, statusOf, timesText } from './context.js';
import type { Diagnostic } from '../document.js';
import { sortDiagnostics } from '../document.js';

export function escapeXml(s: string): string {
  // Also drop characters XML 1.0 cannot carry at all.
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '').replace(/[<>&"']/g, (c) =>
    c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '&' ? '&amp;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/**
 * JUnit XML: one suite per file (or per test file for runtime findings), one
 * failing case per finding. A clean run is one passing case, so CI shows the check ran.
 */
export const junitReporter = (findings: readonly Finding[], ctx: ReportContext): string => {
  const sorted = sortFindings(findings);
  const suites = new Map<string, Finding[]>();
  for (const f of sorted) {
    const key = f.test?.file ?? f.location?.file ?? '(process)';
    suites.set(key, [...(suites.get(key) ?? []), f]);
  }
  // A file that could not be analysed is an error case (not a failure): the check did not run there.
  const notAnalysed = new Map<string, Diagnostic[]>();
  for (const d of sortDiagnostics(ctx.diagnostics ?? [])) notAnalysed.set(d.file, [...(notAnalysed.get(d.file) ?? []), d]);
  const out = ['<?xml version="1.0" encoding="UTF-8"?>'];
  out.push(`<testsuites name="asyncsan" tests="${Math.max(1, sorted.length + notAnalysed.size)}" failures="${sorted.length}" errors="${notAnalysed.size}">`);
  if (notAnalysed.size > 0) {
    out.push(`  <testsuite name="files not analysed" tests="${notAnalysed.size}" failures="0" errors="${notAnalysed.size}">`);
    for (const [file, list] of notAnalysed) {
      const body = list.map((d) => `${locationText(d)}: ${diagnosticKind(d)}: ${d.message}`).join('\n');
      out.push(`    <testcase classname="asyncsan.not-analysed" name="${escapeXml(`${file} could not be analysed`)}" file="${escapeXml(file)}">`);
      out.push(`      <error type="${escapeXml(list[0]!.kind === 'internal' ? 'internal-error' : 'syntax-error')}" message="${escapeXml(`${diagnosticKind(list[0]!)}: ${list[0]!.message}`)}">${escapeXml(body)}</error>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  if (sorted.length === 0 && notAnalysed.size === 0) {
    out.push('  <testsuite name="asyncsan" tests="1" failures="0" errors="0">');
    out.push(`    <testcase classname="asyncsan" name="no async hazards${ctx.baselined ? ` (${ctx.baselined} baselined)` : ''}"/>`);
    out.push('  </testsuite>');
  }
  for (const [file, list] of suites) {
    out.push(`  <testsuite name="${escapeXml(file)}" tests="${list.length}" failures="${list.length}" errors="0">`);
    for (const f of list) {
      const where = f.location ? locationText(f.location) : file;
      const status = statusOf(f, ctx);
      const name = `${status ? `[${status}] ` : ''}${f.test ? `${f.test.fullName} › ${f.id}` : `${f.id} at ${where}`}`;
      const body = [
        `${f.severity}: ${f.message}`,
        `at ${where}`,
        ...(f.count !== undefined && f.count > 1 ? [`count: ${f.count} (times it happened at this site)`] : []),
        ...(f.related ?? []).map((r) => `${r.label}: ${locationText(r.location)}`),
        ...(f.stacks ?? []).flatMap((s) => s.frames.filter((fr) => !fr.external).map((fr) => `    at ${fr.function ?? '<anonymous>'} (${locationText(fr)})`)),
        `fix: ${f.hint ?? getEntry(f.id)?.hint ?? ''}`,
      ].join('\n');
      out.push(`    <testcase classname="${escapeXml(`asyncsan.${f.id}`)}" name="${escapeXml(name)}" file="${escapeXml(f.location?.file ?? file)}">`);
      out.push(`      <failure type="${escapeXml(f.id)}" message="${escapeXml(`${f.message}${timesText(f)}`)}">${escapeXml(body)}</failure>`);
      out.push('    </testcase>');
    }
    out.push('  </testsuite>');
  }
  if (ctx.comparison && ctx.comparison.fixed.length > 0) {
    // Fixed findings become passing cases, so the CI's test view shows what got better.
    out.push(`  <testsuite name="fixed since ${escapeXml(ctx.comparison.base)}" tests="${ctx.comparison.fixed.length}" failures="0" errors="0">`);
    for (const f of sortFindings(ctx.comparison.fixed)) {
      out.push(`    <testcase classname="${escapeXml(`asyncsan.${f.id}`)}" name="${escapeXml(`[fixed] ${f.id} at ${f.location ? locationText(f.location) : '(process)'}`)}"/>`);
    }
    out.push('  </testsuite>');
  }
  out.push('</testsuites>');
  return `${out.join('\n')}\n`;
};
