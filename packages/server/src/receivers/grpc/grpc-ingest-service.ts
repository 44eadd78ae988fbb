import { AriadneError, isAriadneError } from '@ariadne/protocol';
import type { ServerUnaryCall, ServiceDefinition, sendUnaryData } from '@grpc/grpc-js';
import type { IngestOutcome, IngestPipeline } from '../../pipeline/ingest-pipeline.js';
import type { SpanDecoderName } from '../../pipeline/span-decoders.js';
import type { IngestMetrics, RejectReason } from '../../telemetry/ingest-metrics.js';
import { resolveTenant, type TenancyConfig } from '../../tenancy/resolve-tenant.js';
import type { TenantId } from '../../tenancy/tenant-id.js';
import { tenantRequestOfGrpc } from '../../tenancy/tenant-request.js';
import { grpcIngestError } from './grpc-ingest-error.js';
import type { GrpcService } from './listen-grpc.js';

export interface GrpcIngestServiceOptions {
  /** Full method path, e.g. `/jaeger.api_v2.CollectorService/PostSpans`. */
  readonly path: string;
  /** Method name in the implementation (`PostSpans`). */
  readonly method: string;
  /** The `receiver` label on metrics. */
  readonly receiver: string;
  /** The request message's decoder (it runs in the pipeline's decode workers). */
  readonly decoder: SpanDecoderName;
  /** The response message for a request that was accepted (with partial success when spans were rejected). */
  readonly encodeResponse: (outcome: IngestOutcome) => Uint8Array;
  readonly pipeline: IngestPipeline;
  readonly metrics: IngestMetrics;
  /** Whose spans a call carries (`resolveTenant` on its metadata). */
  readonly tenancy: TenancyConfig;
  readonly onInternalError?: (error: unknown) => void;
}

/** What the request deserializer hands the handler: the message's bytes, or why they were refused unread. */
type Received = { readonly message: Buffer } | { readonly error: AriadneError };

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
      requestDeserialize: (message: Buffer): Received => {
        // Under overload, refuse before decoding spans that would be thrown away.
        if (pipeline.isFull) return { error: new AriadneError('Overloaded', 'ingest queue is full; retry later') };
        // Decoding happens in the pipeline's workers; the message's bytes go there as they are.
        return { message };
      },
      responseSerialize: (response: Uint8Array) => Buffer.from(response.buffer, response.byteOffset, response.length),
      responseDeserialize: (message: Buffer) => message,
    },
  };
  const handler = (call: ServerUnaryCall<Received, Uint8Array>, callback: sendUnaryData<Uint8Array>) => {
    const request = call.request;
    let tenant: TenantId;
    try {
      tenant = resolveTenant(tenantRequestOfGrpc(call.metadata), options.tenancy);
    } catch (error) {
      if (!isAriadneError(error)) throw error;
      metrics.requestsRejected.inc({ receiver, reason: 'unauthenticated' });
      callback(grpcIngestError(error));
      return;
    }
    if ('error' in request) {
      metrics.requestsRejected.inc({ receiver, reason: REASONS[request.error.kind] ?? 'invalid' });
      callback(grpcIngestError(request.error));
      return;
    }
    pipeline.ingest(request.message, options.decoder, receiver, tenant).then(
      (outcome) => callback(null, options.encodeResponse(outcome)),
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
