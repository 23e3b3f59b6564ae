/**
 * Unhandled rejections, observed without becoming a listener. Whether anyone listens for
 * 'unhandledRejection' decides what happens to one: Node's --unhandled-rejections modes crash,
 * warn or stay silent only when nobody does, and test runners report one only when theirs is the
 * sole listener (Vitest's worker counts process.listeners('unhandledRejection') and steps aside
 * for any other, taking it for user code that handles it). A listener of ours would switch that
 * reporting off and turn a failing run into a passing one. Node announces each unhandled rejection
 * through process.emit, so a wrapper there sees it first and changes nothing about who handles it.
 * Uncaught exceptions (and a rejection Node turns into one) reach 'uncaughtExceptionMonitor', which
 * is only a monitor by design.
 */

type Emit = (this: NodeJS.Process, event: string | symbol, ...args: unknown[]) => boolean;

export interface RejectionWatch {
  uninstall(): void;
}

export function installRejectionWatch(observe: (reason: unknown, promise: Promise<unknown> | undefined) => void, onUncaught: (error: unknown, origin: string) => void): RejectionWatch {
  const proc = process as unknown as { emit: Emit };
  const original = proc.emit;
  let active = true;
  const emit: Emit = function (this: NodeJS.Process, event, ...args) {
    if (active && event === 'unhandledRejection') {
      try {
        // The promise may come from another realm (a vm context): not instanceof this realm's Promise.
        observe(args[0], typeof args[1] === 'object' && args[1] !== null ? (args[1] as Promise<unknown>) : undefined);
      } catch {
        // never change how the process handles it
      }
    }
    return original.call(this, event, ...args);
  };
  proc.emit = emit;
  const monitor = (error: unknown, origin: string) => {
    try {
      onUncaught(error, origin);
    } catch {
      // never interfere with the crash
    }
  };
  process.on('uncaughtExceptionMonitor', monitor);
  return {
    uninstall() {
      active = false;
      // Someone wrapped emit after us (signal-exit does): leave theirs in place, ours does nothing now.
      if (proc.emit === emit) proc.emit = original;
      process.off('uncaughtExceptionMonitor', monitor);
    },
  };
}
