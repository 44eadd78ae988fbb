import type * as Http from 'node:http';
import type { ClientRequest, IncomingMessage, RequestOptions } from 'node:http';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { context, propagation } from '@opentelemetry/api';
import {
  type HttpClientTracingOptions,
  recordClientError,
  recordClientStatus,
  startClientSpan,
} from './client-span.js';

type RequestFunction = (...args: unknown[]) => ClientRequest;
type HttpModule = typeof Http;

/** The URL and method Node itself derives from `request(url, options?, cb?)` or `request(options, cb?)`. */
function describeCall(args: unknown[], defaultProtocol: string): { url: URL; method: string | undefined } | undefined {
  const first = args[0];
  const base = typeof first === 'string' ? new URL(first) : first instanceof URL ? first : undefined;
  const second = base === undefined ? first : args[1];
  const options = (typeof second === 'object' && second !== null ? second : {}) as RequestOptions;
  const protocol = options.protocol ?? base?.protocol ?? defaultProtocol;
  let hostname = options.hostname ?? options.host ?? base?.hostname ?? 'localhost';
  // `host` may carry a port; an IPv6 literal needs its brackets inside a URL.
  if (options.hostname === undefined && options.host !== undefined) hostname = hostname.replace(/:\d+$/, '');
  if (hostname.includes(':') && !hostname.startsWith('[')) hostname = `[${hostname}]`;
  const port = options.port ?? (base?.port || options.defaultPort || undefined);
  const path = options.path ?? (base === undefined ? '/' : `${base.pathname}${base.search}`);
  const url = new URL(`${protocol}//${hostname}${port === undefined ? '' : `:${port}`}${path}`);
  if (base !== undefined && options.auth === undefined) {
    url.username = base.username;
    url.password = base.password;
  }
  return { url, method: options.method };
}

function wrapRequest(
  original: RequestFunction,
  defaultProtocol: string,
  options: HttpClientTracingOptions,
): RequestFunction {
  const propagator = options.propagator ?? propagation;
  return function request(this: unknown, ...args: unknown[]): ClientRequest {
    let described: ReturnType<typeof describeCall>;
    try {
      described = describeCall(args, defaultProtocol);
    } catch {
      // Node rejects what we could not read; let it, with its own error.
      return original.apply(this, args);
    }
    const call = described && startClientSpan(described.method, described.url, options);
    if (call === undefined) return original.apply(this, args);
    const parent = context.active();
    // The caller's response callback runs in the caller's context, not under the client span.
    const last = args.length - 1;
    if (typeof args[last] === 'function') args[last] = context.bind(parent, args[last]);
    let req: ClientRequest;
    try {
      req = context.with(call.context, () => original.apply(this, args));
    } catch (error) {
      recordClientError(call.span, error);
      call.span.end();
      throw error;
    }
    const headers: Record<string, string> = {};
    propagator.inject(call.context, headers, {
      set: (carrier, key, value) => {
        carrier[key] = value;
      },
    });
    for (const [name, value] of Object.entries(headers)) {
      try {
        req.setHeader(name, value);
      } catch {
        // Headers given as a raw array are already serialised: the call goes out uninstrumented, but it goes out.
      }
    }
    context.bind(parent, req);
    let ended = false;
    const end = () => {
      if (ended) return;
      ended = true;
      call.span.end();
    };
    let responded = false;
    req.prependListener('response', (res: IncomingMessage) => {
      responded = true;
      recordClientStatus(call.span, res.statusCode ?? 0);
      res.once('end', end);
      res.once('close', end);
      res.once('error', (error) => {
        recordClientError(call.span, error);
        end();
      });
      // Node drains an unwanted response only when nobody listens; our listener must not change that.
      if (req.listenerCount('response') === 1) res.resume();
    });
    req.once('error', (error) => {
      recordClientError(call.span, error);
      end();
    });
    req.once('close', () => {
      if (!responded) end();
    });
    return req;
  };
}

interface Patch {
  readonly module: HttpModule;
  readonly request: RequestFunction;
  readonly get: RequestFunction;
  readonly tracedRequest: RequestFunction;
  readonly tracedGet: RequestFunction;
}

function patchModule(module: HttpModule, defaultProtocol: string, options: HttpClientTracingOptions): Patch {
  const request = module.request as unknown as RequestFunction;
  const get = module.get as unknown as RequestFunction;
  const tracedRequest = wrapRequest(request, defaultProtocol, options);
  // Node's own `get` calls its module-private `request`, so it is rebuilt on the traced one, as Node defines it.
  const tracedGet = function get(this: unknown, ...args: unknown[]): ClientRequest {
    const req = tracedRequest.apply(this, args);
    req.end();
    return req;
  };
  (module as { request: unknown }).request = tracedRequest;
  (module as { get: unknown }).get = tracedGet;
  return { module, request, get, tracedRequest, tracedGet };
}

/**
 * Patches `request` and `get` of `node:http` and `node:https` to open a
 * client span per call and inject the propagator's headers, and syncs
 * the ESM named exports so `import { request } from 'node:http'` sees the
 * patch too (bindings taken before this call keep the original). Returns
 * the function that restores the originals.
 */
export function instrumentHttpClient(options: HttpClientTracingOptions = {}): () => void {
  const require = createRequire(import.meta.url);
  const patches = [
    patchModule(require('node:http') as HttpModule, 'http:', options),
    patchModule(require('node:https') as HttpModule, 'https:', options),
  ];
  syncBuiltinESMExports();
  return () => {
    for (const patch of patches) {
      const module = patch.module as { request: unknown; get: unknown };
      // Someone may have wrapped ours since; then theirs stays, calling ours.
      if (module.request === patch.tracedRequest) module.request = patch.request;
      if (module.get === patch.tracedGet) module.get = patch.get;
    }
    syncBuiltinESMExports();
  };
}
