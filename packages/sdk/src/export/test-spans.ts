import type { Span } from '@ariadne/protocol';
import { SimpleSpanProcessor } from '../processing/simple-span-processor.js';
import { resourceFromAttributes } from '../resource/detect-resource.js';
import { AriadneTracerProvider } from '../trace/tracer-provider.js';
import { InMemorySpanExporter } from './in-memory-span-exporter.js';

/** A parent and a child from a real provider, for exporter tests. */
export async function someSpans(serviceName = 'exporter-test'): Promise<Span[]> {
  const memory = new InMemorySpanExporter();
  const provider = new AriadneTracerProvider({
    resource: resourceFromAttributes({ 'service.name': serviceName }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('t');
  tracer.startActiveSpan('parent', { attributes: { n: 1 } }, (parent) => {
    tracer.startSpan('child').end();
    parent.end();
  });
  await provider.shutdown();
  return [...memory.spans];
}
