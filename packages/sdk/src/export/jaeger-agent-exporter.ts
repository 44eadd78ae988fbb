import { createSocket, type Socket } from 'node:dgram';
import { encodeJaegerAgentMessage, type JaegerThriftBatch, type Span, spansToJaegerBatches } from '@ariadne/protocol';
import { diag } from '@opentelemetry/api';
import { type Env, numberFromEnv, stringFromEnv } from '../trace/env.js';
import { NetworkSpanExporter } from './network-span-exporter.js';
import { EXPORT_SUCCESS, type ExportResult, exportFailure } from './span-exporter.js';

/** The agent's read buffer, and the largest UDP payload Jaeger clients send (jaeger-client-go's default). */
export const JAEGER_MAX_DATAGRAM_BYTES = 65_000;

export interface JaegerAgentExporterOptions {
  /** Default OTEL_EXPORTER_JAEGER_AGENT_HOST (or TRACES_EXPORTER_JAEGER_AGENT_HOST), else localhost. */
  readonly host?: string;
  /** Default OTEL_EXPORTER_JAEGER_AGENT_PORT (or TRACES_EXPORTER_JAEGER_AGENT_PORT), else 6831 (compact Thrift). */
  readonly port?: number;
  /** Largest datagram; batches are split to fit. Default 65000. */
  readonly maxPacketBytes?: number;
  readonly env?: Env;
}

/**
 * Jaeger agent exporter: `Agent.emitBatch` in the compact Thrift protocol
 * over UDP, as jaeger-client and OTel's old Jaeger exporter send it. UDP
 * has no acknowledgement, so there is nothing to retry; what matters is that
 * no datagram exceeds the limit (the agent would drop it whole), so a batch
 * is halved until each part fits. A single span too large for a datagram is
 * dropped and the export reports failure.
 */
export class JaegerAgentExporter extends NetworkSpanExporter {
  readonly host: string;
  readonly port: number;
  private readonly maxPacket: number;
  private socket: Socket | undefined;
  private seqId = 0;

  constructor(options: JaegerAgentExporterOptions = {}) {
    super();
    const env = options.env ?? process.env;
    this.host =
      options.host ??
      stringFromEnv(env, 'OTEL_EXPORTER_JAEGER_AGENT_HOST') ??
      stringFromEnv(env, 'TRACES_EXPORTER_JAEGER_AGENT_HOST') ??
      'localhost';
    this.port =
      options.port ??
      numberFromEnv(env, 'OTEL_EXPORTER_JAEGER_AGENT_PORT') ??
      numberFromEnv(env, 'TRACES_EXPORTER_JAEGER_AGENT_PORT') ??
      6831;
    this.maxPacket = options.maxPacketBytes ?? JAEGER_MAX_DATAGRAM_BYTES;
  }

  /** The datagrams a list of spans becomes: one batch per resource, each split to fit the limit. */
  datagramsOf(spans: readonly Span[]): { packets: Uint8Array[]; droppedSpans: number } {
    const packets: Uint8Array[] = [];
    let droppedSpans = 0;
    const pack = (batch: JaegerThriftBatch) => {
      const bytes = encodeJaegerAgentMessage(batch, 'compact', this.seqId++);
      if (bytes.length <= this.maxPacket) packets.push(bytes);
      else if (batch.spans.length <= 1) droppedSpans += batch.spans.length;
      else {
        const half = Math.ceil(batch.spans.length / 2);
        pack({ process: batch.process, spans: batch.spans.slice(0, half) });
        pack({ process: batch.process, spans: batch.spans.slice(half) });
      }
    };
    for (const batch of spansToJaegerBatches(spans)) pack(batch);
    return { packets, droppedSpans };
  }

  protected override async release(): Promise<void> {
    const socket = this.socket;
    this.socket = undefined;
    if (socket) await new Promise<void>((resolve) => socket.close(() => resolve()));
  }

  protected async send(spans: readonly Span[]): Promise<ExportResult> {
    const { packets, droppedSpans } = this.datagramsOf(spans);
    const socket = this.openSocket();
    for (const packet of packets) {
      await new Promise<void>((resolve, reject) =>
        socket.send(packet, this.port, this.host, (error) => (error ? reject(error) : resolve())),
      );
    }
    if (droppedSpans > 0) {
      return exportFailure(new Error(`${droppedSpans} spans exceed the ${this.maxPacket}-byte UDP limit on their own`));
    }
    return EXPORT_SUCCESS;
  }

  private openSocket(): Socket {
    if (this.socket === undefined) {
      // IPv6 only when the host is an IPv6 literal; names resolve through the udp4 socket's lookup.
      const socket = createSocket(this.host.includes(':') ? 'udp6' : 'udp4');
      socket.on('error', (error) => diag.error('jaeger agent exporter socket error', error));
      // An idle exporter must not keep the process alive.
      socket.unref();
      this.socket = socket;
    }
    return this.socket;
  }
}
