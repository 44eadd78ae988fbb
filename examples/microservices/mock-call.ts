import { type Attributes, SpanKind, SpanStatusCode, type Tracer } from '@opentelemetry/api';
import { simulatedSpan } from '../shared/simulated-span.js';
import { randomMillis } from '../shared/sleep.js';

/** A call to a backend the demo does not run (Redis, a database): a CLIENT span of a latency drawn from [minMs, maxMs]. */
export async function mockCall(
  tracer: Tracer,
  name: string,
  attributes: Attributes,
  minMs: number,
  maxMs: number,
): Promise<number> {
  const latency = randomMillis(minMs, maxMs);
  await simulatedSpan(tracer, name, latency, {
    kind: SpanKind.CLIENT,
    attributes,
    finish: (span) => span.setStatus({ code: SpanStatusCode.OK }),
  });
  return latency;
}
