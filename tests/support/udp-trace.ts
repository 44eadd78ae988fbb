import { createSocket } from 'node:dgram';
import { encodeJaegerAgentMessage } from '@ariadne/protocol';
import type { Reply } from './tenant-reads.js';

/** The trace `sendUdpTraceUntilRead` sends. */
export const UDP_TRACE_ID = 0x4242n.toString(16).padStart(32, '0');

/**
 * Sends one span of service `udp-service` in a Jaeger agent datagram
 * (compact Thrift) to `udpUrl` (`udp://host:port`, as the server prints
 * it) until `read(UDP_TRACE_ID)` answers 200; datagrams may be lost, so
 * it tries a bounded number of times and returns the last answer.
 */
export async function sendUdpTraceUntilRead(udpUrl: string, read: (traceId: string) => Promise<Reply>): Promise<Reply> {
  const port = Number(new URL(udpUrl.replace('udp:', 'http:')).port);
  const message = encodeJaegerAgentMessage(
    {
      process: { serviceName: 'udp-service', tags: [] },
      spans: [
        {
          traceIdLow: 0x4242n,
          traceIdHigh: 0n,
          spanId: 7n,
          parentSpanId: 0n,
          operationName: 'udp-op',
          flags: 1,
          startTime: BigInt(Date.now()) * 1000n,
          duration: 1000n,
          tags: [],
          logs: [],
          references: [],
        },
      ],
    },
    'compact',
  );
  const socket = createSocket('udp4');
  try {
    let answer: Reply = { status: 0, text: '' };
    for (let attempt = 0; attempt < 50 && answer.status !== 200; attempt++) {
      await new Promise<void>((resolve, reject) =>
        socket.send(message, port, '127.0.0.1', (error) => (error ? reject(error) : resolve())),
      );
      answer = await read(UDP_TRACE_ID);
    }
    return answer;
  } finally {
    socket.close();
  }
}
