import { AriadneError } from '@ariadne/protocol';

/** A mistake in `ariadne serve`'s options or config file: printed without a stack, exit code 2. */
export function serveUsageError(message: string): AriadneError {
  return new AriadneError('InvalidQuery', `ariadne serve: ${message} (see ariadne serve --help)`);
}
