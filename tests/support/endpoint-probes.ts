// One request to every HTTP and gRPC endpoint kind Ariadne serves, each sent
// with the headers (or gRPC metadata) and TLS material a test chooses, each
// answered as an HTTP-like status: the whole-system auth and TLS tests walk
// this table, so a listener added later without a probe here shows up as a
// port no test covers (see `PROBED_PORTS`).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { decodeOtlpTraceRequestJson, encodeJaegerThriftBatch, encodeOtlpTraceRequestProto } from '@ariadne/protocol';
import type { ServePorts } from '@ariadne/server';
import {
  type ChannelCredentials,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { rawGrpcMethod } from '../../packages/server/src/receivers/grpc/testing/raw-grpc-method.js';

export interface TlsMaterial {
  /** The CA that signed the server's certificate. */
  readonly ca: Buffer;
  /** A client certificate and key, for mutual TLS. */
  readonly cert?: Buffer;
  readonly key?: Buffer;
}

export interface CallOptions {
  /** HTTP headers, or gRPC metadata (lowercase keys). */
  readonly headers?: Readonly<Record<string, string>>;
  readonly tls?: TlsMaterial;
}

export interface Answer {
  /** The HTTP status; for gRPC, UNAUTHENTICATED 401, PERMISSION_DENIED 403, OK 200, anything else 500 + code. */
  readonly status: number;
  readonly wwwAuthenticate: readonly string[];
  readonly body: string;
}

export type ProbeNeed = 'ingest' | 'query' | 'admin' | 'open';

export interface Probe {
  readonly name: string;
  readonly port: keyof ServePorts;
  readonly need: ProbeNeed;
  /** For ingest probes: the service name of the spans it sends (to tell what was stored). */
  readonly service?: string;
  /** `base` is the listener's URL as the server prints it (http://, https:// or grpc://). */
  call(base: string, options: CallOptions): Promise<Answer>;
}

/** One HTTP(S) request; the scheme of `url` decides which. */
export function httpCall(
  url: string,
  init: { method?: string; headers?: Readonly<Record<string, string>>; body?: Uint8Array | string; tls?: TlsMaterial },
): Promise<Answer & { headers: IncomingHttpHeaders }> {
  const secure = url.startsWith('https:');
  const send = secure ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const request = send(
      url,
      {
        method: init.method ?? 'GET',
        headers: { ...init.headers },
        ...(secure && init.tls ? { ca: init.tls.ca, cert: init.tls.cert, key: init.tls.key } : {}),
        agent: false,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const challenge = response.headers['www-authenticate'];
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            wwwAuthenticate: challenge === undefined ? [] : Array.isArray(challenge) ? challenge : [challenge],
            body: Buffer.concat(chunks).toString('utf8'),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(init.body);
  });
}

/** Credentials for a gRPC channel: plaintext, or TLS (mutual when the material has a client certificate). */
export function grpcCredentials(tls: TlsMaterial | undefined): ChannelCredentials {
  if (tls === undefined) return credentials.createInsecure();
  return credentials.createSsl(tls.ca, tls.key ?? null, tls.cert ?? null);
}

/** A gRPC channel for one method with raw bytes in and out, kept open across calls until closed. */
export function grpcChannel(base: string, path: string, options: CallOptions) {
  const Client = makeGenericClientConstructor({ Call: rawGrpcMethod(path) }, 'Probe');
  const client = new Client(base.replace(/^grpcs?:\/\//, ''), grpcCredentials(options.tls));
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(options.headers ?? {})) metadata.set(key.toLowerCase(), value);
  type Call = (m: Buffer, md: Metadata, o: object, cb: (e: ServiceError | null) => void) => void;
  return {
    call: (message: Uint8Array) =>
      new Promise<Answer>((resolve) => {
        (client as unknown as { Call: Call }).Call(
          Buffer.from(message),
          metadata,
          { deadline: Date.now() + 30_000 },
          (error) => {
            if (!error) return resolve({ status: 200, wwwAuthenticate: [], body: '' });
            const code =
              error.code === status.UNAUTHENTICATED
                ? 401
                : error.code === status.PERMISSION_DENIED
                  ? 403
                  : 500 + error.code;
            resolve({ status: code, wwwAuthenticate: [], body: error.details });
          },
        );
      }),
    close: () => client.close(),
  };
}

/** One unary gRPC call on a channel of its own. */
export async function grpcCall(base: string, path: string, message: Uint8Array, options: CallOptions): Promise<Answer> {
  const channel = grpcChannel(base, path, options);
  try {
    return await channel.call(message);
  } finally {
    channel.close();
  }
}

const NOW_NANOS = BigInt(Date.now()) * 1_000_000n;

/** An OTLP/JSON request with one span of `service`. */
export function otlpJson(service: string): string {
  return JSON.stringify({
    resourceSpans: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
        scopeSpans: [
          {
            spans: [
              {
                traceId: Buffer.from(service.padEnd(16, '.').slice(0, 16)).toString('hex'),
                spanId: '0102030405060708',
                name: `${service} op`,
                kind: 2,
                startTimeUnixNano: String(NOW_NANOS),
                endTimeUnixNano: String(NOW_NANOS + 1_000_000n),
              },
            ],
          },
        ],
      },
    ],
  });
}

const json = { 'Content-Type': 'application/json' };
const get =
  (path: string) =>
  (base: string, options: CallOptions): Promise<Answer> =>
    httpCall(`${base}${path}`, { headers: { ...options.headers }, ...(options.tls ? { tls: options.tls } : {}) });
const post =
  (path: string, contentType: string, body: () => Uint8Array | string) =>
  (base: string, options: CallOptions): Promise<Answer> =>
    httpCall(`${base}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': contentType, ...options.headers },
      body: body(),
      ...(options.tls ? { tls: options.tls } : {}),
    });

/** Every endpoint kind, by port. */
export const PROBES: readonly Probe[] = [
  { name: 'query /health', port: 'query', need: 'open', call: get('/health') },
  { name: 'query /metrics', port: 'query', need: 'admin', call: get('/metrics') },
  { name: 'query /api/services', port: 'query', need: 'query', call: get('/api/services') },
  { name: 'query /api/v3/services', port: 'query', need: 'query', call: get('/api/v3/services') },
  // The page (its sign-in form included) loads without a token; its data comes from /api/*.
  { name: 'query web UI /', port: 'query', need: 'open', call: get('/') },
  {
    name: 'otlp-http POST /v1/traces',
    port: 'otlpHttp',
    need: 'ingest',
    service: 'probe-otlp-http',
    call: post('/v1/traces', json['Content-Type'], () => otlpJson('probe-otlp-http')),
  },
  {
    name: 'otlp-grpc Export',
    port: 'otlpGrpc',
    need: 'ingest',
    service: 'probe-otlp-grpc',
    call: (base, options) =>
      grpcCall(
        base,
        '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
        encodeOtlpTraceRequestProto(decodeOtlpTraceRequestJson(otlpJson('probe-otlp-grpc')).spans),
        options,
      ),
  },
  {
    name: 'jaeger-http POST /api/traces',
    port: 'jaegerHttp',
    need: 'ingest',
    service: 'probe-jaeger-http',
    call: post('/api/traces', 'application/x-thrift', () =>
      encodeJaegerThriftBatch(
        {
          process: { serviceName: 'probe-jaeger-http' },
          spans: [
            {
              traceIdHigh: 0x7n,
              traceIdLow: 0x8n,
              spanId: 0x9n,
              parentSpanId: 0n,
              operationName: 'probe',
              flags: 1,
              startTime: NOW_NANOS / 1000n,
              duration: 5n,
            },
          ],
        },
        'binary',
      ),
    ),
  },
  {
    // An empty PostSpansRequest: a call past the check answers OK with nothing to store.
    name: 'jaeger-grpc PostSpans',
    port: 'jaegerGrpc',
    need: 'ingest',
    call: (base, options) => grpcCall(base, '/jaeger.api_v2.CollectorService/PostSpans', new Uint8Array(0), options),
  },
  {
    name: 'zipkin POST /api/v2/spans',
    port: 'zipkin',
    need: 'ingest',
    service: 'probe-zipkin',
    call: post('/api/v2/spans', json['Content-Type'], () =>
      JSON.stringify([
        {
          traceId: '00000000000000aa',
          id: '00000000000000bb',
          name: 'probe',
          timestamp: Number(NOW_NANOS / 1000n),
          duration: 5,
          localEndpoint: { serviceName: 'probe-zipkin' },
        },
      ]),
    ),
  },
  { name: 'zipkin GET /api/v2/services', port: 'zipkin', need: 'query', call: get('/api/v2/services') },
  { name: 'sampling GET /sampling', port: 'sampling', need: 'ingest', call: get('/sampling?service=probe') },
  { name: 'tempo GET /api/echo', port: 'tempo', need: 'query', call: get('/api/echo') },
  { name: 'tempo GET /api/search', port: 'tempo', need: 'query', call: get('/api/search?limit=5') },
];

/** Every port with an HTTP or gRPC listener that the probes reach (UDP has no token to check). */
export const PROBED_PORTS = new Set(PROBES.map((probe) => probe.port));

/** The services ingest probes send. */
export const PROBE_SERVICES = PROBES.flatMap((probe) => (probe.service ? [probe.service] : []));

/**
 * The HTTP and gRPC listeners by name: the `listener` label on the auth
 * metrics, and the `--<name>-port` flag of `ariadne serve`.
 */
export const LISTENER_NAMES = [
  'query',
  'otlp-http',
  'otlp-grpc',
  'jaeger-http',
  'jaeger-grpc',
  'zipkin',
  'sampling',
  'tempo',
] as const;
