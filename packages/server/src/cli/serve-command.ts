import { parseArgs } from 'node:util';
import { AriadneError } from '@ariadne/protocol';
import { DEFAULT_SERVE_CONFIG, type ServeConfig } from '../app/serve-config.js';
import { startServer } from '../app/start-server.js';
import { STORE_KINDS, type StoreKind } from '../storage/open-store.js';

export const SERVE_HELP = `Usage: ariadne serve [options]

Runs the all-in-one server: receivers, storage, query APIs and the web UI.

Options:
  --storage <kind>          embedded (default, persistent) or memory
  --data-dir <path>         where the embedded store keeps its files (default ./data)
  --max-traces <n>          memory store: traces kept before the oldest are evicted (default 100000)
  --host <address>          interface to listen on (default 127.0.0.1; 0.0.0.0 exposes Ariadne)
  --query-port <port>       web UI and query APIs (default 16686)
  --otlp-http-port <port>   OTLP/HTTP receiver (default 4318)
  --max-body-bytes <n>      largest request body, after decompression (default 20971520)
  -h, --help                show this help

A port of 0 picks a free port; the chosen ports are printed once the server is ready.
`;

export function parseServeArgs(args: readonly string[]): ServeConfig | 'help' {
  const { values, positionals } = parseArgs({
    args: [...args],
    strict: true,
    allowPositionals: true,
    options: {
      storage: { type: 'string' },
      'data-dir': { type: 'string' },
      'max-traces': { type: 'string' },
      host: { type: 'string' },
      'query-port': { type: 'string' },
      'otlp-http-port': { type: 'string' },
      'max-body-bytes': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw usageError(`unexpected argument "${positionals[0]}"`);
  const defaults = DEFAULT_SERVE_CONFIG;
  const storage = values.storage ?? defaults.storage;
  if (!STORE_KINDS.includes(storage as StoreKind)) {
    throw usageError(`--storage must be one of ${STORE_KINDS.join(', ')}, not "${storage}"`);
  }
  return {
    ...defaults,
    storage: storage as StoreKind,
    dataDir: values['data-dir'] ?? defaults.dataDir,
    maxTraces: positiveInteger('max-traces', values['max-traces'], defaults.maxTraces),
    host: values.host ?? defaults.host,
    ports: {
      query: port('query-port', values['query-port'], defaults.ports.query),
      otlpHttp: port('otlp-http-port', values['otlp-http-port'], defaults.ports.otlpHttp),
    },
    maxBodyBytes: positiveInteger('max-body-bytes', values['max-body-bytes'], defaults.maxBodyBytes),
  };
}

function port(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0 || value > 65535) throw usageError(`--${flag} must be a port 0-65535`);
  return value;
}

function positiveInteger(flag: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw usageError(`--${flag} must be a positive integer`);
  return value;
}

function usageError(message: string): AriadneError {
  return new AriadneError('InvalidQuery', `ariadne serve: ${message} (see ariadne serve --help)`);
}

/** Runs until SIGINT or SIGTERM, then closes cleanly (requests finish, the store flushes). */
export async function runServe(args: readonly string[]): Promise<number> {
  const config = parseServeArgs(args);
  if (config === 'help') {
    process.stdout.write(SERVE_HELP);
    return 0;
  }
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const server = await startServer(config, log);
  const { query, otlpHttp } = server.listeners;
  process.stdout.write(
    [
      `Ariadne is ready (pid ${process.pid}, storage: ${config.storage}${config.storage === 'embedded' ? ` in ${config.dataDir}` : ''})`,
      `  web UI and query API  ${query.url}`,
      `  OTLP/HTTP receiver    ${otlpHttp.url}/v1/traces`,
      '',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      log(`${signal}: closing`);
      resolve();
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  await server.close();
  return 0;
}
