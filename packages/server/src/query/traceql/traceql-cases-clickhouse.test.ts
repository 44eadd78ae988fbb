import { openClickHouseStore } from '../../storage/clickhouse/clickhouse-store.js';
import { startClickHouseServer } from '../../storage/clickhouse/testing/clickhouse-test-server.js';
import { runTraceQLStoreCases } from './traceql-case-runner.js';

// The same cases on a real ClickHouse server (its own process, folder and ports).
runTraceQLStoreCases('ClickHouse store', async () => {
  const server = await startClickHouseServer();
  try {
    const store = await openClickHouseStore({ url: server.url, database: 'ariadne_traceql_cases' });
    return { store, cleanUp: () => server.stop() };
  } catch (error) {
    await server.stop();
    throw error;
  }
});
