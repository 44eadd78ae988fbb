import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AriadneError, EMPTY_RESOURCE } from '@ariadne/protocol';
import { type Context, defaultTextMapGetter, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import { startServerSpan } from '../instrumentation/server-span.js';
import { W3cTraceContextPropagator } from '../propagation/w3c-trace-context-propagator.js';
import { AlwaysOnSampler } from '../sampling/always-on-sampler.js';
import { ParentBasedSampler } from '../sampling/parent-based-sampler.js';
import { AriadneTracerProvider } from '../trace/tracer-provider.js';

/** One instruction of the W3C harness: POST `arguments` as JSON to `url`. */
export interface W3cTestCall {
  readonly url: string;
  readonly arguments: unknown;
}

export interface W3cTestService {
  /** Where the harness posts: `http://host:port/test`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The most a POST /test body may hold: the harness sends a few hundred bytes. */
const MAX_BODY_BYTES = 1 << 20;

/** The harness's body: a JSON array of `{ url, arguments }` with absolute http(s) URLs. */
export function parseW3cTestCalls(body: string): W3cTestCall[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new AriadneError('InvalidPayload', `the body is not JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed))
    throw new AriadneError('InvalidPayload', 'the body must be a JSON array of {url, arguments}');
  return parsed.map((element: unknown, index) => {
    const { url, arguments: args } = (element ?? {}) as { url?: unknown; arguments?: unknown };
    if (typeof url !== 'string' || !/^https?:\/\//.test(url) || !URL.canParse(url)) {
      throw new AriadneError('InvalidPayload', `element ${index}: url must be an absolute http(s) URL`);
    }
    return { url, arguments: args ?? [] };
  });
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.destroy();
        reject(new AriadneError('PayloadTooLarge', `the body is larger than ${MAX_BODY_BYTES} bytes`));
      } else chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A service for the W3C Trace Context test suite (its test/README.md
 * contract): `POST /test` carries a JSON array of `{url, arguments}`, and
 * for each element in turn the service POSTs `arguments` as JSON to `url`
 * from a client span that is a child of the request's server span, whose
 * parent is the incoming `traceparent`/`tracestate` as the SDK's W3C
 * propagator extracts it (an invalid traceparent restarts the trace, an
 * invalid tracestate is dropped). Answers 200 once every call is made, 502
 * naming the calls that failed, 400 for a body it cannot read. Spans are
 * sampled parent-based and exported nowhere: the headers are the output.
 */
export async function startW3cTestService(port = 0, host = '127.0.0.1'): Promise<W3cTestService> {
  const propagator = new W3cTraceContextPropagator();
  const tracerProvider = new AriadneTracerProvider({
    resource: EMPTY_RESOURCE,
    sampler: new ParentBasedSampler({ root: new AlwaysOnSampler() }),
    spanProcessors: [],
  });
  const tracer = tracerProvider.getTracer('@ariadne/sdk/w3c-test-service');

  async function call(parent: Context, { url, arguments: args }: W3cTestCall): Promise<void> {
    const span = tracer.startSpan('POST', { kind: SpanKind.CLIENT, attributes: { 'url.full': url } }, parent);
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    propagator.inject(trace.setSpan(parent, span), headers, {
      set: (carrier, key, value) => {
        carrier[key] = value;
      },
    });
    try {
      const response = await fetch(url, { method: 'POST', headers, body: JSON.stringify(args) });
      await response.arrayBuffer();
      if (!response.ok) throw new Error(`${url} answered ${response.status}`);
    } finally {
      span.end();
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.url !== '/test' || req.method !== 'POST') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('POST /test is the only endpoint\n');
      return;
    }
    let calls: W3cTestCall[];
    try {
      calls = parseW3cTestCalls(await readBody(req));
    } catch (error) {
      const status = error instanceof AriadneError && error.kind === 'PayloadTooLarge' ? 413 : 400;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
      return;
    }
    // startServerSpan makes no span only for an ignored request, and this service ignores none.
    const parent =
      startServerSpan(req, res, { tracerProvider, propagator })?.context ??
      propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
    const failures: string[] = [];
    // In order, one after the other: the harness numbers its callbacks and expects them so.
    for (const [index, element] of calls.entries()) {
      try {
        await call(parent, element);
      } catch (error) {
        failures.push(`call ${index} to ${element.url}: ${(error as Error).message}`);
      }
    }
    if (failures.length === 0) res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
    else res.writeHead(502, { 'content-type': 'text/plain' }).end(`${failures.join('\n')}\n`);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(`${(error as Error).message}\n`);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}/test`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
