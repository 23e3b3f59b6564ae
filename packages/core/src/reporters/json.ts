import { createDocument } from '../document.js';
import type { Finding } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';

/** The versioned findings document (docs/findings-json.md). */
export const jsonReporter = (findings: readonly Finding[], ctx: ReportContext): string =>
  `${JSON.stringify(createDocument(sortFindings(findings), ctx.toolVersion, ctx.baselined), null, 2)}\n`;
