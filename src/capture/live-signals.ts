/**
 * Stopping a run from outside, as tcpdump does: SIGINT (Ctrl-C) and SIGTERM end the capture
 * cleanly (the packets already seen are printed and written, the -w file is flushed and
 * closed, the summary and counters are printed) and the process exits with status 0; SIGUSR1
 * prints the counters so far without stopping. A second SIGINT/SIGTERM while the first is
 * being handled gives up waiting and ends the process the default way.
 *
 * Node does not exit on its own after such a stop if something still holds its event loop (a
 * read of standard input left pending, libpcap's handle: see live.ts), so the command line asks
 * `processShouldExit()` once its output is written and ends the process explicitly.
 */

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

let stoppedBy: NodeJS.Signals | null = null;

/** The signal that stopped the last run, if one did. */
export function stoppedBySignal(): NodeJS.Signals | null {
  return stoppedBy;
}

export interface SignalHandlers {
  /** the signal received, if any */
  readonly signal: NodeJS.Signals | null;
  /** a promise that resolves when a stop signal arrives */
  readonly stopped: Promise<NodeJS.Signals>;
  /** remove the handlers (the default actions apply again) */
  dispose(): void;
}

/**
 * Install the handlers for one run. `stop` runs on the first SIGINT/SIGTERM; `info` on each
 * SIGUSR1 (omit it to leave SIGUSR1 alone).
 */
export function handleStopSignals(stop: (signal: NodeJS.Signals) => void, info?: () => void): SignalHandlers {
  let signal: NodeJS.Signals | null = null;
  let resolveStopped!: (s: NodeJS.Signals) => void;
  const stopped = new Promise<NodeJS.Signals>((r) => { resolveStopped = r; });
  const onStop = (sig: NodeJS.Signals): void => {
    if (signal !== null) {
      // asked twice: stop waiting for a clean end
      dispose();
      process.kill(process.pid, sig);
      return;
    }
    signal = sig;
    stoppedBy = sig;
    resolveStopped(sig);
    stop(sig);
  };
  const onInfo = (): void => { if (info !== undefined) info(); };
  for (const s of STOP_SIGNALS) process.on(s, onStop);
  if (info !== undefined) process.on('SIGUSR1', onInfo);
  let disposed = false;
  function dispose(): void {
    if (disposed) return;
    disposed = true;
    for (const s of STOP_SIGNALS) process.off(s, onStop);
    if (info !== undefined) process.off('SIGUSR1', onInfo);
  }
  return {
    get signal() { return signal; },
    stopped,
    dispose,
  };
}
