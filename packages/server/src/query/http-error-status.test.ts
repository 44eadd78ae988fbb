import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AriadneError, type ErrorKind } from '@ariadne/protocol';
import { httpStatusOfError, httpStatusOfKind } from './http-error-status.js';

test('every error kind has its HTTP status; foreign errors are 500', () => {
  const expected: Record<ErrorKind, number> = {
    InvalidQuery: 400,
    InvalidPayload: 400,
    InvalidTenant: 400,
    Unauthenticated: 401,
    TraceNotFound: 404,
    PayloadTooLarge: 413,
    UnsupportedMediaType: 415,
    Overloaded: 503,
    RateLimited: 429,
    QueryTimeout: 504,
    StorageFailure: 500,
    Internal: 500,
  };
  for (const [kind, status] of Object.entries(expected) as [ErrorKind, number][]) {
    assert.equal(httpStatusOfKind(kind), status, kind);
    assert.equal(httpStatusOfError(new AriadneError(kind, 'x')), status, kind);
  }
  assert.equal(httpStatusOfError(new TypeError('bug')), 500);
  assert.equal(httpStatusOfError('a string'), 500);
});
