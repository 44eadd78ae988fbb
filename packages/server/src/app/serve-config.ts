import type { StoreKind } from '../storage/open-store.js';

/** Everything `ariadne serve` can be told. Ports of 0 pick free ports. */
export interface ServeConfig {
  /** Interface every listener binds to; 127.0.0.1 keeps Ariadne private to the machine. */
  readonly host: string;
  readonly storage: StoreKind;
  readonly dataDir: string;
  /** Memory store only: how many traces it keeps before evicting the oldest. */
  readonly maxTraces: number;
  readonly ports: {
    /** Query APIs and the web UI (Jaeger's 16686). */
    readonly query: number;
    /** OTLP/HTTP receiver (4318). */
    readonly otlpHttp: number;
  };
  /** Largest request body a receiver accepts, after decompression. */
  readonly maxBodyBytes: number;
  /** Spans accepted but not yet stored before receivers answer "retry later". */
  readonly maxInFlightSpans: number;
  /** Built UI folder; defaults to @ariadne/ui's dist. */
  readonly uiDir?: string;
}

export const DEFAULT_SERVE_CONFIG: ServeConfig = {
  host: '127.0.0.1',
  storage: 'embedded',
  dataDir: './data',
  maxTraces: 100_000,
  ports: { query: 16686, otlpHttp: 4318 },
  maxBodyBytes: 20 * 1024 * 1024,
  maxInFlightSpans: 200_000,
};
