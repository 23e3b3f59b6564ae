import { readFileSync } from 'node:fs';
import { Command, CommanderError, Option } from 'commander';
import type * as AnalyzerTypes from '@asyncsan/analyzer';
import type { Severity } from '@asyncsan/core';
import type * as TracerTypes from '@asyncsan/tracer';
import type * as RaceTypes from '@asyncsan/tracer/race';
import { formatNames, getEntry, loadConfig, mergeDiagnostics, mergeFindings, mergeTimelines, readDocument, UserError } from '@asyncsan/core';
import { emit } from './emit.js';
import { untypedImportsWarning } from './untyped-imports.js';
import type { OutputOptions } from './emit.js';

export const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/**
 * Exit codes, as docs/design.md's CLI contract fixes them (README "The CLI"): 3 says a file
 * could not be analysed (a syntax error), whatever was found in the others.
 */
export const EXIT = { clean: 0, findings: 1, error: 2, notAnalysed: 3 } as const;

export interface Io {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  cwd: string;
  env: NodeJS.ProcessEnv;
}

interface CommonFlags {
  format?: string;
  output?: string;
  config?: string;
  baseline?: string;
  updateBaseline?: boolean;
  color?: boolean;
  failOn?: Severity;
  maxWarnings?: number;
  verbose?: boolean;
  debug?: boolean;
}

function addCommonOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('-f, --format <format>', 'output format').choices(formatNames).default(undefined, 'text'))
    .option('-o, --output <file>', 'write the report to a file instead of stdout')
    .option('-c, --config <file>', 'config file (default: asyncsan.config.* or "asyncsan" in package.json)')
    .option('--baseline <file>', 'report only findings not in this baseline file')
    .option('--update-baseline', 'write the current findings to the baseline file and exit 0')
    .addOption(new Option('--fail-on <severity>', 'lowest severity that fails the run').choices(['error', 'warning', 'info']))
    .addOption(new Option('--max-warnings <n>', 'fail when there are more warnings than this').argParser(parseCount))
    // Both flags, so that neither is the default: without one, colour follows NO_COLOR, FORCE_COLOR and the terminal.
    .option('--color', 'ANSI colours in text output even when it is not a terminal (FORCE_COLOR is respected too)')
    .option('--no-color', 'no ANSI colours in text output (NO_COLOR is respected too)')
    .option('--verbose', 'also list, on stderr, the findings the config ignored and why')
    .option('--debug', 'print stack traces of internal errors');
}

/**
 * Which ids `asyncsan check` runs: the recommended set (as the ESLint plugin's `recommended`), every
 * static id under --strict, and whatever the config names: a severity turns an id on, 'off' turns it off.
 */
export function checkSelector(severity: Readonly<Record<string, string>>, strict: boolean): (id: string) => boolean {
  return (id) => {
    const setting = severity[id];
    if (setting !== undefined) return setting !== 'off';
    return strict || getEntry(id)?.recommended === true;
  };
}

/** The options each check adds under --strict (the ESLint plugin's strict config sets the same). */
export function strictRuleOptions(checks: readonly { id: string; strictOptions?: object }[]): Record<string, unknown> {
  return Object.fromEntries(checks.filter((c) => c.strictOptions !== undefined).map((c) => [c.id, { ...c.strictOptions }]));
}

function parseCount(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`--max-warnings must be a non-negative integer, got "${value}"`);
  return n;
}

function outputOptions(flags: CommonFlags): OutputOptions {
  return {
    format: flags.format,
    output: flags.output,
    config: flags.config,
    baseline: flags.baseline,
    updateBaseline: flags.updateBaseline === true,
    color: flags.color,
    failOn: flags.failOn,
    maxWarnings: flags.maxWarnings,
    verbose: flags.verbose === true,
  };
}

// The engines' own types: `import type` is erased, so the modules are still loaded only when a command needs them.
type AnalyzerModule = typeof AnalyzerTypes;
type TracerModule = typeof TracerTypes;
type RaceModule = typeof RaceTypes;

/** The engines are loaded on demand: `asyncsan report` never pays for ts-morph. */
async function loadEngine<T>(specifier: string, exportName: keyof T & string, what: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(specifier)) as Record<string, unknown>;
  } catch {
    throw new UserError(`${what} is not available: ${specifier} is not installed`);
  }
  if (typeof mod[exportName] !== 'function') throw new UserError(`${what} is not available yet in this version of asyncsan`);
  return mod as T;
}

function progress(io: Io) {
  if (!io.stderr.isTTY) return undefined;
  const started = Date.now();
  let last = 0;
  return (done: number, total: number) => {
    const now = Date.now();
    if (done < total && now - last < 100) return;
    last = now;
    io.stderr.write(`\r\u001b[2Kanalysing ${done}/${total} files · ${((now - started) / 1000).toFixed(1)}s`);
    if (done === total) io.stderr.write('\r\u001b[2K');
  };
}

function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command('asyncsan')
    .description('An async sanitizer for TypeScript and Node.js: floating promises, leaks, stuck tasks, deadlocks and races.')
    .version(VERSION, '-v, --version')
    .showHelpAfterError('(run asyncsan --help for usage)')
    .enablePositionalOptions();

  addCommonOptions(
    program
      .command('check')
      .description('static analysis of the TypeScript project around the paths (tsconfig discovered)')
      .argument('[paths...]', 'files or directories to analyse', ['.'])
      .option('-p, --project <tsconfig>', 'tsconfig to load instead of discovering one')
      .option('--strict', 'also run the checks outside the recommended set, report the floating promises and async callbacks that reject only if a synchronous call throws, and signals not passed to any function that takes one, not only the platform\'s (as the ESLint plugin\'s strict config)')
      .addOption(new Option('--threads <n>', 'analyse on N worker threads').argParser(parseCount))
      .addOption(
        new Option('--backend <name>', "compiler the checks run on: TypeScript 6, or the project's typescript@7 (auto: ts7 when the project's typescript is 7.x)")
          .choices(['auto', 'ts6', 'ts7'])
          .default('auto'),
      ),
  ).action(async (paths: string[], flags: CommonFlags & { project?: string; threads?: number; strict?: boolean; backend?: 'auto' | 'ts6' | 'ts7' }) => {
    // The config is read (and a broken one reported) before any work.
    const loaded = await loadConfig({ cwd: io.cwd, file: flags.config });
    const { config } = loaded;
    const analyzer = await loadEngine<AnalyzerModule>('@asyncsan/analyzer', 'analyze', 'asyncsan check');
    // The recommended set runs by default, as the ESLint plugin's recommended config; --strict adds the rest,
    // and a severity in the config turns one id on (or 'off', off). Per-file and whole-program checks share ids.
    const { allChecks } = await import('@asyncsan/checks');
    const runs = checkSelector(config.severity ?? {}, flags.strict === true);
    const result = await analyzer.analyze({
      cwd: io.cwd,
      paths,
      tsconfig: flags.project,
      threads: flags.threads,
      backend: flags.backend,
      checks: allChecks.filter((c) => runs(c.id)),
      // --strict also sets the options a check reserves for the strict set, as the ESLint plugin's strict config does.
      ruleOptions: flags.strict === true ? strictRuleOptions(allChecks) : {},
      programChecks: analyzer.allProgramChecks.filter((c) => runs(c.id)),
      onProgress: progress(io),
    });
    if (result.filesAnalyzed === 0) {
      throw new UserError(
        `no TypeScript files to analyse under ${paths.join(', ')} (is the path included by a tsconfig.json? JavaScript files need "allowJs" in it, or name them on the command line)`,
      );
    }
    // A check the back end cannot run is said, never skipped silently.
    for (const n of result.notRun) io.stderr.write(`asyncsan: ${n.id} was not run on the ${result.backend.name} back end: ${n.reason}\n`);
    // So are imports without types: what they give is `any`, where no check sees a promise (a clean run would mislead).
    if (result.untypedImports.length > 0) io.stderr.write(untypedImportsWarning(result.untypedImports));
    // So is an option it does not use: the ts7 back end talks to one native compiler process, without worker threads.
    if (result.backend.name === 'ts7' && (flags.threads ?? 1) > 1) {
      io.stderr.write(`asyncsan: --threads is not used by the ts7 back end (one native compiler process); analysed on one thread\n`);
    }
    // A file that could not be analysed is in every format, and never a clean run (exit 3, or 2 when a check failed).
    setExit(await emit(result.findings, { ...outputOptions(flags), loaded, diagnostics: result.diagnostics }, io));
  });

  addCommonOptions(
    program
      .command('run')
      .description('run a command with the runtime tracer in every Node process; report leaks, stuck work and deadlocks at exit')
      .usage('[options] -- <command...>')
      .argument('<command...>', 'the command to run, after --')
      .option('--race', 'also detect interleaving conflicts (lost updates, check-then-act) in your own code')
      .option('--shuffle [seed]', 'perturb the order in which awaits resume, seeded (implies --race); the seed is printed')
      .passThroughOptions(),
  ).action(async (command: string[], flags: CommonFlags & { race?: boolean; shuffle?: string | boolean }) => {
    // A broken config stops the run before the command starts, not after it ends.
    const loaded = await loadConfig({ cwd: io.cwd, file: flags.config });
    const tracer = await loadEngine<TracerModule>('@asyncsan/tracer', 'runTraced', 'asyncsan run');
    const env: NodeJS.ProcessEnv = { ...io.env };
    if (flags.race || flags.shuffle) {
      // The race register instruments the program's own modules as they load, in every process.
      const { raceRegisterUrl } = await loadEngine<RaceModule>('@asyncsan/tracer/race', 'instrument', 'asyncsan run --race');
      env.NODE_OPTIONS = `--import ${raceRegisterUrl}${env.NODE_OPTIONS ? ` ${env.NODE_OPTIONS}` : ''}`;
    }
    if (flags.shuffle) {
      const seed = flags.shuffle === true ? String(Math.floor(Math.random() * 2 ** 31)) : flags.shuffle;
      if (!/^\d+$/.test(seed)) throw new UserError(`--shuffle takes a non-negative integer seed, got "${seed}"`);
      env.ASYNCSAN_SHUFFLE = seed;
    }
    let result: Awaited<ReturnType<TracerModule['runTraced']>>;
    try {
      result = await tracer.runTraced(command, { cwd: io.cwd, env });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      if (e.code === 'ENOENT' || e.code === 'EACCES') throw new UserError(`cannot run "${command[0]}": ${e.code === 'ENOENT' ? 'command not found' : 'permission denied'}`);
      throw err;
    }
    // The program owns stdout: the report goes to stderr unless --output names a file.
    const code = await emit(result.findings, { ...outputOptions(flags), loaded }, { ...io, stdout: io.stderr });
    // The program's own failure wins over ours, as with `go test -race`.
    setExit(result.exitCode !== 0 ? result.exitCode : code);
  });

  addCommonOptions(
    program
      .command('report')
      .description('merge findings JSON files (shards, workers, engines) and convert them to another format')
      .argument('<files...>', 'findings JSON files written with --format json')
      .option('--compare <old.json>', 'mark findings new or unchanged against an earlier run, and list the fixed ones; only new findings fail'),
  ).action(async (files: string[], flags: CommonFlags & { compare?: string }) => {
    const loaded = await loadConfig({ cwd: io.cwd, file: flags.config });
    const docs = files.map((f) => readDocument(f));
    const merged = mergeFindings(docs.map((d) => d.findings));
    const timelines = mergeTimelines(docs.map((d) => d.timelines));
    // Files a run could not analyse stay in the converted report (and its exit code).
    const diagnostics = mergeDiagnostics(docs.map((d) => d.diagnostics));
    const previous = flags.compare ? readDocument(flags.compare) : undefined;
    setExit(
      await emit(merged, { ...outputOptions(flags), loaded, timelines, diagnostics, ...(previous ? { compare: { base: flags.compare!, findings: previous.findings } } : {}) }, io),
    );
  });

  return program;
}

/** Runs the CLI; returns the exit code instead of exiting, so tests can call it in-process. */
export async function main(argv: string[], io: Io = { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd(), env: process.env }): Promise<number> {
  let exitCode: number = EXIT.clean;
  const program = buildProgram(io, (c) => (exitCode = c));
  const debug = argv.includes('--debug');
  program.exitOverride();
  program.configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
  });
  for (const cmd of program.commands) {
    cmd.exitOverride();
    cmd.configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) });
  }
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT.error;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end with a CommanderError too, with exit code 0.
      return err.exitCode === 0 ? EXIT.clean : EXIT.error;
    }
    const isUser = err instanceof UserError || (err instanceof Error && /^(UserError|ConfigError|AnalyzerError)$/.test(err.name));
    const message = err instanceof Error ? err.message : String(err);
    io.stderr.write(isUser ? `asyncsan: ${message}\n` : `asyncsan: internal error: ${message}\n`);
    if (debug && err instanceof Error && err.stack) io.stderr.write(`${err.stack}\n`);
    else if (!isUser) io.stderr.write('asyncsan: run again with --debug for the stack trace, and please report it\n');
    return EXIT.error;
  }
}
