import type { Listener } from '../http/listen.js';
import type { ServePorts } from './serve-config.js';
import type { ModuleContext, ModuleListener } from './server-module.js';

/** One listener a module may open: skipped when its port is `off`. */
export interface ListenerStep {
  readonly port: keyof ServePorts;
  readonly label: string;
  /** Appended to the listener's URL in the banner (`/v1/traces`). */
  readonly path?: string;
  readonly open: (port: number) => Promise<Listener>;
}

/**
 * Opens a module's listeners in order; when one fails, those already open
 * are closed before the error is passed on, so a failed start leaks nothing.
 */
export async function openListeners(context: ModuleContext, steps: readonly ListenerStep[]): Promise<ModuleListener[]> {
  const opened: ModuleListener[] = [];
  try {
    for (const step of steps) {
      const port = context.config.ports[step.port];
      if (port === 'off') continue;
      const listener = await step.open(port);
      opened.push({ port: step.port, listener, label: step.label, endpoint: `${listener.url}${step.path ?? ''}` });
    }
    return opened;
  } catch (error) {
    await Promise.all(opened.map((entry) => entry.listener.close()));
    throw error;
  }
}
