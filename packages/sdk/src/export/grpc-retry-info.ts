import { ProtoReader } from '@ariadne/protocol';

const RETRY_INFO_TYPE = 'type.googleapis.com/google.rpc.RetryInfo';

/**
 * The delay a gRPC server asks for in `google.rpc.RetryInfo`, carried in the
 * `grpc-status-details-bin` trailer as a `google.rpc.Status` whose `details`
 * are `Any` messages. `undefined` when there is none or it cannot be read.
 */
export function grpcRetryDelayMillis(statusDetails: Uint8Array | undefined): number | undefined {
  if (statusDetails === undefined || statusDetails.length === 0) return undefined;
  try {
    const status = new ProtoReader(statusDetails);
    while (status.pos < status.end) {
      const tag = status.readTag();
      // Status.details (3): repeated google.protobuf.Any.
      if (tag !== ((3 << 3) | 2)) {
        status.skip(tag);
        continue;
      }
      const any = status.readBytesView();
      const delay = retryInfoOf(any);
      if (delay !== undefined) return delay;
    }
  } catch {
    // Unreadable details only cost the hint, never the retry.
  }
  return undefined;
}

function retryInfoOf(anyBytes: Uint8Array): number | undefined {
  const any = new ProtoReader(anyBytes);
  let typeUrl = '';
  let value: Uint8Array | undefined;
  while (any.pos < any.end) {
    const tag = any.readTag();
    if (tag === ((1 << 3) | 2)) typeUrl = any.readString();
    else if (tag === ((2 << 3) | 2)) value = any.readBytesView();
    else any.skip(tag);
  }
  if (typeUrl !== RETRY_INFO_TYPE || value === undefined) return undefined;
  const info = new ProtoReader(value);
  while (info.pos < info.end) {
    const tag = info.readTag();
    // RetryInfo.retry_delay (1): google.protobuf.Duration { int64 seconds = 1; int32 nanos = 2; }.
    if (tag !== ((1 << 3) | 2)) {
      info.skip(tag);
      continue;
    }
    const duration = new ProtoReader(info.readBytesView());
    let seconds = 0n;
    let nanos = 0;
    while (duration.pos < duration.end) {
      const field = duration.readTag();
      if (field === 1 << 3) seconds = duration.readInt64();
      else if (field === 2 << 3) nanos = duration.readInt32();
      else duration.skip(field);
    }
    return Math.max(0, Number(seconds) * 1000 + Math.floor(nanos / 1e6));
  }
  return undefined;
}
