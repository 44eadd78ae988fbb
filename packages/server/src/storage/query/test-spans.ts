import { type Attributes, makeSpan, type Span, serviceResource } from '@ariadne/protocol';

/** A span for unit tests of the query functions (service `checkout` unless told); override what the test is about. */
export function testSpan(overrides: Partial<Span> & { service?: string; resourceAttributes?: Attributes } = {}): Span {
  const { service = 'checkout', resourceAttributes = [], ...rest } = overrides;
  const resource = serviceResource(service);
  return makeSpan({
    name: 'GET /cart',
    resource: { ...resource, attributes: [...resource.attributes, ...resourceAttributes] },
    ...rest,
  });
}
