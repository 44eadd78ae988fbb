import type { MethodDefinition } from '@grpc/grpc-js';

/**
 * A unary method whose messages are raw bytes both ways: tests send
 * hand-encoded (or deliberately broken) messages and read answers unparsed.
 */
export function rawGrpcMethod(path: string): MethodDefinition<Buffer, Buffer> {
  const same = (value: Buffer) => value;
  return {
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: same,
    requestDeserialize: same,
    responseSerialize: same,
    responseDeserialize: same,
  };
}
