import { readFileSync } from 'node:fs';
import path from 'node:path';
import { docsUrl, getEntry } from '../catalog.js';
import { fileLineReader } from '../fingerprint.js';
import type { TestTimeline, TimelineLane } from '../document.js';
import { filesNotAnalysed, sortDiagnostics } from '../document.js';
import type { Finding, Stack } from '../finding.js';
import { sortFindings } from '../finding.js';
import type { ReportContext } from './context.js';
import { countBySeverity, plural, statusOf, timesText } from './context.js';

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
  return `<article${f.fingerprint ? ` id="f-${h(f.fingerprint)}"` : ''} class="finding sev-${h(f.severity)}" data-id="${h(f.id)}" data-severity="${h(f.severity)}" data-engine="${h(f.engine)}" data-search="${h(search)}"${status ? ` data-status="${h(status)}"` : ''}>
<header><span class="badge ${h(f.severity)}">${h(f.severity)}</span>${status ? ` <span class="badge status">${h(status)}</span>` : ''} <a class="id" href="${h(docsUrl(f.id))}">${h(f.id)}</a> <span class="engine">${h(f.engine)}</span></header>
<p class="message">${h(f.message)}${f.count !== undefined && f.count > 1 ? ` <span class="badge count" title="${h(`happened ${f.count} times at this site`)}">${h(timesText(f).trim())}</span>` : ''}</p>
<p class="where">${h(where)}</p>
${codeFrame(f, ctx)}
${f.test ? `<p class="test">test: <strong>${h(f.test.fullName)}</strong> <span class="at">${h(f.test.file)}</span></p>` : ''}
${(f.related ?? []).map((r) => `<p class="related">${h(r.label)}: <span class="at">${h(`${r.location.file}:${r.location.line}:${r.location.column}`)}</span></p>`).join('')}
${(f.stacks ?? []).map(stackHtml).join('')}
${hint ? `<p class="hint"><strong>Fix:</strong> ${h(hint)}</p>` : ''}
<p class="docs"><a href="${h(docsUrl(f.id))}">${h(getEntry(f.id)?.title ?? f.id)}: documentation</a></p>
</article>`;
}

/** Timelines drawn at most; a run with more says so. */
const MAX_TIMELINES = 200;

function ms(n: number): string {
  if (n >= 1000) return `${Number((n / 1000).toFixed(2))} s`;
  return `${Number(n.toFixed(n < 10 ? 2 : n < 100 ? 1 : 0))} ms`;
}

/** What the note after a lane's state says about when it ended. */
function stateText(lane: TimelineLane, t: TestTimeline): string {
  const after = `, ${ms(Math.max(0, t.judged - t.end))} after the test ended`;
  if (lane.state === 'pending') return `still pending when judged${after}`;
  if (lane.state === 'leaked') return `still open when judged${after}`;
  return lane.end === undefined ? 'before the judgement (when was not observed)' : `at ${ms(lane.end)}`;
}

/**
 * One test's timeline: a time axis from the test's start to a little past its
 * judgement, one lane per task or resource. Positions are percentages computed
 * here (numbers only go into style attributes); every text is escaped.
 */
function timelineHtml(t: TestTimeline, findings: ReadonlyMap<string, Finding>): string {
  const latest = Math.max(t.end, t.judged, ...t.lanes.flatMap((l) => [l.start, l.end ?? 0, ...(l.events ?? []).map((e) => e.at)]));
  // Room past the judgement: what outlived the test runs off the edge.
  const axis = latest > 0 ? latest * 1.12 : 1;
  const pct = (v: number) => `${Math.min(100, Math.max(0, (v / axis) * 100)).toFixed(2)}%`;
  const endAt = pct(t.end);
  const judgedAt = pct(t.judged);
  const guides = `<div class="tl-test" style="width:${endAt}"></div><div class="tl-end" style="left:${endAt}"></div><div class="tl-judged" style="left:${judgedAt}"></div>`;
  const lanes = t.lanes.map((lane) => {
    const outlives = lane.state === 'leaked' || lane.state === 'pending';
    const known = lane.end !== undefined;
    const right = outlives ? axis : known ? lane.end! : t.end;
    const width = Math.max(0.4, ((Math.max(right, lane.start) - lane.start) / axis) * 100);
    const barClass = `tl-bar st-${lane.state}${outlives ? ' outlives' : ''}${!outlives && !known ? ' end-unknown' : ''}`;
    const site = lane.site ? `${lane.site.file}:${lane.site.line}:${lane.site.column}` : '';
    const span = `${ms(lane.start)} → ${outlives ? 'past the end' : known ? ms(lane.end!) : 'end not observed'}`;
    const events = (lane.events ?? [])
      .map((e) => {
        const where = e.site ? ` at ${e.site.file}:${e.site.line}:${e.site.column}` : '';
        return `<span class="tl-ev ev-${h(e.kind)}" style="left:${pct(e.at)}" title="${h(`${e.kind}${where} (${ms(e.at)})`)}"></span>`;
      })
      .join('');
    const refs = (lane.findings ?? [])
      .map((fp) => findings.get(fp))
      .filter((f): f is Finding => f !== undefined)
      .map((f) => `<a class="tl-finding" href="#f-${h(f.fingerprint ?? '')}">${h(f.id)}</a>`)
      .join(' ');
    const note = [stateText(lane, t), lane.detail].filter(Boolean).join('; ');
    return `<div class="tl-row tl-lane" data-kind="${h(lane.kind)}" data-state="${h(lane.state)}" data-label="${h(lane.label)}">
<div class="tl-label"><span class="tl-kind">${h(lane.kind)}</span> <span class="tl-name">${h(lane.label)}</span>${site ? `<span class="tl-site">${h(site)}</span>` : ''}</div>
<div class="tl-track">${guides}<div class="${barClass}" style="left:${pct(lane.start)};width:${width.toFixed(2)}%" title="${h(`${lane.label}: ${span}`)}"></div>${events}</div>
<div class="tl-note"><span class="tl-state">${h(lane.state)}</span> ${h(note)} ${refs}</div>
</div>`;
  });
  const axisRow = `<div class="tl-row tl-axis"><div class="tl-label"></div><div class="tl-track">${guides}<span class="tl-tick" style="left:0%">0</span><span class="tl-tick tick-end" style="left:${endAt}">test end ${h(ms(t.end))}</span><span class="tl-tick tick-judged" style="left:${judgedAt}">judged ${h(ms(t.judged))}</span></div><div class="tl-note"></div></div>`;
  const outcome = t.outcome ? ` <span class="badge outcome-${h(t.outcome)}">${h(t.outcome)}</span>` : '';
  return `<figure class="timeline" data-test="${h(`${t.test.file} > ${t.test.fullName}`)}">
<figcaption><strong class="tl-test-name">${h(t.test.fullName)}</strong> <span class="at">${h(t.test.file)}</span>${outcome} <span class="at">${h(`${plural(t.lanes.length, 'lane')}; the test ran ${ms(t.end)}, judged at ${ms(t.judged)}`)}</span></figcaption>
<div class="tl-grid">${axisRow}${lanes.join('')}</div>
${t.omitted ? `<p class="tl-omitted">${h(`${plural(t.omitted, 'more lane')} not shown`)}</p>` : ''}${t.lanes.length === 0 ? '<p class="tl-omitted">Nothing the tracer can draw: the findings are about code between tasks.</p>' : ''}
</figure>`;
}

function timelinesHtml(timelines: readonly TestTimeline[], findings: readonly Finding[]): string {
  if (timelines.length === 0) return '';
  const byPrint = new Map(findings.flatMap((f) => (f.fingerprint ? [[f.fingerprint, f] as const] : [])));
  const shown = timelines.slice(0, MAX_TIMELINES);
  return `<section id="timelines"><h2>Test timelines (${timelines.length})</h2>
<p class="tl-help">One lane per task or resource a test with findings started, on a time axis from the test's start. The shaded part is the test; the solid line is where it ended, the dashed line where asyncsan judged what was left. <span class="tl-key st-settled">settled</span> <span class="tl-key st-closed">closed</span> <span class="tl-key st-pending">pending</span> <span class="tl-key st-leaked">leaked</span> ◆ suspended at an await, ▲ fired.</p>
${shown.map((t) => timelineHtml(t, byPrint)).join('\n')}
${timelines.length > shown.length ? `<p class="tl-omitted">${h(`${plural(timelines.length - shown.length, 'more timeline')} not shown`)}</p>` : ''}</section>`;
}

function countTable(title: string, counts: Map<string, number>, link?: (k: string) => string): string {
  const rows = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  return `<table class="summary"><thead><tr><th>${h(title)}</th><th>findings</th></tr></thead><tbody>${rows
    .map(([k, n]) => `<tr><td>${link ? `<a href="${h(link(k))}">${h(k)}</a>` : h(k)}</td><td class="num">${n}</td></tr>`)
    .join('')}</tbody></table>`;
}

/**
 * Where a finding belongs for the "by package" summary: the name of the
 * nearest package.json above the file (what a monorepo calls its packages),
 * else the file's top folder.
 */
export function packageResolver(cwd: string): (file: string) => string {
  const byDir = new Map<string, string | undefined>();
  const nameIn = (dir: string): string | undefined => {
    if (byDir.has(dir)) return byDir.get(dir);
    let name: string | undefined;
    try {
      const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: unknown };
      name = typeof pkg.name === 'string' && pkg.name !== '' ? pkg.name : path.basename(dir);
    } catch {
      const parent = path.dirname(dir);
      name = parent === dir ? undefined : nameIn(parent);
    }
    byDir.set(dir, name);
    return name;
  };
  return (file) => {
    const found = nameIn(path.dirname(path.resolve(cwd, file)));
    if (found !== undefined) return found;
    const parts = file.split('/');
    return parts.length > 1 ? parts[0]! : '.';
  };
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
figure.timeline{background:#fff;border:1px solid #e3e6eb;border-radius:4px;margin:10px 0;padding:10px 14px}figure.timeline figcaption{margin-bottom:6px}
.tl-row{display:grid;grid-template-columns:minmax(180px,28%) 1fr;column-gap:10px;align-items:center;border-top:1px solid #f0f2f5;padding:3px 0}
.tl-row .tl-note{grid-column:2;font-size:12px;color:#57606a}.tl-axis{border-top:0}.tl-axis .tl-note{display:none}
.tl-label{font-size:12px;overflow-wrap:anywhere}.tl-kind{color:#57606a;text-transform:uppercase;font-size:10px}.tl-name{font-family:ui-monospace,monospace}.tl-site{display:block;color:#57606a;font-family:ui-monospace,monospace}
.tl-track{position:relative;height:18px;background:repeating-linear-gradient(135deg,#fff,#fff 4px,#f6f0f0 4px,#f6f0f0 8px);overflow:hidden}.tl-axis .tl-track{height:20px;background:none;overflow:visible}
.tl-test{position:absolute;left:0;top:0;bottom:0;background:#eef3fb}.tl-end{position:absolute;top:0;bottom:0;border-left:2px solid #1d2330}.tl-judged{position:absolute;top:0;bottom:0;border-left:1px dashed #57606a}
.tl-bar{position:absolute;top:5px;height:8px;border-radius:2px;background:#8c959f}.st-settled{background:#2da44e}.st-closed{background:#8c959f}.st-pending{background:#bf8700}.st-leaked{background:#d1242f}
.tl-bar.end-unknown{opacity:.45}.tl-bar.outlives{border-radius:2px 0 0 2px}
.tl-ev{position:absolute;top:3px;width:8px;height:8px;margin-left:-4px;background:#1d2330;transform:rotate(45deg)}.tl-ev.ev-fired{transform:none;clip-path:polygon(50% 0,100% 100%,0 100%)}
.tl-tick{position:absolute;top:2px;font-size:11px;color:#57606a;white-space:nowrap;padding-left:3px}.tick-end{color:#1d2330;font-weight:600}.tick-judged{top:10px}
.tl-key{display:inline-block;padding:0 6px;border-radius:3px;color:#fff;font-size:12px}.tl-omitted,.tl-help{color:#57606a;font-size:12px}.tl-state{font-weight:600}
.badge.outcome-failed{background:#ffebe9;color:#d1242f}.badge.outcome-passed{background:#dafbe1;color:#1a7f37}
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
  const packageOf = packageResolver(ctx.cwd);
  for (const f of sorted) {
    byId.set(f.id, (byId.get(f.id) ?? 0) + 1);
    const file = f.location?.file ?? '(process)';
    byFile.set(file, (byFile.get(file) ?? 0) + 1);
    const pkg = f.location ? packageOf(file) : file;
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + 1);
  }
  const option = (v: string) => `<option value="${h(v)}">${h(v)}</option>`;
  const cmp = ctx.comparison;
  const newCount = cmp ? sorted.filter((f) => statusOf(f, ctx) === 'new').length : 0;
  const body =
    sorted.length === 0
      ? `<p class="empty">No async hazards found${ctx.baselined ? ` (${ctx.baselined} baselined)` : ''}.</p>`
      : `<section class="summaries">${countTable('hazard', byId, docsUrl)}${countTable('package', byPackage)}${countTable('file', byFile)}</section>
${timelinesHtml(ctx.timelines ?? [], sorted)}
<section class="filters"><input id="q" type="search" placeholder="Search messages, files, tests…" aria-label="search">
<select id="sev" aria-label="severity"><option value="">all severities</option>${['error', 'warning', 'info'].map(option).join('')}</select>
<select id="rule" aria-label="hazard"><option value="">all hazards</option>${[...byId.keys()].sort().map(option).join('')}</select>
<select id="engine" aria-label="engine"><option value="">all engines</option>${[...new Set(sorted.map((f) => f.engine))].sort().map(option).join('')}</select>
<span><span id="shown">${sorted.length}</span> shown</span></section>
<section id="findings">${sorted.map((f) => findingHtml(f, ctx, statusOf(f, ctx))).join('\n')}</section>`;
  const diagnostics = sortDiagnostics(ctx.diagnostics ?? []);
  const notAnalysed =
    diagnostics.length > 0
      ? `<section id="not-analysed"><h2>${h(plural(filesNotAnalysed(diagnostics), 'file'))} could not be analysed</h2><ul>${diagnostics.map((d) => `<li><code>${h(`${d.file}:${d.line}:${d.column}`)}</code> ${h(d.kind === 'internal' ? 'internal error' : 'syntax error')}: ${h(d.message)}</li>`).join('')}</ul></section>`
      : '';
  const fixed =
    cmp && cmp.fixed.length > 0
      ? `<section id="fixed"><h2>Fixed since the previous run (${cmp.fixed.length})</h2>${sortFindings(cmp.fixed).map((f) => findingHtml(f, ctx, 'fixed')).join('\n')}</section>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>asyncsan report</title><style>${css}</style></head>
<body><header class="top"><h1>asyncsan report</h1>
<div class="counts" id="counts"><span id="count-total">${h(plural(sorted.length, 'finding'))}</span><span id="count-errors">${h(plural(c.error, 'error'))}</span><span id="count-warnings">${h(plural(c.warning, 'warning'))}</span>${diagnostics.length > 0 ? `<span id="count-not-analysed">${h(plural(filesNotAnalysed(diagnostics), 'file'))} not analysed</span>` : ''}${ctx.baselined ? `<span id="count-baselined">${ctx.baselined} baselined</span>` : ''}${cmp ? `<span id="count-new">${newCount} new</span><span id="count-fixed">${cmp.fixed.length} fixed</span>` : ''}<span>asyncsan ${h(ctx.toolVersion)}</span></div></header>
<main>${notAnalysed}${body}${fixed}</main>
<script>${script}</script></body></html>
`;
}

export const htmlReporter = (findings: readonly Finding[], ctx: ReportContext): string => renderHtml(findings, ctx);
