import type { ApiClient } from './api-client.js';
import { ApiError } from './api-error.js';

export interface DependencyLink {
  readonly parent: string;
  readonly child: string;
  readonly callCount: number;
  /** Ariadne's extension to Jaeger's shape; 0 when the server does not send it. */
  readonly errorCount: number;
}

/** `GET /api/dependencies?endTs=&lookback=` (milliseconds, as Jaeger takes them). */
export async function getDependencies(
  client: ApiClient,
  endMillis: number,
  lookbackMillis: number,
  signal?: AbortSignal,
): Promise<DependencyLink[]> {
  const data = await client.getData(
    `/api/dependencies?endTs=${Math.floor(endMillis)}&lookback=${Math.floor(lookbackMillis)}`,
    signal,
  );
  if (!Array.isArray(data)) throw new ApiError('InvalidResponse', 'dependencies: data is not a list');
  return data.map((item, i) => {
    const link = item as Record<string, unknown>;
    if (typeof link?.parent !== 'string' || typeof link.child !== 'string') {
      throw new ApiError('InvalidResponse', `dependencies: data[${i}] has no parent or child`);
    }
    return {
      parent: link.parent,
      child: link.child,
      callCount: Number(link.callCount ?? 0),
      errorCount: Number(link.errorCount ?? 0),
    };
  });
}
