import { isAriadneError } from '@ariadne/protocol';
import { ClickHouseError } from '../clickhouse/clickhouse-http.js';
import { StoreNotOpenError } from './store-not-open-error.js';

/**
 * ClickHouse error codes that a batch's own rows cause: sending the same
 * rows again fails the same way, so spooling them would only stall replay
 * behind them. (Parse and type errors: only a bug in our encoder or a
 * schema changed under us makes these.)
 */
const BATCH_ERRORS = new Set([
  6, // CANNOT_PARSE_TEXT
  10, // NOT_FOUND_COLUMN_IN_BLOCK
  16, // NO_SUCH_COLUMN_IN_TABLE
  27, // CANNOT_PARSE_INPUT_ASSERTION_FAILED
  32, // ATTEMPT_TO_READ_AFTER_EOF
  33, // CANNOT_READ_ALL_DATA
  53, // TYPE_MISMATCH
  62, // SYNTAX_ERROR
  69, // ARGUMENT_OUT_OF_BOUND
  70, // CANNOT_CONVERT_TYPE
  72, // CANNOT_PARSE_NUMBER
  73, // UNKNOWN_FORMAT
  117, // INCORRECT_DATA
]);

/**
 * Whether a write failed because the store is away, read-only or
 * overloaded (then the batch is spooled and acknowledged), rather than
 * because of the batch itself (then the client hears the error as before).
 * Away: unreachable, a connection lost mid-answer, a timeout (all
 * `StorageFailure` without a ClickHouse code), and every ClickHouse error
 * but the batch's own: 242 TABLE_IS_READ_ONLY and 999 (ZooKeeper lost),
 * 252 TOO_MANY_PARTS, 159/209/210 timeouts and network errors, 279 no shard
 * reachable, 285/286/319 quorum trouble, 60/81 a table or database missing
 * (a server restarted empty, or not yet loaded), and the rest.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (error instanceof ClickHouseError) return !BATCH_ERRORS.has(error.code);
  return isAriadneError(error, 'StorageFailure') || isAriadneError(error, 'Overloaded');
}

/** ClickHouse's answers to credentials it refuses (18.16 and later versions). */
const AUTHENTICATION_ERRORS = new Set([
  192, // UNKNOWN_USER
  193, // WRONG_PASSWORD
  194, // REQUIRED_PASSWORD
  497, // ACCESS_DENIED
  516, // AUTHENTICATION_FAILED
]);

/**
 * Whether ClickHouse refused our credentials: at open that stops the start
 * with a clear error (waiting will not fix a wrong password), while a write
 * refused so later (a password rotated under a running collector) is still
 * spooled until someone fixes it.
 */
export function isAuthenticationFailure(error: unknown): boolean {
  return error instanceof ClickHouseError && AUTHENTICATION_ERRORS.has(error.code);
}

/**
 * Whether the failed request surely never reached the store (the
 * connection was refused, or the store has not opened yet), so none of its rows can be there. Every other
 * failure leaves the outcome unknown: ClickHouse may have committed the
 * insert (or part of it: one part per day partition) before the answer was
 * lost.
 */
export function surelyNotStored(error: unknown): boolean {
  if (error instanceof StoreNotOpenError) return true;
  let cause: unknown = error;
  for (let depth = 0; depth < 4 && cause !== undefined; depth++) {
    if ((cause as { code?: unknown }).code === 'ECONNREFUSED') return true;
    cause = (cause as { cause?: unknown }).cause;
  }
  return false;
}
