import { AriadneError, type ErrorKind } from '@ariadne/protocol';

/** A call of the store's thread: a method of the store and its arguments (structured-cloneable). */
export interface StoreCall {
  readonly id: number;
  readonly method: string;
  readonly args: readonly unknown[];
  /**
   * The deadline of the query the call is part of (`query/query-deadline.ts`):
   * a signal cannot cross threads, a time can, and the store's scan loops
   * check it there.
   */
  readonly deadline?: {
    readonly atMs: number;
    readonly timeoutMs: number;
    /** `QueryDeadline.cancelled`: shared memory, so a cancel reaches the store's thread without a message. */
    readonly cancelled: Int32Array;
  };
}

/** The answer to a call, by its id. */
export type StoreAnswer =
  | { readonly type: 'answer'; readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly type: 'answer'; readonly id: number; readonly ok: false; readonly error: SentError };

/** What the store's thread says unasked. */
export type StoreNotice =
  | { readonly type: 'opened' }
  | { readonly type: 'open-failed'; readonly error: SentError }
  | { readonly type: 'background-error'; readonly error: SentError };

/** An error as it crosses threads: an `AriadneError` keeps its kind. */
export interface SentError {
  readonly kind?: ErrorKind;
  readonly message: string;
}

export function sendError(error: unknown): SentError {
  if (error instanceof AriadneError) return { kind: error.kind, message: error.message };
  return { message: error instanceof Error ? error.message : String(error) };
}

export function receivedError(sent: SentError): Error {
  return sent.kind === undefined ? new Error(sent.message) : new AriadneError(sent.kind, sent.message);
}
