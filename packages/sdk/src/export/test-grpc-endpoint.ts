import { createServer, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';

export interface ReceivedGrpcCall {
  /** The HTTP/2 request headers: the gRPC metadata, `content-type`, `grpc-encoding`, `grpc-timeout`, ... */
  readonly headers: IncomingHttpHeaders;
  /** The message's compressed flag (1: compressed with `grpc-encoding`). */
  readonly compressed: number;
  /** The message as sent (still compressed when `compressed` is 1). */
  readonly message: Buffer;
}

/**
 * A real local gRPC endpoint on raw HTTP/2, for what a gRPC server hides
 * from its handlers (the compressed flag, content-type, grpc-timeout): it
 * records each unary call and answers OK with an empty message.
 */
export async function testGrpcEndpoint() {
  const received: ReceivedGrpcCall[] = [];
  const server = createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const frame = Buffer.concat(chunks);
      const length = frame.readUInt32BE(1);
      received.push({ headers, compressed: frame[0] as number, message: frame.subarray(5, 5 + length) });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      stream.end(Buffer.from([0, 0, 0, 0, 0]));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
