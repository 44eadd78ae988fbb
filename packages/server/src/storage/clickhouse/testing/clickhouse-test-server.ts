import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Starts real `clickhouse-server` processes for tests: each in its own
 * temporary folder, with its own config file (so no system config, port or
 * data folder is shared), on free loopback ports. Several can form one
 * cluster of single-replica shards through `remote_servers`.
 */

export const CLICKHOUSE_SERVER_BINARY = process.env.ARIADNE_CLICKHOUSE_SERVER ?? '/usr/sbin/clickhouse-server';

export interface ClickHouseTestServer {
  /** HTTP interface, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly httpPort: number;
  readonly tcpPort: number;
  readonly folder: string;
  /** The server's process id (benchmarks read its CPU time from /proc). */
  readonly pid: number | undefined;
  /** Stops the process and removes its folder. Harmless twice. */
  stop(): Promise<void>;
}

export interface ClickHouseTestCluster {
  readonly name: string;
  /** One server per shard, in shard order. */
  readonly shards: readonly ClickHouseTestServer[];
  stop(): Promise<void>;
}

/** A clear failure (not a skip) when the machine lacks ClickHouse: CI installs it. */
export function assertClickHouseInstalled(): void {
  if (!existsSync(CLICKHOUSE_SERVER_BINARY)) {
    throw new Error(
      `clickhouse-server not found at ${CLICKHOUSE_SERVER_BINARY}: install it (apt-get install clickhouse-server) ` +
        'or point ARIADNE_CLICKHOUSE_SERVER at the binary; the ClickHouse store tests need a real server',
    );
  }
}

/**
 * How the servers compress table data. zstd, as the store's README recommends
 * (18.16 has no per-column codecs: the server's `<compression>` decides); lz4
 * is ClickHouse's default, for comparison.
 */
export type ClickHouseCompression = 'zstd' | 'lz4';

/** One single-node server. */
export async function startClickHouseServer(
  options: { compression?: ClickHouseCompression } = {},
): Promise<ClickHouseTestServer> {
  const cluster = await startClickHouseCluster({ name: 'ariadne_single', shards: 1, ...options });
  return cluster.shards[0]!;
}

/** `shards` servers that all know each other as the shards of cluster `name`. */
export async function startClickHouseCluster(options: {
  name: string;
  shards: number;
  compression?: ClickHouseCompression;
}): Promise<ClickHouseTestCluster> {
  assertClickHouseInstalled();
  const plans: { folder: string; httpPort: number; tcpPort: number }[] = [];
  for (let i = 0; i < options.shards; i++) {
    plans.push({
      folder: await mkdtemp(join(tmpdir(), 'ariadne-clickhouse-')),
      httpPort: await freePort(),
      tcpPort: await freePort(),
    });
  }
  const remoteServers = `<remote_servers><${options.name}>${plans
    .map((plan) => `<shard><replica><host>127.0.0.1</host><port>${plan.tcpPort}</port></replica></shard>`)
    .join('')}</${options.name}></remote_servers>`;
  const started: ClickHouseTestServer[] = [];
  try {
    // Sequentially: two servers starting at once on two loaded cores may time out.
    for (const plan of plans) started.push(await startOne(plan, remoteServers, options.compression ?? 'zstd'));
  } catch (error) {
    await Promise.all(started.map((server) => server.stop()));
    await Promise.all(plans.map((plan) => rm(plan.folder, { recursive: true, force: true })));
    throw error;
  }
  return {
    name: options.name,
    shards: started,
    stop: async () => {
      await Promise.all(started.map((server) => server.stop()));
    },
  };
}

/**
 * A whole config.xml for a test server in `folder` (data in `folder/data`,
 * users.xml beside it): no system file is read. `extra` is XML placed inside
 * the root element (remote_servers, macros, zookeeper...).
 */
export function clickHouseConfigXml(options: {
  folder: string;
  httpPort: number;
  tcpPort: number;
  compression: ClickHouseCompression;
  extra: string;
}): string {
  const { folder, httpPort, tcpPort, compression, extra } = options;
  const data = join(folder, 'data');
  return `<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>${folder}/log</log><errorlog>${folder}/err</errorlog><size>10M</size><count>1</count></logger>
  <http_port>${httpPort}</http_port>
  <tcp_port>${tcpPort}</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <max_concurrent_queries>100</max_concurrent_queries>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <mark_cache_size>67108864</mark_cache_size>
  <path>${data}/</path>
  <tmp_path>${data}/tmp/</tmp_path>
  <user_files_path>${data}/user_files/</user_files_path>
  <format_schema_path>${data}/format_schemas/</format_schema_path>
  <users_config>${folder}/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>UTC</timezone>
  <mlock_executable>false</mlock_executable>
  <compression><case><method>${compression}</method></case></compression>
  ${extra}
</yandex>
`;
}

async function startOne(
  plan: { folder: string; httpPort: number; tcpPort: number },
  remoteServers: string,
  compression: ClickHouseCompression,
): Promise<ClickHouseTestServer> {
  const { folder, httpPort, tcpPort } = plan;
  const data = join(folder, 'data');
  await mkdir(join(data, 'tmp'), { recursive: true });
  await mkdir(join(data, 'user_files'), { recursive: true });
  await writeFile(join(folder, 'users.xml'), USERS_XML);
  await writeFile(
    join(folder, 'config.xml'),
    clickHouseConfigXml({ folder, httpPort, tcpPort, compression, extra: remoteServers }),
  );
  const child = spawn(CLICKHOUSE_SERVER_BINARY, [`--config-file=${join(folder, 'config.xml')}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 20_000) stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${httpPort}`;
  const stop = once(async () => {
    await stopProcess(child, exited);
    await rm(folder, { recursive: true, force: true });
  });
  try {
    await waitUntilReady(url, exited, folder, () => stderr);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, httpPort, tcpPort, folder, pid: child.pid, stop };
}

export async function waitUntilReady(
  url: string,
  exited: Promise<number | null>,
  folder: string,
  stderr: () => string,
): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) {
      const log = await readFile(join(folder, 'err'), 'utf8').catch(() => '');
      throw new Error(`clickhouse-server exited with ${exitCode} while starting:\n${stderr()}\n${log.slice(-4000)}`);
    }
    try {
      const response = await fetch(`${url}/ping`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`clickhouse-server at ${url} did not answer /ping within 90 s`);
}

export async function stopProcess(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  await exited;
  clearTimeout(timer);
}

export function once(action: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => {
    running ??= action();
    return running;
  };
}

/** A port the kernel just handed out; ClickHouse binds it a moment later. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles><default><max_memory_usage>2000000000</max_memory_usage><load_balancing>random</load_balancing></default></profiles>
  <users><default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
`;
