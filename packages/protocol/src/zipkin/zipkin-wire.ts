/**
 * A Zipkin v2 span as read from any of Zipkin's encodings, normalised:
 * ids are lowercase hex of fixed width (trace 32, span 16; `parentId` empty
 * for a root), times are microseconds with 0 meaning absent, empty strings
 * mean absent. Internal to the decoders: nothing outside `zipkin/` sees it.
 */
export type ZipkinKind = 'CLIENT' | 'SERVER' | 'PRODUCER' | 'CONSUMER';

export interface ZipkinEndpoint {
  serviceName: string;
  ipv4: string;
  ipv6: string;
  /** 0 when absent. */
  port: number;
}

export interface ZipkinAnnotation {
  readonly timestamp: bigint;
  readonly value: string;
}

export interface ZipkinSpan {
  traceId: string;
  parentId: string;
  id: string;
  kind: ZipkinKind | undefined;
  name: string;
  timestamp: bigint;
  duration: bigint;
  localEndpoint: ZipkinEndpoint | undefined;
  remoteEndpoint: ZipkinEndpoint | undefined;
  annotations: ZipkinAnnotation[];
  /** Insertion-ordered; a repeated key keeps its first position and its last value. */
  tags: Map<string, string>;
  debug: boolean;
  shared: boolean;
}

export function kindOf(text: string): ZipkinKind | undefined {
  return text === 'CLIENT' || text === 'SERVER' || text === 'PRODUCER' || text === 'CONSUMER' ? text : undefined;
}
