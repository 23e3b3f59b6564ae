import type { FindingsDocument } from '../document.js';
import { createDocument, sortDiagnostics } from '../document.js';
import type { Finding } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { statusOf } from './context.js';

/** The versioned findings document (docs/findings-json.md). */
export const jsonReporter = (findings: readonly Finding[], ctx: ReportContext): string => {
  const sorted = sortFindings(findings);
  const doc: FindingsDocument = createDocument(sorted, ctx.toolVersion, ctx.baselined, ctx.timelines);
  if (ctx.comparison) {
    const fresh = sorted.filter((f) => statusOf(f, ctx) === 'new');
    doc.comparison = {
      base: ctx.comparison.base,
      new: fresh.map((f) => f.fingerprint ?? ''),
      unchanged: sorted.length - fresh.length,
      fixed: sortFindings(ctx.comparison.fixed),
    };
  }
  if (ctx.diagnostics && ctx.diagnostics.length > 0) doc.diagnostics = sortDiagnostics(ctx.diagnostics);
  return `${JSON.stringify(doc, null, 2)}\n`;
};
