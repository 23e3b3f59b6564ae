/**
 * The race runtime: what instrumented code calls (through the per-module handle
 * the transform binds) and the detector behind it.
 *
 * Tasks. Every instrumented async function call runs as a frame; a frame is its
 * own task until its caller awaits its promise, which joins the frame into the
 * caller's task (a plain `await f()` is one task, `Promise.all([a(), b()])` two).
 * Timer and I/O callbacks are tasks of their own; top-level code is the main task.
 *
 * Conflicts. Per shared location: the last write (task, site, time) and, per
 * task, its last read. When task A writes L, read L before an await (its last
 * read is older than its last suspension) and another task wrote L after that
 * read, A's write is based on a stale read: a lost update, or a check-then-act
 * when the read was a condition. Stacks are captured only for writes that can
 * still conflict (some other task holds a read of L across an await) and for
 * the conflicting write itself.
 */
import { AsyncLocalStorage, executionAsyncResource } from 'node:async_hooks';
import type { Finding, Location, RelatedLocation, Stack } from '@asyncsan/core';
import path from 'node:path';
import { parseStack, toStack } from '../attribute.js';
import { originalPosition } from '../source-maps.js';
import { READ_IN_CONDITION, RUNTIME_GLOBAL, type ModuleHandle, type SiteEntry } from './protocol.js';
import { createShuffler, type Shuffler } from './shuffle.js';

export interface Site {
  file: string;
  line: number;
  column: number;
  label: string;
}

export class Task {
  /** Set when a caller awaited this frame: the task it now belongs to. */
  joined: Task | undefined;
  lastAwaitTime = 0;
  /** Recent suspensions (time, await site), oldest first; bounded. */
  readonly awaits: Array<{ time: number; site: number }> = [];
  /** Locations this task holds a read entry in (to move them on a join); allocated on first read. */
  readLocs: LocState[] | undefined;
  /** Locks (async-mutex objects) held right now. */
  readonly held: object[] = NO_LOCKS;
  /** Where the task was started: a few frames, formatted only if reported. */
  started: { stack?: string } | undefined;

  /**
   * Weak: a self-rescheduling loop would otherwise keep its whole ancestry alive.
   * While a parent can still await this task it is running, so it is alive.
   */
  private readonly parentRef: WeakRef<Task> | undefined;

  constructor(
    readonly id: number,
    readonly kind: 'main' | 'async' | 'callback',
    /** The async function site (for 'async'), -1 otherwise. */
    readonly site: number,
    parent: Task | undefined,
    /** For callbacks: what kind of resource ran it (Timeout, Immediate, …). */
    readonly via?: string,
  ) {
    this.parentRef = parent ? new WeakRef(parent) : undefined;
  }

  /** The task that started this one, if it is still around. */
  get parent(): Task | undefined {
    return this.parentRef?.deref();
  }
}

/** One read or write of a location. */
interface Access {
  /** The task that made it (a read moves to the task that joins it). */
  task: Task;
  /** Index into `RaceRuntime.sites`. */
  site: number;
  /** The runtime's logical clock at the access (one tick per access and per suspension). */
  time: number;
  /** A read in a condition (`if (!cache.has(k))`): a conflict on it is check-then-act, not lost-update. */
  cond: boolean;
  /** Locks the task held at the access: a read and write under a lock the other write also held are ordered, not a race. */
  held: object[] | undefined;
  /** Where a write happened, captured only when it can still conflict (see the file comment). */
  stack?: { stack?: string };
}

/** One shared location: a property, a collection entry or a module variable. */
class LocState {
  lastWrite: Access | undefined;
  readonly readers = new Map<Task, Access>();
  constructor(
    readonly kind: 'prop' | 'entry' | 'var' | 'closure',
    /** The object (or the module's variable record), held only while the object itself lives. */
    readonly owner: object,
    readonly key: unknown,
    /** The site that first touched it: its label names the location when the owner has no class. */
    readonly firstSite: number,
  ) {}
}

const MAX_AWAITS = 16;
/** Shared empty lock list: most tasks never take a lock. */
const NO_LOCKS: object[] = [];
const MAX_READERS = 64;
const MAX_READ_LOCS = 256;
/** Write stacks captured per site before the site reuses its latest one. */
const STACKS_PER_SITE = 8;
const STACK_FRAMES = 30;

/** A stack holder: V8 formats (and source-maps) `stack` only when it is read, at report time. */
function captureStack(skip: (...args: never[]) => unknown): { stack?: string } {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = STACK_FRAMES;
  Error.captureStackTrace(holder, skip);
  Error.stackTraceLimit = limit;
  return holder;
}

const START_FRAMES = 6;

/** The call site of an async function: a structured stack V8 formats only when read. */
function startSite(): { stack?: string } {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = START_FRAMES;
  Error.captureStackTrace(holder, startSite);
  Error.stackTraceLimit = limit;
  return holder;
}

function find(task: Task): Task {
  let t = task;
  while (t.joined) t = t.joined;
  return t;
}

function intersects(a: object[] | undefined, b: object[] | undefined): boolean {
  return a !== undefined && b !== undefined && a.some((x) => b.includes(x));
}

function describeKey(key: unknown): string {
  if (typeof key === 'string') return JSON.stringify(key.length > 40 ? `${key.slice(0, 37)}...` : key);
  if (typeof key === 'symbol') return key.toString();
  if (typeof key === 'object' && key !== null) return `<${key.constructor?.name ?? 'object'}>`;
  return String(key);
}

/** Objects and functions (classes with static state) can hold shared state. */
function isObject(value: unknown): value is object {
  return (typeof value === 'object' && value !== null) || typeof value === 'function';
}

function ownerName(obj: object): string | undefined {
  if (typeof obj === 'function' && obj.name) return obj.name;
  const ctor = (obj as { constructor?: { name?: string } }).constructor;
  const name = typeof ctor === 'function' ? ctor.name : undefined;
  return name && name !== 'Object' ? name : undefined;
}

export interface RaceOptions {
  /** Paths in findings are relative to this directory. Default: process.cwd() at report time. */
  cwd?: string;
  /** Seed for `--shuffle`; undefined disables shuffling. */
  shuffleSeed?: number;
  /**
   * Keep a few frames of where each async call started ("started at" in reports).
   * Costs a stack capture per async call; default false (reports then name the
   * starting task and the async function instead).
   */
  startStacks?: boolean;
  /**
   * Report sites and stacks in the original sources of compiled files that carry a
   * source map (compiled TypeScript run as JavaScript), read at report time. Default
   * false: the Vite host instruments TypeScript with its original positions already.
   */
  sourceMaps?: boolean;
}

export type { ModuleHandle } from './protocol.js';

export class RaceRuntime {
  readonly sites: Site[] = [];
  readonly findings: Finding[] = [];
  /** Text renderings of the findings, in order (the `WARNING: ASYNC RACE` blocks). */
  readonly reports: string[] = [];
  private readonly als = new AsyncLocalStorage<Task>();
  private readonly syncStack: Task[] = [];
  private readonly main: Task;
  private readonly callbackTasks = new WeakMap<object, Task>();
  private readonly framePromises = new WeakMap<object, Task>();
  private readonly props = new WeakMap<object, Map<PropertyKey, LocState>>();
  private readonly entries = new WeakMap<object, Map<unknown, LocState>>();
  private readonly reported = new Set<string>();
  private readonly siteStacks = new Map<number, { count: number; holder: { stack?: string } }>();
  /** Sites as reported: through source maps when asked (mapped once, when first reported). */
  private readonly reportedSites = new Map<number, Site>();
  private nextTaskId = 1;
  private clock = 0;
  readonly shuffler: Shuffler | undefined;

  constructor(readonly options: RaceOptions = {}) {
    this.main = new Task(this.nextTaskId++, 'main', -1, undefined);
    if (options.shuffleSeed !== undefined) this.shuffler = createShuffler(options.shuffleSeed);
  }

  // ------------------------------------------------------------- tasks

  /** The task running right now (before joins are followed). */
  private current(): Task {
    const top = this.syncStack[this.syncStack.length - 1];
    if (top) return top;
    const store = this.als.getStore();
    const resource = executionAsyncResource() as object | undefined;
    if (resource && !(resource instanceof Promise)) {
      const ctor = (resource as { constructor?: { name?: string } }).constructor?.name;
      // A timer or I/O callback: a task of its own, child of whoever armed it.
      if (ctor && ctor !== 'Object' && ctor !== 'AsyncResource') {
        let task = this.callbackTasks.get(resource);
        if (!task) {
          task = new Task(this.nextTaskId++, 'callback', -1, store ?? this.main, ctor);
          this.callbackTasks.set(resource, task);
        }
        return task;
      }
    }
    return store ?? this.main;
  }

  private task(): Task {
    return find(this.current());
  }

  /** Runs an async function body as a frame. */
  frame(site: number, fn: () => Promise<unknown>): Promise<unknown> {
    const parent = this.current();
    const task = new Task(this.nextTaskId++, 'async', site, parent);
    if (this.options.startStacks === true) task.started = startSite();
    this.syncStack.push(task);
    let promise: Promise<unknown>;
    try {
      promise = this.als.run(task, fn);
    } finally {
      this.syncStack.pop();
    }
    this.framePromises.set(promise, task);
    return promise;
  }

  /** An await point: the current task suspends here; awaiting a child frame joins it. */
  suspend<T>(value: T, site: number): T | Promise<Awaited<T>> {
    const task = this.task();
    if (typeof value === 'object' && value !== null) {
      const frame = this.framePromises.get(value);
      if (frame && frame.joined === undefined && frame !== task && frame.parent && find(frame.parent) === task) this.join(frame, task);
    }
    const time = ++this.clock;
    task.lastAwaitTime = time;
    task.awaits.push({ time, site });
    if (task.awaits.length > MAX_AWAITS) task.awaits.shift();
    return this.shuffler ? this.shuffler.delay(value) : value;
  }

  private join(child: Task, into: Task): void {
    child.joined = into;
    if (child.lastAwaitTime > into.lastAwaitTime) into.lastAwaitTime = child.lastAwaitTime;
    // The child's own awaits stay with it: a report names the await in the code that read.
    if (!child.readLocs) return;
    for (const loc of child.readLocs) {
      const read = loc.readers.get(child);
      if (!read) continue;
      loc.readers.delete(child);
      const mine = loc.readers.get(into);
      if (!mine || mine.time < read.time) {
        loc.readers.set(into, { ...read, task: into });
        if (!mine) (into.readLocs ??= []).push(loc);
      }
    }
    child.readLocs = undefined;
  }

  // ------------------------------------------------------------- locations

  private propLoc(obj: object, key: PropertyKey, site: number, kind: 'prop' | 'var' | 'closure' = 'prop'): LocState {
    let byKey = this.props.get(obj);
    if (!byKey) this.props.set(obj, (byKey = new Map()));
    let loc = byKey.get(key);
    if (!loc) byKey.set(key, (loc = new LocState(kind, obj, key, site)));
    return loc;
  }

  private entryLoc(obj: object, key: unknown, site: number): LocState {
    let byKey = this.entries.get(obj);
    if (!byKey) this.entries.set(obj, (byKey = new Map()));
    let loc = byKey.get(key);
    if (!loc) byKey.set(key, (loc = new LocState('entry', obj, key, site)));
    return loc;
  }

  /** What a location is called in messages. */
  private describe(loc: LocState): string {
    if (loc.kind === 'entry') return `${ownerName(loc.owner) ?? 'collection'} entry ${describeKey(loc.key)}`;
    const site = this.sites[loc.firstSite] ? this.siteAt(loc.firstSite) : undefined;
    if (loc.kind === 'var') return `module variable ${String(loc.key)}${site ? ` (${path.basename(site.file)})` : ''}`;
    if (loc.kind === 'closure') return `variable ${String(loc.key)} (shared by nested functions)`;
    const owner = ownerName(loc.owner);
    return owner ? `${owner}.${String(loc.key)}` : (site?.label ?? String(loc.key));
  }

  read(loc: LocState, site: number, cond: boolean): void {
    const task = this.task();
    const time = ++this.clock;
    const prev = loc.readers.get(task);
    if (prev) {
      // Reads with no await in between are one read: a check stays a check.
      const sameStretch = prev.time > task.lastAwaitTime;
      prev.cond = sameStretch ? prev.cond || cond : cond;
      prev.time = time;
      prev.site = site;
      prev.held = task.held.length > 0 ? [...task.held] : undefined;
      return;
    }
    // Bounded: tasks that read and never write back (finished ones) age out first.
    if (loc.readers.size >= MAX_READERS) loc.readers.delete(loc.readers.keys().next().value!);
    loc.readers.set(task, { task, site, time, cond, held: task.held.length > 0 ? [...task.held] : undefined });
    const locs = (task.readLocs ??= []);
    if (locs.length < MAX_READ_LOCS) locs.push(loc);
  }

  write(loc: LocState, site: number): void {
    const task = this.task();
    const time = ++this.clock;
    const mine = loc.readers.get(task);
    const last = loc.lastWrite;
    const held = task.held.length > 0 ? [...task.held] : undefined;
    if (mine && last && mine.time < task.lastAwaitTime && last.time > mine.time && find(last.task) !== task) {
      // Inside one mutex held across the read, both writes: ordered, not a race.
      if (!(intersects(mine.held, held) && intersects(held, last.held))) this.conflict(loc, task, mine, last, site);
    }
    loc.readers.delete(task);
    let stack: { stack?: string } | undefined;
    // Keep this write's stack only if it can still be the "other task's write" of a conflict.
    for (const [reader, access] of loc.readers) {
      if (reader.joined) {
        loc.readers.delete(reader);
        continue;
      }
      // A reader suspended since its read may write back later: this write may be the one it misses.
      if (reader !== task && reader.lastAwaitTime > access.time) {
        stack = this.writeStack(site);
        break;
      }
    }
    loc.lastWrite = { task, site, time, cond: false, held, stack };
  }

  /**
   * The stack of a write that may become "the other task's write". Bounded per
   * site: after a few captures a site reuses its latest one (same line, same
   * function; only the async callers may differ).
   */
  private writeStack(site: number): { stack?: string } {
    const seen = this.siteStacks.get(site);
    if (seen && seen.count >= STACKS_PER_SITE) return seen.holder;
    const holder = captureStack(this.write);
    const formatted = { stack: holder.stack };
    this.siteStacks.set(site, { count: (seen?.count ?? 0) + 1, holder: formatted });
    return formatted;
  }

  // ------------------------------------------------------------- reports

  /** A site where reports put it: in the original source when the module is compiled code with a source map. */
  private siteAt(index: number): Site {
    const site = this.sites[index]!;
    if (this.options.sourceMaps !== true) return site;
    let mapped = this.reportedSites.get(index);
    if (mapped === undefined) {
      const original = originalPosition(site.file, site.line, site.column);
      mapped = original ? { ...site, file: original.file, line: original.line, column: original.column } : site;
      this.reportedSites.set(index, mapped);
    }
    return mapped;
  }

  private conflict(loc: LocState, a: Task, read: Access, other: Access, site: number): void {
    const id = read.cond ? 'check-then-act' : 'lost-update';
    // Once per pair of writes (whichever read led there).
    const key = `${id}:${site}:${other.site}`;
    if (this.reported.has(key)) return;
    this.reported.add(key);
    const awaitSite = this.awaitBetween(a, read.time, other.time);
    const stackA = captureStack(this.write);
    const what = this.describe(loc);
    const cwd = this.options.cwd ?? process.cwd();
    const at = (s: number): Location => {
      const x = this.siteAt(s);
      return { file: rel(cwd, x.file), line: x.line, column: x.column };
    };
    const b = find(other.task);
    const nameA = this.taskName(a);
    const nameB = this.taskName(b);
    const related: RelatedLocation[] = [
      { label: read.cond ? `${nameA} checked ${what} here, before the await` : `${nameA} read ${what} here, before the await`, location: at(read.site) },
      { label: `overwritten by the other task (${nameB}) here`, location: at(other.site) },
    ];
    if (awaitSite !== undefined) related.push({ label: `${nameA} suspended here`, location: at(awaitSite) });
    const attr = { cwd, internalPaths: [] as string[], sourceMaps: this.options.sourceMaps === true };
    const stacks: Stack[] = [];
    const stackOf = (label: string, text: string | undefined, task: Task): Stack => {
      const stack = toStack(label, parseStack(text, attr));
      // The frame body is an arrow: name its frames after the async function they belong to.
      const fnLabel = task.site >= 0 ? this.sites[task.site]?.label : undefined;
      const top = stack.frames[0];
      if (top && !top.external && (top.function === undefined || top.function === '<anonymous>') && fnLabel) top.function = fnLabel;
      const created = this.createdAt(task, cwd);
      if (created) stack.createdAt = created;
      return stack;
    };
    stacks.push(stackOf(`write by ${nameA}`, stackA.stack, a));
    stacks.push(stackOf(`previous write by ${nameB}`, other.stack?.stack, b));
    const line = (s: number) => `line ${this.siteAt(s).line}`;
    const message =
      id === 'lost-update'
        ? `Lost update of ${what}: ${nameA} read it (${line(read.site)}), was suspended at an await${awaitSite !== undefined ? ` (${line(awaitSite)})` : ''}, ${nameB} wrote it meanwhile (${line(other.site)}), then ${nameA} wrote a value based on its stale read`
        : `Check-then-act on ${what}: ${nameA} checked it (${line(read.site)}), was suspended at an await${awaitSite !== undefined ? ` (${line(awaitSite)})` : ''}, ${nameB} wrote it meanwhile (${line(other.site)}), then ${nameA} acted on the stale check`;
    const finding: Finding = {
      id,
      severity: 'error',
      message,
      engine: 'tracer',
      location: at(site),
      related,
      stacks,
    };
    this.findings.push(finding);
    this.reports.push(this.render(finding, a, b, read, other, site, awaitSite, cwd));
  }

  /** The await the task was suspended at when the other write happened: its latest await before that write. */
  private awaitBetween(task: Task, after: number, before: number): number | undefined {
    let best: { time: number; site: number } | undefined;
    for (const aw of task.awaits) if (aw.time > after && aw.time < before && (!best || aw.time > best.time)) best = aw;
    if (!best) for (const aw of task.awaits) if (aw.time > after && (!best || aw.time < best.time)) best = aw;
    return best?.site;
  }

  taskName(task: Task): string {
    if (task.kind === 'main') return 'task #1 (main)';
    if (task.kind === 'callback') return `task #${task.id} (${task.via} callback)`;
    return `task #${task.id} (async ${this.sites[task.site]?.label ?? '<anonymous>'})`;
  }

  /** "Started by": the chain of tasks that started this one, as a stack of their function sites. */
  private createdAt(task: Task, cwd: string): Stack | undefined {
    if (task.started?.stack) {
      const stack = toStack(`${this.taskName(task)} started at`, parseStack(task.started.stack, { cwd, internalPaths: [], sourceMaps: this.options.sourceMaps === true }));
      // The first user frame is the async function itself; its caller is where the task started.
      if (stack.frames.length > 1 && !stack.frames[0]!.external) stack.frames.shift();
      if (task.parent) {
        const parent = this.createdAt(task.parent, cwd);
        if (parent) stack.createdAt = parent;
      }
      return stack;
    }
    const frames = [];
    for (let t: Task | undefined = task; t; t = t.parent) {
      const s = t.site >= 0 && this.sites[t.site] ? this.siteAt(t.site) : undefined;
      if (s) frames.push({ function: this.taskName(t), file: rel(cwd, s.file), line: s.line, column: s.column });
    }
    return frames.length > 0 ? { label: `${this.taskName(task)} started by`, frames } : undefined;
  }

  private render(f: Finding, a: Task, b: Task, read: Access, other: Access, site: number, awaitSite: number | undefined, cwd: string): string {
    const where = (s: number) => {
      const x = this.siteAt(s);
      return `${rel(cwd, x.file)}:${x.line}:${x.column}`;
    };
    const frames = (st: Stack | undefined) =>
      (st?.frames ?? [])
        .filter((fr) => !fr.external)
        .slice(0, 8)
        .map((fr) => `      ${fr.function ?? '<anonymous>'}()\n          ${fr.file}:${fr.line}:${fr.column}`);
    const started = (t: Task) => {
      const at = this.createdAt(t, cwd);
      const caller = at?.frames.find((fr) => !fr.external);
      if (t.started && caller) return `${this.taskName(t)} started at ${caller.file}:${caller.line}:${caller.column}${caller.function && !caller.function.includes('<anonymous>') ? ` (in ${caller.function})` : ''} by ${t.parent ? this.taskName(t.parent) : 'the runtime'}`;
      const chain: string[] = [];
      for (let p = t.parent; p; p = p.parent) chain.push(p.site >= 0 ? `${this.taskName(p)} at ${where(p.site)}` : this.taskName(p));
      const self = t.site >= 0 ? ` (async function at ${where(t.site)})` : '';
      return `${this.taskName(t)}${self} started by ${chain[0] ?? 'the runtime'}`;
    };
    const lines = [
      `WARNING: ASYNC RACE (${f.id})`,
      `Write at ${where(site)} by ${this.taskName(a)}:`,
      ...frames(f.stacks?.[0]),
      '',
      `Previous write at ${where(other.site)} by ${this.taskName(b)}:`,
      ...frames(f.stacks?.[1]),
      '',
      `${this.taskName(a)} ${read.cond ? 'checked' : 'read'} the value at ${where(read.site)}, before the await`,
      awaitSite !== undefined ? `${this.taskName(a)} was suspended at ${where(awaitSite)}` : `${this.taskName(a)} was suspended at an await`,
      '',
      started(a),
      started(b),
      '',
      f.message,
      '==================',
    ];
    return `${lines.join('\n')}\n`;
  }

  // ------------------------------------------------------------- module handles

  /** The findings reported since the last call (a host attributing them per test takes them as it goes). */
  drain(): Finding[] {
    this.reports.length = 0;
    return this.findings.splice(0);
  }

  /** Registers a module's site table; returns the handle its instrumented code calls. */
  module(file: string, table: SiteEntry[]): ModuleHandle {
    const base = this.sites.length;
    for (const [line, column, label] of table) this.sites.push({ file, line, column, label });
    const vars = Object.create(null) as object;
    const propRead = (obj: unknown, key: PropertyKey, site: number, flags: number) => {
      if (isObject(obj)) this.read(this.propLoc(obj, key, site), site, (flags & READ_IN_CONDITION) !== 0);
    };
    const propWrite = (obj: unknown, key: PropertyKey, site: number) => {
      if (isObject(obj)) this.write(this.propLoc(obj, key, site), site);
    };
    const varLoc = (name: string, site: number) => this.propLoc(vars, name, site, 'var');
    const handle: ModuleHandle = {
      o: undefined,
      o2: undefined,
      t: (site, fn) => this.frame(base + site, fn),
      aw: (value, site) => this.suspend(value, base + site),
      r: (obj, key, site, flags) => {
        const value = (obj as Record<PropertyKey, unknown>)[key];
        propRead(obj, key, base + site, flags);
        return value;
      },
      w: (obj, key, value, site) => {
        (obj as Record<PropertyKey, unknown>)[key] = value;
        propWrite(obj, key, base + site);
        return value;
      },
      u: (obj, key, delta, prefix, site) => {
        const o = obj as Record<PropertyKey, unknown>;
        // ++/-- semantics: ToNumeric first (BigInt stays BigInt).
        const raw = o[key];
        const old = typeof raw === 'bigint' ? raw : Number(raw);
        const next = typeof old === 'bigint' ? old + BigInt(delta) : old + delta;
        o[key] = next;
        propRead(obj, key, base + site, 0);
        propWrite(obj, key, base + site);
        return prefix ? next : old;
      },
      rp: (obj, key, value, site, flags) => {
        propRead(obj, key, base + site, flags);
        return value;
      },
      wp: (obj, key, value, site) => {
        propWrite(obj, key, base + site);
        return value;
      },
      rv: (value, name, site, flags, rec) => {
        this.read(rec ? this.propLoc(rec, name, base + site, 'closure') : varLoc(name, base + site), base + site, (flags & READ_IN_CONDITION) !== 0);
        return value;
      },
      wv: (value, name, site, rec) => {
        this.write(rec ? this.propLoc(rec, name, base + site, 'closure') : varLoc(name, base + site), base + site);
        return value;
      },
      mc: (obj, method, site, flags, ...args) => {
        const result = (obj as Record<string, (...a: unknown[]) => unknown>)[method]!(...args);
        if (isCollection(obj) && args.length > 0 && !(obj instanceof WeakMap) && !(obj instanceof WeakSet)) {
          const loc = this.entryLoc(obj, args[0], base + site);
          if (method === 'has' || method === 'get') this.read(loc, base + site, (flags & READ_IN_CONDITION) !== 0);
          else this.write(loc, base + site);
        } else if ((obj instanceof WeakMap || obj instanceof WeakSet) && typeof args[0] === 'object' && args[0] !== null) {
          const loc = this.entryLoc(obj, args[0], base + site);
          if (method === 'has' || method === 'get') this.read(loc, base + site, (flags & READ_IN_CONDITION) !== 0);
          else this.write(loc, base + site);
        }
        return result;
      },
      lx: (obj, method, _site, ...args) => this.lockCall(obj, method, args),
      k: (obj) => {
        handle.o = obj;
        return obj;
      },
      k2: (key) => {
        handle.o2 = key;
        return key;
      },
    };
    return handle;
  }

  // ------------------------------------------------------------- locks

  /** async-mutex Mutex / Semaphore calls: keep what the task holds so ordered accesses are told apart. */
  private lockCall(obj: unknown, method: string, args: unknown[]): unknown {
    const target = obj as Record<string, (...a: unknown[]) => unknown>;
    const isLock = typeof obj === 'object' && obj !== null && typeof target.acquire === 'function' && typeof target.release === 'function';
    if (!isLock) return target[method]!(...args);
    const lock = obj as object;
    if (method === 'runExclusive') {
      const [cb, ...rest] = args as [(...a: unknown[]) => unknown, ...unknown[]];
      const wrapped = (...cbArgs: unknown[]) => {
        const task = this.task();
        holdLock(task, lock);
        const done = () => removeOne(task.held, lock);
        try {
          const result = cb(...cbArgs);
          if (result && typeof (result as Promise<unknown>).then === 'function') {
            return (result as Promise<unknown>).then(
              (v) => (done(), v),
              (e: unknown) => {
                done();
                throw e;
              },
            );
          }
          done();
          return result;
        } catch (error) {
          done();
          throw error;
        }
      };
      return target.runExclusive!(wrapped, ...rest);
    }
    if (method === 'acquire') {
      const result = target.acquire!(...args) as Promise<unknown>;
      return Promise.resolve(result).then((value) => {
        const task = this.task();
        holdLock(task, lock);
        const release = () => removeOne(task.held, lock);
        // Mutex: a releaser; Semaphore: [value, releaser].
        if (typeof value === 'function') return wrapRelease(value as () => void, release);
        if (Array.isArray(value) && typeof value[1] === 'function') return [value[0], wrapRelease(value[1] as () => void, release)];
        return value;
      });
    }
    if (method === 'release') removeOne(this.task().held, lock);
    return target[method]!(...args);
  }
}

function holdLock(task: Task, lock: object): void {
  if (task.held === NO_LOCKS) (task as { held: object[] }).held = [];
  task.held.push(lock);
}

function wrapRelease(releaser: () => void, onRelease: () => void): () => void {
  return () => {
    onRelease();
    releaser();
  };
}

function removeOne(list: object[], item: object): void {
  const at = list.lastIndexOf(item);
  if (at >= 0) list.splice(at, 1);
}

function isCollection(obj: unknown): obj is Map<unknown, unknown> | Set<unknown> {
  return obj instanceof Map || obj instanceof Set;
}

function rel(cwd: string, file: string): string {
  const r = path.isAbsolute(file) ? path.relative(cwd, file) : file;
  return r.split(path.sep).join('/');
}

/** Installs (once per realm) the runtime instrumented modules reach through `globalThis.__asyncsanRace`. */
export function installRaceRuntime(options: RaceOptions = {}): RaceRuntime {
  const g = globalThis as unknown as Record<string, RaceRuntime | undefined>;
  const existing = g[RUNTIME_GLOBAL];
  if (existing) return existing;
  const runtime = new RaceRuntime(options);
  g[RUNTIME_GLOBAL] = runtime;
  return runtime;
}

export function getRaceRuntime(): RaceRuntime | undefined {
  return (globalThis as unknown as Record<string, RaceRuntime | undefined>)[RUNTIME_GLOBAL];
}
