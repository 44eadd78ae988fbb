import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openClickHouseStore } from '../../storage/clickhouse/clickhouse-store.js';
import {
  type ClickHouseTestServer,
  startClickHouseServer,
} from '../../storage/clickhouse/testing/clickhouse-test-server.js';
import { openEmbeddedStore } from '../../storage/embedded/embedded-store.js';
import { openMemoryStore } from '../../storage/memory/memory-store.js';
import type { SpanStore } from '../../storage/span-store.js';

/**
 * One kind of store a query API's contract tests run on. `open` gives a
 * fresh, empty store each call (a test may need several: main, archive,
 * empty); `dispose` closes them all and removes what they left behind.
 */
export interface StoreUnderTest {
  /** `memory store`, `embedded store` or `ClickHouse store`, for test names. */
  readonly name: string;
  open(): Promise<SpanStore>;
  /** Closes every store `open` gave, removes their folders, stops the server. Harmless twice or after a failed `open`. */
  dispose(): Promise<void>;
}

export interface StoresUnderTestOptions {
  /**
   * Names this test file's temporary folders and ClickHouse databases
   * (letters, digits and `_`), so files never share data.
   */
  readonly id: string;
  /**
   * Embedded store: spans in the head before it is cut into a block file.
   * Small by default, so that queries read block files and not only memory.
   */
  readonly maxHeadSpans?: number;
}

/**
 * The stores every query API answers from: memory, embedded (in a temporary
 * folder, with a small head so data reaches block files) and ClickHouse (a
 * real `clickhouse-server` of its own, started on the first `open` and
 * stopped by `dispose`, so a file that runs its ClickHouse cases last pays the
 * start-up once). Run each kind in its own `describe`, `open` in `before` and
 * `dispose` in `after`: `after` runs even when `before` failed.
 */
export function storesUnderTest(options: StoresUnderTestOptions): StoreUnderTest[] {
  if (!/^[a-z0-9_]+$/i.test(options.id)) throw new RangeError(`store test id "${options.id}": use letters, digits, _`);
  return [memoryStores(), embeddedStores(options), clickHouseStores(options)];
}

function memoryStores(): StoreUnderTest {
  const opened: SpanStore[] = [];
  return {
    name: 'memory store',
    open: async () => {
      const store = openMemoryStore();
      opened.push(store);
      return store;
    },
    dispose: async () => {
      await Promise.all(opened.splice(0).map((store) => store.close()));
    },
  };
}

function embeddedStores(options: StoresUnderTestOptions): StoreUnderTest {
  const opened: SpanStore[] = [];
  const folders: string[] = [];
  return {
    name: 'embedded store',
    open: async () => {
      const dataDir = await mkdtemp(join(tmpdir(), `ariadne-${options.id}-`));
      folders.push(dataDir);
      const store = await openEmbeddedStore({ dataDir, maxHeadSpans: options.maxHeadSpans ?? 2 });
      opened.push(store);
      return store;
    },
    dispose: async () => {
      try {
        await Promise.all(opened.splice(0).map((store) => store.close()));
      } finally {
        await Promise.all(folders.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
      }
    },
  };
}

function clickHouseStores(options: StoresUnderTestOptions): StoreUnderTest {
  const opened: SpanStore[] = [];
  let server: Promise<ClickHouseTestServer> | undefined;
  let databases = 0;
  return {
    name: 'ClickHouse store',
    open: async () => {
      server ??= startClickHouseServer();
      const { url } = await server;
      databases++;
      const database = `ariadne_${options.id}${databases === 1 ? '' : `_${databases}`}`;
      const store = await openClickHouseStore({ url, database });
      opened.push(store);
      return store;
    },
    dispose: async () => {
      const starting = server;
      server = undefined;
      try {
        await Promise.all(opened.splice(0).map((store) => store.close()));
      } finally {
        // A server that failed to start has already stopped itself.
        const started = await starting?.catch(() => undefined);
        await started?.stop();
      }
    },
  };
}
