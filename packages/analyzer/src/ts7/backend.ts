/**
 * The TypeScript 7 back end of `asyncsan check`: the same per-file checks and
 * program-check summaries as `processShard`, on typescript@7's native
 * compiler through its synchronous API. typescript@7 is not a dependency of
 * asyncsan: it is loaded from the analysed project (or a directory given).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as TS from 'typescript';
import { runCheck, type CheckResult } from '@asyncsan/checks';
import { AnalyzerError } from '../errors.js';
import type { SummaryContext } from '../program-checks/program-check.js';
import type { LoadSpec, ShardConfig, ShardResult, WorkItem } from '../shard.js';
import { patchNodes, Ts7Compat, type Ts7Modules } from './compat.js';
import { capturingServerStderr } from './server-stderr.js';
import { untypedImports } from '../untyped-imports.js';

/**
 * The checks whose findings on TypeScript 7 are those of TypeScript 6 on every fixture (test/ts7-backend.test.ts):
 * every built-in per-file and program check. A check not listed (one passed in through the API) is not run
 * on this back end and is listed in the result's `notRun`.
 */
export const TS7_CHECKS: ReadonlySet<string> = new Set<string>([
  'check-then-act',
  'floating-promise',
  'leaked-listener',
  'leaked-timer',
  'lock-order-inversion',
  'lost-update',
  'missing-abort-propagation',
  'misused-async-callback',
  'mutex-not-released',
  'never-settling-promise',
  'race-timeout-leak',
  'unbounded-concurrency',
  'uncancelled-siblings',
]);

/** The `typescript` package resolved from `dir` (as the project's own code would), with its version. */
export function projectTypeScript(dir: string): { dir: string; version: string } | undefined {
  let pkg: string;
  try {
    pkg = createRequire(path.join(path.resolve(dir), 'noop.js')).resolve('typescript/package.json');
  } catch {
    return undefined;
  }
  return typeScriptAt(path.dirname(pkg));
}

/** The package at `dir` and its version, if it has a package.json. */
export function typeScriptAt(dir: string): { dir: string; version: string } | undefined {
  try {
    return { dir, version: (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '' };
  } catch {
    return undefined;
  }
}

export const isTs7 = (version: string) => /^7\./.test(version);

/** Loads typescript@7's synchronous API and AST modules from the package directory `dir`. */
export async function loadTs7(dir: string): Promise<Ts7Modules> {
  const version = (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? '';
  if (!isTs7(version)) throw new AnalyzerError(`the ts7 back end needs typescript 7.x; ${dir} has ${version || 'no version'}`, dir);
  const req = createRequire(path.join(dir, 'package.json'));
  try {
    const sync = (await import(pathToFileURL(req.resolve('typescript/unstable/sync')).href)) as unknown;
    const ast = (await import(pathToFileURL(req.resolve('typescript/unstable/ast')).href)) as unknown;
    return { sync, ast, version } as Ts7Modules;
  } catch (e) {
    throw new AnalyzerError(`typescript ${version} at ${dir} has no usable synchronous API (${e instanceof Error ? e.message : String(e)})`, dir);
  }
}

function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Timings of one run, for the benchmark (`ASYNCSAN_TS7_TIMING=1` prints them on stderr). */
export interface Ts7Timing {
  loadMs: number;
  checksMs: number;
  /** Checker requests the adapter made, in all and per method. */
  requests: number;
  /** Questions answered from the adapter's cache instead. */
  cached: number;
  asked: Record<string, number>;
  /** With ASYNCSAN_TS7_TIMING: the API's own count of round trips (checker, nodes, symbols) and their time. */
  api?: { requestCount: number; roundTripMs: number; serverTimeMs: number; transportOverheadMs: number; bytesReceived: number };
}

export function processShardTs7(
  mods: Ts7Modules,
  cwd: string,
  specs: readonly LoadSpec[],
  items: readonly WorkItem[],
  config: ShardConfig,
  onAnalyzed: () => void,
): ShardResult & { timing: Ts7Timing } {
  const out: ShardResult & { timing: Ts7Timing } = { results: [], diagnostics: [], untypedImports: [], summaries: [], timing: { loadMs: 0, checksMs: 0, requests: 0, cached: 0, asked: {} } };
  const byProject = new Map<number, WorkItem[]>();
  for (const item of items) {
    const list = byProject.get(item.project);
    if (list) list.push(item);
    else byProject.set(item.project, [item]);
  }
  const collectTiming = Boolean(process.env.ASYNCSAN_TS7_TIMING);
  const { value: api, stderr } = capturingServerStderr(() => new mods.sync.API({ cwd, collectTiming }));
  try {
    for (const [index, list] of [...byProject].sort((a, b) => a[0] - b[0])) {
      const spec = specs[index]!;
      const t0 = performance.now();
      const snapshot = api.updateSnapshot({ openProjects: [spec.tsconfig] });
      const project = snapshot.getProject(spec.tsconfig);
      if (!project) throw new AnalyzerError(`TypeScript ${mods.version} did not load ${spec.tsconfig}`, spec.tsconfig);
      const compat = new Ts7Compat(mods, project);
      out.timing.loadMs += performance.now() - t0;
      const t1 = performance.now();
      for (const item of list) {
        const sf = project.program.getSourceFile(item.file) as TS.SourceFile | undefined;
        if (!sf) {
          if (item.analyze) {
            out.diagnostics.push({ file: item.file, line: 1, column: 1, message: 'file is not part of the loaded program', kind: 'internal' });
            onAnalyzed();
          }
          continue;
        }
        patchNodes(mods, sf);
        const syntax = project.program.getSyntacticDiagnostics(item.file) as { pos: number; text: string }[];
        if (syntax.length > 0) {
          if (item.analyze) {
            for (const d of syntax) {
              const lc = sf.getLineAndCharacterOfPosition(d.pos);
              out.diagnostics.push({ file: item.file, line: lc.line + 1, column: lc.character + 1, message: d.text, kind: 'syntax' });
            }
            onAnalyzed();
          }
          continue;
        }
        if (item.analyze) {
          out.untypedImports.push(...untypedImports(compat.ts, compat.checker, sf, item.file));
          const results: CheckResult[] = [];
          for (const check of config.checks) {
            if (!TS7_CHECKS.has(check.id)) continue;
            try {
              results.push(...runCheck(compat.ts, compat.program, sf, check, config.ruleOptions[check.id] as Record<string, unknown> | undefined));
            } catch (e) {
              out.diagnostics.push({ file: item.file, line: 1, column: 1, message: `check ${check.id} failed: ${errorText(e)}`, kind: 'internal' });
            }
          }
          out.results.push({ file: item.file, results });
        }
        for (const pc of config.programChecks) {
          if (!TS7_CHECKS.has(pc.id)) continue;
          if (!item.analyze && !pc.needsAllFiles) continue;
          try {
            const ctx = { ts: compat.ts, program: compat.program, checker: compat.checker, sourceFile: sf } as unknown as SummaryContext;
            const summary = pc.summarize(ctx);
            if (summary !== undefined) out.summaries.push([pc.id, item.file, summary]);
          } catch (e) {
            if (item.analyze) out.diagnostics.push({ file: item.file, line: 1, column: 1, message: `check ${pc.id} failed: ${errorText(e)}`, kind: 'internal' });
          }
        }
        if (item.analyze) onAnalyzed();
      }
      out.timing.checksMs += performance.now() - t1;
      out.timing.requests += compat.requests;
      out.timing.cached += compat.cached;
      for (const [m, n] of compat.asked) out.timing.asked[m] = (out.timing.asked[m] ?? 0) + n;
      snapshot.dispose();
    }
    if (collectTiming) {
      const t = api.getTimingInfo().totals;
      out.timing.api = {
        requestCount: t.requestCount,
        roundTripMs: Math.round(t.roundTripMs),
        serverTimeMs: Math.round(t.serverTimeMs),
        transportOverheadMs: Math.round(t.transportOverheadMs),
        bytesReceived: t.bytesReceived,
      };
    }
  } finally {
    api.close();
    stderr.flush();
  }
  return out;
}
