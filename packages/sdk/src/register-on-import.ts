/**
 * `node --import @ariadne/sdk/register app.js`: instruments an application
 * that was not changed for it, configured by the environment alone (the
 * OTEL_* variables `register()` reads). Installs the tracer provider,
 * context manager and propagators, client spans for `http`/`https` and
 * `fetch`, server spans for every `http`/`https` server, and keeps the spans
 * of a process that ends (`flushOnExit`). With OTEL_SDK_DISABLED=true it
 * installs nothing at all. Importing it from code (`import
 * '@ariadne/sdk/register'`, first) does the same, and `registration` is then
 * there to shut down by hand.
 */
import { flushOnExit } from './flush-on-exit.js';
import { type Registration, register, sdkDisabled } from './register.js';

function registerFromEnvironment(): Registration | undefined {
  if (sdkDisabled()) return undefined;
  const registration = register({ instrumentHttp: { server: true } });
  flushOnExit(registration);
  return registration;
}

/** The registration this import made; undefined when OTEL_SDK_DISABLED=true. */
export const registration: Registration | undefined = registerFromEnvironment();
