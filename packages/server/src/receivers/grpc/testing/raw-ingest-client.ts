import { credentials, Metadata, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';

const identity = (buffer: Buffer) => buffer;
const unary = (path: string) => ({
  path,
  requestStream: false,
  responseStream: false,
  requestSerialize: identity,
  requestDeserialize: identity,
  responseSerialize: identity,
  responseDeserialize: identity,
});

/** The ingest methods by name: OTLP's on 4317, Jaeger's on 14250. */
export type IngestMethod = 'Export' | 'PostSpans';

const RawClient = makeGenericClientConstructor(
  {
    Export: unary('/opentelemetry.proto.collector.trace.v1.TraceService/Export'),
    PostSpans: unary('/jaeger.api_v2.CollectorService/PostSpans'),
  },
  'Raw',
);

/** A client that sends raw bytes, so that tests can send what real clients would not. */
export interface RawIngestClient {
  /** Calls `method` with `body` as the message and `metadata` entries (e.g. `x-scope-orgid`). */
  call(method: IngestMethod, body: Uint8Array, metadata?: Readonly<Record<string, string>>): Promise<Buffer>;
  close(): void;
}

/** `address` is host:port. */
export function rawIngestClient(address: string): RawIngestClient {
  const client = new RawClient(address, credentials.createInsecure());
  type Unary = (body: Buffer, metadata: Metadata, callback: (error: ServiceError | null, r: Buffer) => void) => void;
  return {
    call: (method, body, entries = {}) => {
      const metadata = new Metadata();
      for (const [key, value] of Object.entries(entries)) metadata.set(key, value);
      const unaryCall = (client as unknown as Record<string, Unary>)[method] as Unary;
      return new Promise((resolve, reject) =>
        unaryCall.call(client, Buffer.from(body), metadata, (error, response) =>
          error ? reject(error) : resolve(response),
        ),
      );
    },
    close: () => client.close(),
  };
}
