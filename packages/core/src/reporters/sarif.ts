import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { catalog, docsUrl, REPO_URL } from '../catalog.js';
import type { Finding, Location, Severity, Stack } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { diagnosticKind, statusOf } from './context.js';
import { sortDiagnostics } from '../document.js';

const level = (s: Severity) => (s === 'info' ? 'note' : s);

function physical(l: Location | { file: string; line: number; column: number }) {
  const loc = l as Location;
  return {
    // Relative paths resolve against %SRCROOT% (the cwd); absolute ones become file URLs.
    artifactLocation: path.isAbsolute(loc.file)
      ? { uri: pathToFileURL(loc.file).href }
      : { uri: loc.file.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' },
    region: {
      startLine: Math.max(1, loc.line),
      startColumn: Math.max(1, loc.column),
      ...(loc.endLine ? { endLine: loc.endLine } : {}),
      ...(loc.endColumn ? { endColumn: loc.endColumn } : {}),
    },
  };
}

/** An async stack becomes one thread flow: the frames, then each "created at" stack. */
function codeFlow(stack: Stack) {
  const locations: object[] = [];
  let depth = 0;
  for (let s: Stack | undefined = stack; s; s = s.createdAt, depth++) {
    s.frames.forEach((fr, i) => {
      if (fr.file.startsWith('node:')) return; // internals have no artifact to point at
      locations.push({
        location: {
          physicalLocation: physical(fr),
          message: { text: `${i === 0 && depth > 0 ? 'created at: ' : ''}${fr.function ?? '<anonymous>'}` },
        },
        nestingLevel: depth,
        ...(fr.external ? { importance: 'unimportant' } : {}),
      });
    });
  }
  return { message: { text: stack.label ?? 'async stack' }, threadFlows: [{ locations }] };
}

const NOTIFICATIONS = {
  syntax: { id: 'syntax-error', shortDescription: { text: 'A file does not parse: it was not analysed and its findings are missing.' } },
  internal: { id: 'internal-error', shortDescription: { text: 'A check failed on a file: its findings may be incomplete.' } },
} as const;

/** SARIF 2.1.0, validated against the OASIS schema in test/sarif.test.ts. */
export const sarifReporter = (findings: readonly Finding[], ctx: ReportContext): string => {
  const sorted = sortFindings(findings);
  const usedIds = [...new Set(sorted.map((f) => f.id))];
  // Every catalogued rule is described so that code scanning shows help for any result.
  const ids = [...catalog.keys(), ...usedIds.filter((id) => !catalog.has(id))];
  const rules = ids.map((id) => {
    const e = catalog.get(id);
    return {
      id,
      name: id.replace(/(^|-)([a-z])/g, (_m, _d: string, c: string) => c.toUpperCase()),
      shortDescription: { text: e?.title ?? id },
      fullDescription: { text: e?.description ?? id },
      help: {
        text: e ? `${e.why}\nFix: ${e.hint}` : id,
        markdown: e ? `${e.why}\n\n**Fix:** ${e.hint}\n\n[Documentation](${docsUrl(id)})` : id,
      },
      helpUri: docsUrl(id),
      defaultConfiguration: { level: level(e?.defaultSeverity ?? 'warning') },
      properties: { tags: ['async', 'concurrency', ...(e?.engines ?? [])] },
    };
  });
  const index = new Map(ids.map((id, i) => [id, i]));
  const all: { f: Finding; state?: string }[] = [
    ...sorted.map((f) => ({ f, state: statusOf(f, ctx) })),
    // SARIF's own vocabulary for comparisons: fixed results are "absent".
    ...(ctx.comparison?.fixed ?? []).map((f) => ({ f, state: 'absent' })),
  ];
  const results = all.map(({ f, state }) => {
    const related = (f.related ?? []).map((r, i) => ({ id: i + 1, message: { text: r.label }, physicalLocation: physical(r.location) }));
    return {
      ruleId: f.id,
      ruleIndex: index.get(f.id)!,
      level: level(f.severity),
      message: { text: f.hint ? `${f.message}\nFix: ${f.hint}` : f.message },
      ...(f.location ? { locations: [{ physicalLocation: physical(f.location) }] } : {}),
      ...(related.length > 0 ? { relatedLocations: related } : {}),
      ...(f.stacks && f.stacks.length > 0 ? { codeFlows: f.stacks.map(codeFlow) } : {}),
      ...(f.fingerprint ? { partialFingerprints: { 'asyncsan/v1': f.fingerprint } } : {}),
      ...(state ? { baselineState: state } : {}),
      // SARIF's own field for a result seen several times, and ours for readers that only look at properties.
      ...(f.count !== undefined && f.count > 1 ? { occurrenceCount: f.count } : {}),
      properties: { engine: f.engine, ...(f.test ? { test: f.test } : {}), ...(f.count !== undefined && f.count > 1 ? { count: f.count } : {}) },
    };
  });
  // A file that could not be analysed is a tool execution notification (code scanning lists them
  // as the tool's own problems); a failed check makes the execution unsuccessful.
  const diagnostics = sortDiagnostics(ctx.diagnostics ?? []);
  const notifications = diagnostics.map((d) => ({
    level: 'error',
    message: { text: `${diagnosticKind(d)}: ${d.message}${d.kind === 'syntax' ? ' (the file was not analysed)' : ''}` },
    locations: [{ physicalLocation: physical(d) }],
    descriptor: { id: NOTIFICATIONS[d.kind].id, index: d.kind === 'syntax' ? 0 : 1 },
  }));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'asyncsan',
            version: ctx.toolVersion,
            semanticVersion: ctx.toolVersion,
            informationUri: REPO_URL,
            rules,
            ...(diagnostics.length > 0 ? { notifications: [NOTIFICATIONS.syntax, NOTIFICATIONS.internal] } : {}),
          },
        },
        ...(diagnostics.length > 0
          ? { invocations: [{ executionSuccessful: !diagnostics.some((d) => d.kind === 'internal'), toolExecutionNotifications: notifications }] }
          : {}),
        originalUriBaseIds: { '%SRCROOT%': { uri: `${pathToFileURL(ctx.cwd).href.replace(/\/?$/, '/')}` } },
        results,
        columnKind: 'utf16CodeUnits',
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
};
