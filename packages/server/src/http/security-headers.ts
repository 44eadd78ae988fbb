import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';

/**
 * The `'sha256-…'` source of every inline `<script>` in an HTML page, so a
 * Content-Security-Policy can allow exactly those (the UI's index.html starts
 * a trace's fetch before the app loads) without `'unsafe-inline'`.
 */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)) {
    hashes.push(`'sha256-${createHash('sha256').update(match[1]!, 'utf8').digest('base64')}'`);
  }
  return hashes;
}

/**
 * The policy of the query port: only the server's own scripts (and the
 * page's hashed inline ones), styles, images and connections; no plugins, no
 * `<base>`, and no framing by any page (clickjacking). React's `style={}` and
 * uPlot set CSSOM properties, which `style-src` does not govern.
 */
export function contentSecurityPolicy(scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src ${["'self'", ...scriptHashes].join(' ')}`,
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** Sets the security headers on every answer: UI files and API answers alike. */
export function securityHeaders(policy: string): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set('Content-Security-Policy', policy);
    c.res.headers.set('X-Content-Type-Options', 'nosniff');
    c.res.headers.set('Referrer-Policy', 'no-referrer');
  };
}

/**
 * CORS for the origins the operator allows (`--cors-origin`), and for no
 * other: a request from another origin gets no CORS header at all, so a
 * browser keeps its page from reading the answer. A preflight from an allowed
 * origin is answered here (204) with what it asked to send.
 */
export function corsForOrigins(allowed: readonly string[]): MiddlewareHandler {
  const origins = new Set(allowed);
  return async (c, next) => {
    const origin = c.req.header('origin');
    if (origin === undefined || !origins.has(origin)) return next();
    const requestedMethod = c.req.header('access-control-request-method');
    if (c.req.method === 'OPTIONS' && requestedMethod !== undefined) {
      const headers = new Headers({
        'Access-Control-Allow-Origin': origin,
        'Access-Control-Allow-Methods': 'GET, HEAD, POST, OPTIONS',
        'Access-Control-Max-Age': '600',
        Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers',
      });
      const requestedHeaders = c.req.header('access-control-request-headers');
      if (requestedHeaders !== undefined) headers.set('Access-Control-Allow-Headers', requestedHeaders);
      return new Response(null, { status: 204, headers });
    }
    await next();
    c.res.headers.set('Access-Control-Allow-Origin', origin);
    c.res.headers.append('Vary', 'Origin');
  };
}
