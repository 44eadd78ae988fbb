import { type AriadneError, type ErrorKind, ProtoWriter } from '@ariadne/protocol';
import { Metadata, type ServerErrorResponse, status } from '@grpc/grpc-js';
import { INGEST_RETRY_AFTER_SECONDS } from '../../http/http-ingest.js';

/** Error kinds to gRPC status codes, for every gRPC receiver. */
export function grpcStatusOf(kind: ErrorKind): status {
  switch (kind) {
    case 'InvalidPayload':
    case 'InvalidQuery':
    case 'InvalidTenant':
    case 'UnsupportedMediaType':
      return status.INVALID_ARGUMENT;
    case 'Unauthenticated':
      return status.UNAUTHENTICATED;
    case 'PayloadTooLarge':
    case 'RateLimited':
      return status.RESOURCE_EXHAUSTED;
    case 'TraceNotFound':
      return status.NOT_FOUND;
    case 'Overloaded':
    case 'StorageFailure':
      return status.UNAVAILABLE;
    case 'QueryTimeout':
      return status.DEADLINE_EXCEEDED;
    case 'Internal':
      return status.INTERNAL;
  }
}

/**
 * The error a gRPC receiver answers with. Retryable ones (UNAVAILABLE, and
 * RESOURCE_EXHAUSTED for a tenant past its rate limit) carry a
 * `google.rpc.RetryInfo` detail in `grpc-status-details-bin`, which OTel
 * exporters read to back off for the delay the server asks for; the OTLP
 * specification makes RESOURCE_EXHAUSTED retryable only with that detail, so
 * a request too large (also RESOURCE_EXHAUSTED) carries none.
 */
export function grpcIngestError(error: AriadneError): ServerErrorResponse {
  const code = grpcStatusOf(error.kind);
  const metadata = new Metadata();
  if (code === status.UNAVAILABLE || error.kind === 'RateLimited') {
    const delay = error.retryAfterSeconds ?? INGEST_RETRY_AFTER_SECONDS;
    metadata.set('grpc-status-details-bin', Buffer.from(encodeStatusWithRetryInfo(code, error.message, delay)));
  }
  return Object.assign(new Error(error.message), { code, details: error.message, metadata });
}

/** `google.rpc.Status{code, message, details: [Any{RetryInfo{retry_delay}}]}`. */
export function encodeStatusWithRetryInfo(
  code: number,
  message: string,
  retryAfterSeconds = INGEST_RETRY_AFTER_SECONDS,
): Uint8Array {
  const retryInfo = new ProtoWriter(16);
  retryInfo.tag(1, 2); // retry_delay: google.protobuf.Duration
  const duration = retryInfo.fork();
  retryInfo.tag(1, 0); // seconds
  retryInfo.int64(BigInt(retryAfterSeconds));
  retryInfo.join(duration);

  const writer = new ProtoWriter(64 + message.length * 3);
  writer.tag(1, 0);
  writer.int32(code);
  writer.tag(2, 2);
  writer.string(message);
  writer.tag(3, 2); // details: google.protobuf.Any
  const any = writer.fork();
  writer.tag(1, 2);
  writer.string(RETRY_INFO_TYPE_URL);
  writer.tag(2, 2);
  writer.bytesField(retryInfo.finish());
  writer.join(any);
  return writer.finish();
}

export const RETRY_INFO_TYPE_URL = 'type.googleapis.com/google.rpc.RetryInfo';
