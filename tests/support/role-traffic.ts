import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { bearer, type TestToken } from './auth-file.js';
import { LISTENER_NAMES } from './endpoint-probes.js';
import type { AriadneProcess } from './role-process.js';

// Traffic and probes shared by the tests of collectors and query nodes.

/**
 * Flags every process of these tests takes: JSON logs, adaptive sampling
 * recomputed every 2 s, and free ports (the Jaeger agent's UDP ports too,
 * unless `udp` is false: with --auth they need --udp-tenant).
 */
export function roleTestFlags(options: { readonly udp: boolean }): string[] {
  const ports = options.udp ? [...LISTENER_NAMES, 'jaeger-compact', 'jaeger-binary'] : LISTENER_NAMES;
  return [
    '--log-format',
    'json',
    '--sampling-adaptive-target',
    '1',
    '--sampling-adaptive-interval',
    '2s',
    ...ports.flatMap((name) => [`--${name}-port`, '0']),
  ];
}

/** The origin of a listener from a process's banner, by its label. */
export function origin(process: AriadneProcess, label: string): string {
  const url = process.endpoints.get(label);
  assert.ok(url, `no "${label}" in ${[...process.endpoints.keys()]}`);
  return new URL(url).origin;
}

export async function getJson(url: string, token?: TestToken): Promise<unknown> {
  const response = await fetch(url, { headers: token === undefined ? {} : bearer(token) });
  const text = await response.text();
  assert.equal(response.status, 200, `${url}: ${text}`);
  return JSON.parse(text);
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export function randomTraceId(): string {
  return randomBytes(16).toString('hex');
}

export function spanIdsOf(traceId: string): string[] {
  return [`${traceId.slice(0, 15)}a`, `${traceId.slice(0, 15)}b`];
}

/** gateway (root, operation `rootName`) -> orders, ended a moment ago. */
export function otlpTrace(traceId: string, startNanos: bigint, rootName: string): unknown {
  const [root, child] = spanIdsOf(traceId) as [string, string];
  const span = (service: string, spanId: string, parentSpanId: string, name: string, kind: number) => ({
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [
      {
        scope: { name: 'roles-test' },
        spans: [
          {
            traceId,
            spanId,
            parentSpanId,
            name,
            kind,
            startTimeUnixNano: startNanos.toString(),
            endTimeUnixNano: (startNanos + 5_000_000n).toString(),
          },
        ],
      },
    ],
  });
  return { resourceSpans: [span('gateway', root, '', rootName, 2), span('orders', child, root, 'reserve', 3)] };
}

/** A collector's adaptive sampling answer for `gateway`. */
export async function askSampling(collector: AriadneProcess, token?: TestToken) {
  const response = await fetch(`${collector.endpoints.get('remote sampling')}?service=gateway`, {
    headers: token === undefined ? {} : bearer(token),
  });
  assert.equal(response.status, 200);
  return (await response.json()) as { operationSampling?: { perOperationStrategies: { operation: string }[] } };
}

/** Sends one trace (gateway -> orders, root operation `rootName`) to a collector over OTLP/HTTP; fails unless acknowledged. */
export async function sendTrace(collector: AriadneProcess, traceId: string, rootName: string, token?: TestToken) {
  const response = await fetch(collector.endpoints.get('OTLP/HTTP receiver')!, {
    method: 'POST',
    headers: { ...(token === undefined ? {} : bearer(token)), 'content-type': 'application/json' },
    body: JSON.stringify(otlpTrace(traceId, BigInt(Date.now()) * 1_000_000n - 2_000_000_000n, rootName)),
  });
  assert.equal(response.status, 200, await response.text());
}

/** Waits until every collector answers the same strategy, naming exactly `operations`. */
export function waitForOneSamplingAnswer(
  collectors: readonly AriadneProcess[],
  operations: readonly string[],
  token?: TestToken,
) {
  return waitFor(async () => {
    const answers = await Promise.all(collectors.map((collector) => askSampling(collector, token)));
    const named = answers[0]?.operationSampling?.perOperationStrategies.map((entry) => entry.operation).sort();
    const agree = answers.every((answer) => JSON.stringify(answer) === JSON.stringify(answers[0]));
    return agree && JSON.stringify(named) === JSON.stringify([...operations].sort()) ? answers : undefined;
  }, 'every collector answering one strategy with the operations each saw');
}
