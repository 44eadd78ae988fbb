import { diag } from '@opentelemetry/api';
import type { Registration } from './register.js';

export interface FlushOnExitOptions {
  /** How long a signal may wait for the spans to leave before the process goes anyway. Default 5000. */
  readonly signalTimeoutMillis?: number;
  /** Default SIGTERM and SIGINT. */
  readonly signals?: readonly NodeJS.Signals[];
}

/**
 * Keeps the spans of a process that ends. When its event loop runs dry
 * (`beforeExit`), what is queued is flushed; the export's own I/O keeps the
 * process alive until it is done, and once nothing is queued the flush does
 * no I/O, so the process then exits as it would have. On SIGTERM or SIGINT
 * the registration is shut down (at most `signalTimeoutMillis`) and the
 * signal raised again, so the process dies of it as it would have without
 * us; unless the application listens for that signal too, in which case it
 * owns the exit: we only flush, and `beforeExit` catches what it ends later.
 * A second signal during the flush kills at once (our listener is gone by
 * then). An application that calls `process.exit()` right in its own signal
 * handler loses what was still queued: that exit cannot wait. Returns the
 * function that removes the listeners.
 */
export function flushOnExit(registration: Registration, options: FlushOnExitOptions = {}): () => void {
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeout = options.signalTimeoutMillis ?? 5000;
  const report = (error: unknown) => diag.error('flushing spans at exit failed', error);

  const onBeforeExit = () => {
    registration.provider.forceFlush().catch(report);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    remove();
    if (process.listenerCount(signal) > 0) {
      registration.provider.forceFlush().catch(report);
      return;
    }
    const timer = setTimeout(() => process.kill(process.pid, signal), timeout);
    registration
      .shutdown()
      .catch(report)
      .finally(() => {
        clearTimeout(timer);
        process.kill(process.pid, signal);
      });
  };
  const remove = () => {
    for (const signal of signals) process.removeListener(signal, onSignal);
  };

  process.on('beforeExit', onBeforeExit);
  for (const signal of signals) process.on(signal, onSignal);
  return () => {
    remove();
    process.removeListener('beforeExit', onBeforeExit);
  };
}
