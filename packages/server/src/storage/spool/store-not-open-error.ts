import { AriadneError } from '@ariadne/protocol';

/**
 * What a store that has not opened yet answers (`open-later.ts`): the store
 * is away, and a write surely did not reach it, so replay need not ask the
 * store what it holds.
 */
export class StoreNotOpenError extends AriadneError {
  constructor(cause: unknown) {
    super('StorageFailure', `the store is not open yet: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
  }
}
