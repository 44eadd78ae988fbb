import { createSocket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import type { ThriftProtocol } from '@ariadne/protocol';
import type { Listener } from '../../http/listen.js';
import type { IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import { counterOnce } from '../../telemetry/counter-once.js';
import type { IngestMetrics } from '../../telemetry/ingest-metrics.js';
import type { Counter } from '../../telemetry/metrics-registry.js';
import type { TenantId } from '../../tenancy/tenant-id.js';

export interface JaegerUdpReceiverOptions {
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** compact on 6831 (jaeger-client's default), binary on 6832. */
  readonly protocol: ThriftProtocol;
  /**
   * Whose spans every datagram carries: a datagram has no headers to name a
   * tenant, so the server decides (`--udp-tenant`; `SINGLE_TENANT` without
   * multitenancy, and no UDP listener with it unless one is named).
   */
  readonly tenant: TenantId;
  readonly onInternalError?: (error: unknown) => void;
}

/** The agent's receive buffer size: the largest UDP datagram jaeger clients send is 65000 bytes. */
const RECEIVE_BUFFER_BYTES = 4 * 1024 * 1024;

/**
 * Jaeger's agent UDP endpoints: one `Agent.emitBatch` Thrift message per
 * datagram. Nobody hears an answer, so nothing a client sends may crash or
 * block the server: a datagram that does not decode is counted as dropped
 * (reason `invalid`), spans the pipeline refuses as dropped (`overloaded`,
 * or `rate_limited` past the tenant's own limits: counted and dropped).
 */
export function listenJaegerUdp(
  name: string,
  host: string,
  port: number,
  options: JaegerUdpReceiverOptions,
): Promise<Listener> {
  const receiver = options.protocol === 'compact' ? 'jaeger-compact' : 'jaeger-binary';
  const { metrics, pipeline } = options;
  const datagramsDropped = datagramsDroppedCounter(metrics);
  const socket = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', recvBufferSize: RECEIVE_BUFFER_BYTES });
  const decoder = options.protocol === 'compact' ? 'jaeger-agent-compact' : 'jaeger-agent-binary';
  // The pipeline counts the spans it refuses (as dropped, since no one is told); the datagrams refused unread are counted here.
  const onRefusedUnread = (reason: 'invalid' | 'overloaded' | 'rate_limited') =>
    datagramsDropped.inc({ receiver, reason });
  socket.on('message', (message) => {
    pipeline.ingest(message, decoder, receiver, options.tenant, { unanswered: true, onRefusedUnread }).catch(() => {});
  });
  return new Promise((resolve, reject) => {
    const failed = (error: Error) =>
      reject(new Error(`${name}: cannot listen on udp ${host}:${port}: ${error.message}`));
    socket.once('error', failed);
    socket.bind(port, host, () => {
      socket.off('error', failed);
      socket.on('error', (error) => options.onInternalError?.(error));
      const bound = (socket.address() as AddressInfo).port;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      let closed: Promise<void> | undefined;
      resolve({
        name,
        host,
        port: bound,
        url: `udp://${shownHost}:${bound}`,
        close: () => {
          closed ??= new Promise((done) => socket.close(() => done()));
          return closed;
        },
      });
    });
  });
}

/** Datagrams are counted apart from spans: one that does not decode has no span count. */
export function datagramsDroppedCounter(metrics: IngestMetrics): Counter {
  return counterOnce(
    metrics,
    'ariadne_receiver_datagrams_dropped_total',
    'UDP datagrams lost before their spans could be counted, by reason.',
  );
}
