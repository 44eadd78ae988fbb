import type { IncomingHttpHeaders } from 'node:http';
import { type SpanContext, TraceFlags } from '@opentelemetry/api';

/**
 * The stable HTTP semantic conventions (v1.23+): the names Jaeger, Tempo and
 * the OpenTelemetry instrumentations agree on, so dashboards built on them
 * work with spans from this SDK.
 */
export const ATTR_HTTP_REQUEST_METHOD = 'http.request.method';
export const ATTR_HTTP_REQUEST_METHOD_ORIGINAL = 'http.request.method_original';
export const ATTR_HTTP_RESPONSE_STATUS_CODE = 'http.response.status_code';
export const ATTR_HTTP_ROUTE = 'http.route';
export const ATTR_URL_PATH = 'url.path';
export const ATTR_URL_QUERY = 'url.query';
export const ATTR_URL_SCHEME = 'url.scheme';
export const ATTR_URL_FULL = 'url.full';
export const ATTR_SERVER_ADDRESS = 'server.address';
export const ATTR_SERVER_PORT = 'server.port';
export const ATTR_CLIENT_ADDRESS = 'client.address';
export const ATTR_USER_AGENT_ORIGINAL = 'user_agent.original';
export const ATTR_NETWORK_PROTOCOL_VERSION = 'network.protocol.version';
export const ATTR_ERROR_TYPE = 'error.type';

/** The W3C Trace Context Level 2 response header naming the server's span. */
export const TRACERESPONSE_HEADER = 'traceresponse';

const KNOWN_METHODS = new Set([
  'CONNECT',
  'DELETE',
  'GET',
  'HEAD',
  'OPTIONS',
  'PATCH',
  'POST',
  'PUT',
  'QUERY',
  'TRACE',
]);

/**
 * The semantic conventions' method: a known method upper-cased, anything else
 * `_OTHER` (so a client cannot blow up the cardinality of span names), with
 * the original kept in `http.request.method_original` when it differs.
 */
export function normalizeMethod(raw: string | undefined): { method: string; original?: string } {
  const value = raw ?? 'GET';
  const upper = value.toUpperCase();
  const method = KNOWN_METHODS.has(upper) ? upper : '_OTHER';
  return method === value ? { method } : { method, original: value };
}

/** `METHOD route`, `METHOD`, or `HTTP` for an unknown method (the conventions' span names). */
export function httpSpanName(method: string, route?: string): string {
  const verb = method === '_OTHER' ? 'HTTP' : method;
  return route ? `${verb} ${route}` : verb;
}

/** `00-<trace-id>-<span-id>-<flags>`, the value of `traceparent` and `traceresponse`. */
export function formatTraceparent(spanContext: SpanContext): string {
  const flags = (spanContext.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${spanContext.traceId}-${spanContext.spanId}-${flags}`;
}

/** Splits a Host header (`name`, `name:port`, `[v6]:port`) into the conventions' server.address and server.port. */
export function parseHostHeader(host: string | undefined): { address?: string; port?: number } {
  if (!host) return {};
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d+))?$/.exec(host);
  if (!match) return {};
  const address = (match[1] ?? '').replace(/^\[|\]$/g, '');
  return { address: address || undefined, port: match[2] === undefined ? undefined : Number(match[2]) };
}

/** The first value of a header Node may give as a string or, for a few names, a list. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** url.full without credentials: the conventions ask for `user:password@` to be redacted. */
export function redactUrl(url: URL): string {
  if (url.username === '' && url.password === '') return url.href;
  const copy = new URL(url.href);
  copy.username = 'REDACTED';
  copy.password = copy.password === '' ? '' : 'REDACTED';
  return copy.href;
}
