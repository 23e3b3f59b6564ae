import { docsUrl, getEntry } from '../catalog.js';
import { fileLineReader } from '../fingerprint.js';
import type { Finding, Stack } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { countBySeverity, plural, statusOf } from './context.js';

/**
 * A self-contained HTML report: inline CSS and JS, no network. Everything is
 * rendered here with every piece of text escaped; the script only filters
 * (it reads data-* attributes and toggles `hidden`, never writes HTML).
 */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`]/g, (c) => `&#${c.charCodeAt(0)};`);
}

const h = escapeHtml;

function codeFrame(f: Finding, ctx: ReportContext): string {
  const loc = f.location;
  if (!loc) return '';
  const read = ctx.readLine ?? fileLineReader(ctx.cwd);
  const rows: string[] = [];
  for (let n = Math.max(1, loc.line - 2); n <= loc.line + 2; n++) {
    const text = read(loc.file, n);
    if (text === undefined) continue;
    rows.push(`<tr${n === loc.line ? ' class="hit"' : ''}><td class="ln">${n}</td><td><code>${h(text)}</code></td></tr>`);
  }
  return rows.length > 0 ? `<table class="frame">${rows.join('')}</table>` : '';
}

function stackHtml(stack: Stack): string {
  const parts: string[] = [];
  let depth = 0;
  for (let s: Stack | undefined = stack; s && depth < 8; s = s.createdAt, depth++) {
    const user = s.frames.filter((fr) => !fr.external);
    const external = s.frames.filter((fr) => fr.external);
    const frame = (fr: (typeof s.frames)[number]) => `<li><span class="fn">${h(fr.function ?? '<anonymous>')}</span> <span class="at">${h(`${fr.file}:${fr.line}:${fr.column}`)}</span></li>`;
    parts.push(
      `<div class="stack"><div class="stack-label">${h(depth === 0 ? (s.label ?? 'stack') : `created at${s.label ? ` (${s.label})` : ''}`)}</div><ol>${user.map(frame).join('')}</ol>` +
        (external.length > 0 ? `<details><summary>${h(plural(external.length, 'external frame'))}</summary><ol>${external.map(frame).join('')}</ol></details>` : '') +
        '</div>',
    );
  }
  return parts.join('');
}

function findingHtml(f: Finding, ctx: ReportContext, status?: string): string {
  const where = f.location ? `${f.location.file}:${f.location.line}:${f.location.column}` : '(process)';
  const hint = f.hint ?? getEntry(f.id)?.hint;
  const search = [f.id, f.message, where, f.test?.fullName ?? ''].join(' ').toLowerCase();
  return `<article class="finding sev-${h(f.severity)}" data-id="${h(f.id)}" data-severity="${h(f.severity)}" data-engine="${h(f.engine)}" data-search="${h(search)}"${status ? ` data-status="${h(status)}"` : ''}>
<header><span class="badge ${h(f.severity)}">${h(f.severity)}</span>${status ? ` <span class="badge status">${h(status)}</span>` : ''} <a class="id" href="${h(docsUrl(f.id))}">${h(f.id)}</a> <span class="engine">${h(f.engine)}</span></header>
<p class="message">${h(f.message)}</p>
<p class="where">${h(where)}</p>
${codeFrame(f, ctx)}
${f.test ? `<p class="test">test: <strong>${h(f.test.fullName)}</strong> <span class="at">${h(f.test.file)}</span></p>` : ''}
${(f.related ?? []).map((r) => `<p class="related">${h(r.label)}: <span class="at">${h(`${r.location.file}:${r.location.line}:${r.location.column}`)}</span></p>`).join('')}
${(f.stacks ?? []).map(stackHtml).join('')}
${hint ? `<p class="hint"><strong>Fix:</strong> ${h(hint)}</p>` : ''}
<p class="docs"><a href="${h(docsUrl(f.id))}">${h(getEntry(f.id)?.title ?? f.id)}: documentation</a></p>
</article>`;
}

function countTable(title: string, counts: Map<string, number>, link?: (k: string) => string): string {
  const rows = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return `<table class="summary"><thead><tr><th>${h(title)}</th><th>findings</th></tr></thead><tbody>${rows
    .map(([k, n]) => `<tr><td>${link ? `<a href="${h(link(k))}">${h(k)}</a>` : h(k)}</td><td class="num">${n}</td></tr>`)
    .join('')}</tbody></table>`;
}

/** Where a finding belongs for the "by package" summary: the workspace package or top folder. */
function packageOf(file: string): string {
  const parts = file.split('/');
  const i = parts.findIndex((p) => p === 'packages' || p === 'node_modules');
  if (i >= 0 && parts[i + 1]) return parts.slice(0, i + 2 + (parts[i + 1]!.startsWith('@') ? 1 : 0)).join('/');
  return parts.length > 1 ? parts[0]! : '.';
}

const css = `
body{font:14px/1.45 system-ui,sans-serif;margin:0;color:#1d2330;background:#f6f7f9}
header.top{background:#1d2330;color:#fff;padding:16px 24px}header.top h1{margin:0;font-size:20px}
main{padding:16px 24px;max-width:1200px}
.counts span{margin-right:16px}.summaries{display:flex;gap:24px;flex-wrap:wrap}
table.summary{border-collapse:collapse;background:#fff;margin:8px 0}table.summary td,table.summary th{padding:4px 10px;border-bottom:1px solid #e3e6eb;text-align:left}.num{text-align:right}
.filters{position:sticky;top:0;background:#f6f7f9;padding:8px 0;display:flex;gap:8px;flex-wrap:wrap;z-index:1}
.filters input{flex:1;min-width:200px;padding:6px}.filters select{padding:6px}
article.finding{background:#fff;border:1px solid #e3e6eb;border-left:4px solid #999;border-radius:4px;margin:10px 0;padding:10px 14px}
article.sev-error{border-left-color:#d1242f}article.sev-warning{border-left-color:#bf8700}article.sev-info{border-left-color:#0969da}
.badge{font-size:12px;padding:1px 6px;border-radius:8px;background:#eee}.badge.error{background:#ffebe9;color:#d1242f}.badge.warning{background:#fff8c5;color:#9a6700}.badge.status{background:#ddf4ff}
.id{font-weight:600}.engine,.at{color:#57606a;font-size:12px}.message{margin:6px 0;font-weight:500}.where{margin:0;color:#57606a;font-family:ui-monospace,monospace}
table.frame{border-collapse:collapse;font:12px ui-monospace,monospace;margin:6px 0;background:#f6f8fa;width:100%}table.frame td{padding:0 8px;white-space:pre}table.frame tr.hit{background:#ffebe9}.ln{color:#8c959f;text-align:right;width:1%}
.stack{font:12px ui-monospace,monospace;margin:6px 0}.stack ol{margin:2px 0;padding-left:24px}.stack-label{color:#57606a}
.hint{background:#dafbe1;padding:4px 8px;border-radius:4px}.empty{padding:24px;background:#fff;border:1px solid #e3e6eb}
`;

// Filtering only: reads data-* attributes and toggles `hidden`. No HTML is built from data.
const script = `
(function(){
  var q=document.getElementById('q'),sev=document.getElementById('sev'),id=document.getElementById('rule'),eng=document.getElementById('engine'),shown=document.getElementById('shown');
  var items=[].slice.call(document.querySelectorAll('article.finding'));
  function apply(){
    var text=q.value.trim().toLowerCase(),n=0;
    items.forEach(function(a){
      var ok=(!text||a.dataset.search.indexOf(text)>=0)&&(!sev.value||a.dataset.severity===sev.value)&&(!id.value||a.dataset.id===id.value)&&(!eng.value||a.dataset.engine===eng.value);
      a.hidden=!ok;if(ok)n++;
    });
    shown.textContent=String(n);
  }
  [q,sev,id,eng].forEach(function(el){el.addEventListener('input',apply);el.addEventListener('change',apply);});
  apply();
})();
`;

export function renderHtml(findings: readonly Finding[], ctx: ReportContext): string {
  const sorted = sortFindings(findings);
  const c = countBySeverity(sorted);
  const byId = new Map<string, number>();
  const byFile = new Map<string, number>();
  const byPackage = new Map<string, number>();
  for (const f of sorted) {
    byId.set(f.id, (byId.get(f.id) ?? 0) + 1);
    const file = f.location?.file ?? '(process)';
    byFile.set(file, (byFile.get(file) ?? 0) + 1);
    byPackage.set(packageOf(file), (byPackage.get(packageOf(file)) ?? 0) + 1);
  }
  const option = (v: string) => `<option value="${h(v)}">${h(v)}</option>`;
  const cmp = ctx.comparison;
  const newCount = cmp ? sorted.filter((f) => statusOf(f, ctx) === 'new').length : 0;
  const body =
    sorted.length === 0
      ? `<p class="empty">No async hazards found${ctx.baselined ? ` (${ctx.baselined} baselined)` : ''}.</p>`
      : `<section class="summaries">${countTable('hazard', byId, docsUrl)}${countTable('package', byPackage)}${countTable('file', byFile)}</section>
<section class="filters"><input id="q" type="search" placeholder="Search messages, files, tests…" aria-label="search">
<select id="sev" aria-label="severity"><option value="">all severities</option>${['error', 'warning', 'info'].map(option).join('')}</select>
<select id="rule" aria-label="hazard"><option value="">all hazards</option>${[...byId.keys()].sort().map(option).join('')}</select>
<select id="engine" aria-label="engine"><option value="">all engines</option>${[...new Set(sorted.map((f) => f.engine))].sort().map(option).join('')}</select>
<span><span id="shown">${sorted.length}</span> shown</span></section>
<section id="findings">${sorted.map((f) => findingHtml(f, ctx, statusOf(f, ctx))).join('\n')}</section>`;
  const fixed =
    cmp && cmp.fixed.length > 0
      ? `<section id="fixed"><h2>Fixed since the previous run (${cmp.fixed.length})</h2>${sortFindings(cmp.fixed).map((f) => findingHtml(f, ctx, 'fixed')).join('\n')}</section>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>asyncsan report</title><style>${css}</style></head>
<body><header class="top"><h1>asyncsan report</h1>
<div class="counts" id="counts"><span id="count-total">${h(plural(sorted.length, 'finding'))}</span><span id="count-errors">${h(plural(c.error, 'error'))}</span><span id="count-warnings">${h(plural(c.warning, 'warning'))}</span>${ctx.baselined ? `<span id="count-baselined">${ctx.baselined} baselined</span>` : ''}${cmp ? `<span id="count-new">${newCount} new</span><span id="count-fixed">${cmp.fixed.length} fixed</span>` : ''}<span>asyncsan ${h(ctx.toolVersion)}</span></div></header>
<main>${body}${fixed}</main>
<script>${script}</script></body></html>
`;
}

export const htmlReporter = (findings: readonly Finding[], ctx: ReportContext): string => renderHtml(findings, ctx);
