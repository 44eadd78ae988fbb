import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  assertClickHouseInstalled,
  CLICKHOUSE_SERVER_BINARY,
  clickHouseConfigXml,
  freePort,
  stopProcess,
  USERS_XML,
  waitUntilReady,
} from './clickhouse-test-server.js';

/**
 * A replicated ClickHouse for tests, all real processes on loopback: one
 * ZooKeeper (Debian's `zookeeper` package) and `shards × replicas`
 * `clickhouse-server` processes, each with its own free ports and temporary
 * folder, `{shard}`/`{replica}` macros and a `remote_servers` entry with
 * `internal_replication` (a Distributed insert writes one replica per shard;
 * ReplicatedMergeTree copies it to the others).
 *
 * Start order matters on 18.16 (PROBES.md): ZooKeeper first, then the nodes,
 * then each node is polled until it reads `system.zookeeper`, and only then
 * may DDL run (a node that has no session yet can crash on `ON CLUSTER`).
 *
 * Processes can be killed and restarted (same folders and ports) to stage
 * failures. `stop()` ends everything and removes the folders; a process exit
 * handler SIGKILLs whatever is still running if a test never reached `stop()`.
 */

export const ZOOKEEPER_JAR = process.env.ARIADNE_ZOOKEEPER_JAR ?? '/usr/share/java/zookeeper.jar';
const ZOOKEEPER_CLASSPATH = `${ZOOKEEPER_JAR}:/usr/share/java/slf4j-api.jar:/usr/share/java/slf4j-simple.jar`;

export interface ReplicaNode {
  readonly shard: number;
  readonly replica: number;
  /** HTTP interface, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  readonly tcpPort: number;
  readonly running: boolean;
  /** SIGKILL: no shutdown, whatever was in flight is cut. */
  kill(): Promise<void>;
  /** SIGTERM, waiting for the exit. */
  stop(): Promise<void>;
  /** Starts it again on its folder and ports; resolves once it reads ZooKeeper. */
  start(): Promise<void>;
}

export interface ZooKeeperProcess {
  readonly port: number;
  readonly running: boolean;
  kill(): Promise<void>;
  start(): Promise<void>;
}

export interface ReplicatedTestCluster {
  readonly name: string;
  readonly zookeeper: ZooKeeperProcess;
  /** Shard-major: shard 1 replica 1, shard 1 replica 2, shard 2 replica 1... */
  readonly nodes: readonly ReplicaNode[];
  node(shard: number, replica: number): ReplicaNode;
  /** Every ClickHouse node down (SIGKILL) / up again. */
  killAll(): Promise<void>;
  startAll(): Promise<void>;
  /** Runs SQL on one node and returns its text answer (trimmed); throws on an error status. */
  sql(node: ReplicaNode, text: string): Promise<string>;
  /** Rewrites `remote_servers` to list `count` replicas per shard and restarts every node (adding replicas). */
  listReplicas(count: number): Promise<void>;
  stop(): Promise<void>;
}

/** A clear failure (not a skip) when the machine lacks ZooKeeper: CI installs it. */
export function assertZooKeeperInstalled(): void {
  if (!existsSync(ZOOKEEPER_JAR)) {
    throw new Error(
      `ZooKeeper not found at ${ZOOKEEPER_JAR}: install it (apt-get install zookeeper) ` +
        'or point ARIADNE_ZOOKEEPER_JAR at zookeeper.jar; the replicated ClickHouse tests need a real ZooKeeper',
    );
  }
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    // Synchronous on purpose: the last chance to leave no process behind.
    const killLeftovers = () => {
      for (const leftover of running) leftover.kill('SIGKILL');
    };
    process.once('exit', killLeftovers);
    // A runner that stops the test process with a signal skips 'exit': kill them, then die of the signal.
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.once(signal, () => {
        killLeftovers();
        process.kill(process.pid, signal);
      });
    }
  }
}

export interface ReplicatedClusterOptions {
  name?: string;
  shards?: number;
  replicas?: number;
  /** How many replicas of each shard `remote_servers` lists (default all): 1 is an unreplicated cluster. */
  listedReplicas?: number;
}

/**
 * Starts the cluster; again on fresh ports when a port picked free was taken
 * before its node bound it (tests run in parallel, and the ports of every node
 * are written into every node's config before the first one starts).
 */
export async function startReplicatedCluster(options: ReplicatedClusterOptions = {}): Promise<ReplicatedTestCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startReplicatedClusterOnce(options);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(String(error))) throw error;
    }
  }
}

async function startReplicatedClusterOnce(options: ReplicatedClusterOptions): Promise<ReplicatedTestCluster> {
  assertClickHouseInstalled();
  assertZooKeeperInstalled();
  const name = options.name ?? 'ariadne_replicated';
  const shardCount = options.shards ?? 2;
  const replicaCount = options.replicas ?? 2;
  const root = await mkdtemp(join(tmpdir(), 'ariadne-replicated-'));
  const zookeeper = await zooKeeper(join(root, 'zookeeper'));
  const nodes: ReplicaNode[] = [];
  const plans: NodePlan[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map((node) => node.stop()));
    await zookeeper.kill();
    await rm(root, { recursive: true, force: true });
  };
  try {
    await zookeeper.start();
    for (let shard = 1; shard <= shardCount; shard++) {
      for (let replica = 1; replica <= replicaCount; replica++) {
        plans.push({
          shard,
          replica,
          folder: join(root, `s${shard}r${replica}`),
          httpPort: await freePort(),
          tcpPort: await freePort(),
          interserverPort: await freePort(),
        });
      }
    }
    const listed = options.listedReplicas ?? replicaCount;
    for (const plan of plans) await writeNodeConfig(plan, remoteServers(name, plans, listed), zookeeper.port);
    for (const plan of plans) nodes.push(await nodeProcess(plan));
    // Sequentially: several servers starting at once on two loaded cores may time out.
    for (const node of nodes) await node.start();
  } catch (error) {
    await stopAll();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  return {
    name,
    zookeeper,
    nodes,
    node: (shard, replica) => {
      const found = nodes.find((node) => node.shard === shard && node.replica === replica);
      if (found === undefined) throw new Error(`no node for shard ${shard} replica ${replica}`);
      return found;
    },
    killAll: async () => {
      await Promise.all(nodes.map((node) => node.kill()));
    },
    startAll: async () => {
      for (const node of nodes) if (!node.running) await node.start();
    },
    sql: (node, text) => nodeSql(node.url, text),
    listReplicas: async (count) => {
      for (const plan of plans) await writeNodeConfig(plan, remoteServers(name, plans, count), zookeeper.port);
      for (const node of nodes) {
        await node.stop();
        await node.start();
      }
    },
    stop: () => {
      stopped ??= stopAll();
      return stopped;
    },
  };
}

interface NodePlan {
  shard: number;
  replica: number;
  folder: string;
  httpPort: number;
  tcpPort: number;
  interserverPort: number;
}

/** `remote_servers` naming the first `listed` replicas of every shard. */
function remoteServers(name: string, plans: readonly NodePlan[], listed: number): string {
  const shards = [...new Set(plans.map((plan) => plan.shard))];
  return `<remote_servers><${name}>${shards
    .map(
      (shard) =>
        `<shard><internal_replication>true</internal_replication>${plans
          .filter((plan) => plan.shard === shard && plan.replica <= listed)
          .map((plan) => `<replica><host>127.0.0.1</host><port>${plan.tcpPort}</port></replica>`)
          .join('')}</shard>`,
    )
    .join('')}</${name}></remote_servers>`;
}

async function writeNodeConfig(plan: NodePlan, remoteServers: string, zookeeperPort: number): Promise<void> {
  const { folder, httpPort, tcpPort } = plan;
  await mkdir(join(folder, 'data', 'tmp'), { recursive: true });
  await mkdir(join(folder, 'data', 'user_files'), { recursive: true });
  await writeFile(join(folder, 'users.xml'), USERS_XML);
  const extra = `${remoteServers}
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <interserver_http_port>${plan.interserverPort}</interserver_http_port>
  <macros><shard>${String(plan.shard).padStart(2, '0')}</shard><replica>r${plan.replica}</replica></macros>
  <zookeeper><node><host>127.0.0.1</host><port>${zookeeperPort}</port></node><session_timeout_ms>10000</session_timeout_ms></zookeeper>
  <distributed_ddl><path>/clickhouse/task_queue/ddl</path></distributed_ddl>`;
  await writeFile(
    join(folder, 'config.xml'),
    clickHouseConfigXml({ folder, httpPort, tcpPort, compression: 'zstd', extra }),
  );
}

async function nodeProcess(plan: NodePlan): Promise<ReplicaNode> {
  const { folder, httpPort, tcpPort } = plan;
  const url = `http://127.0.0.1:${httpPort}`;
  const supervised = restartable(
    CLICKHOUSE_SERVER_BINARY,
    [`--config-file=${join(folder, 'config.xml')}`],
    folder,
    async (exited, stderr) => {
      await waitUntilReady(url, exited, folder, stderr);
      await waitFor(`${url} reading ZooKeeper`, async () => {
        await nodeSql(url, `SELECT count() FROM system.zookeeper WHERE path = '/'`);
        return true;
      });
    },
  );
  return {
    shard: plan.shard,
    replica: plan.replica,
    url,
    tcpPort,
    get running() {
      return supervised.running;
    },
    kill: supervised.kill,
    stop: supervised.stop,
    start: supervised.start,
  };
}

interface Restartable {
  readonly running: boolean;
  kill(): Promise<void>;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A child process that can be killed and started again; `ready` throws if it never gets ready. */
function restartable(
  command: string,
  args: string[],
  cwd: string,
  ready: (exited: Promise<number | null>, stderr: () => string, isRunning: () => boolean) => Promise<void>,
): Restartable {
  let child: ChildProcess | undefined;
  let exited: Promise<number | null> = Promise.resolve(null);
  const isRunning = () => child !== undefined && child.exitCode === null && child.signalCode === null;
  return {
    get running() {
      return isRunning();
    },
    async kill() {
      if (!isRunning()) return;
      child?.kill('SIGKILL');
      await exited;
    },
    async stop() {
      if (!isRunning() || child === undefined) return;
      await stopProcess(child, exited);
    },
    async start() {
      if (isRunning()) return;
      const started = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], cwd });
      track(started);
      child = started;
      let stderr = '';
      started.stderr?.on('data', (chunk: Buffer) => {
        if (stderr.length < 20_000) stderr += chunk.toString('utf8');
      });
      exited = new Promise((resolve) => started.once('exit', (code) => resolve(code)));
      try {
        await ready(exited, () => stderr, isRunning);
      } catch (error) {
        await stopProcess(started, exited);
        throw error;
      }
    },
  };
}

async function zooKeeper(folder: string): Promise<ZooKeeperProcess> {
  const port = await freePort();
  await mkdir(join(folder, 'data'), { recursive: true });
  const config = join(folder, 'zoo.cfg');
  await writeFile(
    config,
    [
      'tickTime=2000',
      `dataDir=${join(folder, 'data')}`,
      `clientPort=${port}`,
      'clientPortAddress=127.0.0.1',
      // Otherwise ZooKeeper binds an admin web server on :8080.
      'admin.enableServer=false',
      '4lw.commands.whitelist=ruok,srvr,mntr',
      '',
    ].join('\n'),
  );
  const supervised = restartable(
    'java',
    ['-Xmx256m', '-cp', ZOOKEEPER_CLASSPATH, 'org.apache.zookeeper.server.ZooKeeperServerMain', config],
    folder,
    // `ruok` answers `imok` before ZooKeeper serves; `srvr` prints `Mode:` once it does.
    (_exited, stderr, isRunning) =>
      waitFor(`ZooKeeper on port ${port}`, async () => {
        if (!isRunning()) throw new Error(`ZooKeeper exited while starting:\n${stderr().slice(-4000)}`);
        return (await fourLetterWord(port, 'srvr')).includes('Mode:');
      }),
  );
  return {
    port,
    get running() {
      return supervised.running;
    },
    kill: supervised.kill,
    start: supervised.start,
  };
}

function fourLetterWord(port: number, word: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.setTimeout(2_000, () => socket.destroy());
    socket.on('connect', () => socket.write(word));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('error', () => resolve(''));
    socket.on('close', () => resolve(answer));
  });
}

async function nodeSql(url: string, text: string): Promise<string> {
  const response = await fetch(`${url}/?wait_end_of_query=1`, {
    method: 'POST',
    body: text,
    signal: AbortSignal.timeout(120_000),
  });
  const answer = await response.text();
  if (!response.ok) throw new Error(`ClickHouse at ${url}: ${answer.trim().slice(0, 1000)}`);
  return answer.trim();
}

/**
 * Polls `check` until it returns true (errors count as "not yet"; an error
 * whose message starts with "ZooKeeper exited" ends the wait). Generous: the
 * machine is shared and slow.
 */
export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      if (error instanceof Error && error.message.startsWith('ZooKeeper exited')) throw error;
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`);
}
