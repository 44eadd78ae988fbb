import { AriadneError, type DecodedSpans, isAriadneError } from '@ariadne/protocol';
import type { ServerUnaryCall, ServiceDefinition, sendUnaryData } from '@grpc/grpc-js';
import type { IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import type { IngestMetrics, RejectReason } from '../../telemetry/ingest-metrics.js';
import { grpcIngestError } from './grpc-ingest-error.js';
import type { GrpcService } from './listen-grpc.js';

export interface GrpcIngestServiceOptions {
  /** Full method path, e.g. `/jaeger.api_v2.CollectorService/PostSpans`. */
  readonly path: string;
  /** Method name in the implementation (`PostSpans`). */
  readonly method: string;
  /** The `receiver` label on metrics. */
  readonly receiver: string;
  /** Decodes the request message; throws `AriadneError('InvalidPayload')` when it cannot. */
  readonly decode: (message: Buffer) => DecodedSpans;
  /** The response message for a request that was accepted (with partial success when spans were rejected). */
  readonly encodeResponse: (decoded: DecodedSpans) => Uint8Array;
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  readonly onInternalError?: (error: unknown) => void;
}

/** What the request deserializer hands the handler: the decoded spans, or why they did not decode. */
type Decoded = { readonly spans: DecodedSpans } | { readonly error: AriadneError };

/**
 * A unary ingest method, with a hand-written service definition whose
 * deserializer is our codec. The deserializer never throws (grpc-js would
 * answer INTERNAL); a bad payload reaches the handler as an error value and is
 * answered INVALID_ARGUMENT.
 */
export function createGrpcIngestService(options: GrpcIngestServiceOptions): GrpcService {
  const { receiver, metrics, pipeline } = options;
  const definition: ServiceDefinition = {
    [options.method]: {
      path: options.path,
      requestStream: false,
      responseStream: false,
      requestSerialize: () => {
        throw new Error(`${options.path}: this server only receives`);
      },
      requestDeserialize: (message: Buffer): Decoded => {
        // Under overload, refuse before decoding spans that would be thrown away.
        if (pipeline.isFull) return { error: new AriadneError('Overloaded', 'ingest queue is full; retry later') };
        try {
          return { spans: options.decode(message) };
        } catch (error) {
          return {
            error: isAriadneError(error) ? error : new AriadneError('InvalidPayload', String(error), { cause: error }),
          };
        }
      },
      responseSerialize: (response: Uint8Array) => Buffer.from(response.buffer, response.byteOffset, response.length),
      responseDeserialize: (message: Buffer) => message,
    },
  };
  const handler = (call: ServerUnaryCall<Decoded, Uint8Array>, callback: sendUnaryData<Uint8Array>) => {
    const request = call.request;
    if ('error' in request) {
      metrics.requestsRejected.inc({ receiver, reason: REASONS[request.error.kind] ?? 'invalid' });
      callback(grpcIngestError(request.error));
      return;
    }
    const decoded = request.spans;
    metrics.spansReceived.inc({ receiver }, decoded.spans.length + decoded.rejectedSpans);
    if (decoded.rejectedSpans > 0) metrics.spansRejected.inc({ receiver, reason: 'invalid' }, decoded.rejectedSpans);
    pipeline.submit(decoded.spans, receiver).then(
      () => callback(null, options.encodeResponse(decoded)),
      (error: unknown) => {
        if (!isAriadneError(error)) {
          options.onInternalError?.(error);
          callback(grpcIngestError(new AriadneError('Internal', 'internal error')));
          return;
        }
        if (error.kind === 'StorageFailure' || error.kind === 'Internal') options.onInternalError?.(error);
        callback(grpcIngestError(error));
      },
    );
  };
  return { definition, implementation: { [options.method]: handler } };
}

const REASONS: Partial<Record<string, RejectReason>> = {
  Overloaded: 'overloaded',
  PayloadTooLarge: 'too_large',
  InvalidPayload: 'invalid',
};
