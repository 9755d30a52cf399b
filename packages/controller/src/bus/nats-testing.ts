// A throwaway 3-node NATS JetStream cluster for tests: the machine's nats-server (Debian's
// package, or MICROSEG_NATS_SERVER) run three times on loopback with free ports, routes between
// them, each with its own jetstream store_dir in one temp directory. start waits until the
// cluster has a JetStream meta leader (each node's /jsz monitoring answer says so); stop() ends
// the servers and removes the directory. A node can be stopped and started again (same ports,
// same store) to test what a restart of one server does.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describeWithTool, freePort } from "@microseg/store/testing";

/** The nats-server binary, or undefined when it is not installed. */
export function natsServerBin(): string | undefined {
  const given = process.env.MICROSEG_NATS_SERVER;
  if (given !== undefined) return existsSync(given) ? given : undefined;
  const dirs = [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/usr/bin"];
  for (const d of dirs)
    if (d !== "" && existsSync(join(d, "nats-server"))) return join(d, "nats-server");
  return undefined;
}

export interface TestNatsCluster {
  /** nats://127.0.0.1:PORT of every node, in order. */
  readonly urls: readonly string[];
  /** Ends node i at once (SIGKILL: no clean shutdown). */
  kill(i: number): Promise<void>;
  /** Starts node i again on its ports and store; resolves when the cluster has a meta leader. */
  restart(i: number): Promise<void>;
  stop(): Promise<void>;
}

interface Node {
  readonly name: string;
  readonly client: number;
  readonly route: number;
  readonly monitor: number;
  readonly config: string;
  proc?: ChildProcess;
}

function configOf(n: Omit<Node, "config">, dir: string, routes: readonly number[]): string {
  const store = join(dir, n.name);
  mkdirSync(store, { recursive: true });
  return [
    `server_name: ${n.name}`,
    `listen: 127.0.0.1:${n.client}`,
    `http: 127.0.0.1:${n.monitor}`,
    `jetstream { store_dir: "${store}" }`,
    "cluster {",
    "  name: mseg-test",
    `  listen: 127.0.0.1:${n.route}`,
    `  routes: [${routes.map((p) => `nats-route://127.0.0.1:${p}`).join(", ")}]`,
    "}",
    "",
  ].join("\n");
}

/** Starts the cluster (throws when nats-server is missing: see describeWithNats). */
export async function startNatsCluster(size = 3): Promise<TestNatsCluster> {
  const bin = natsServerBin();
  if (bin === undefined)
    throw new Error("nats-server is not installed (apt-get install nats-server)");
  const dir = mkdtempSync(join(tmpdir(), "mseg-nats-"));
  const nodes: Node[] = [];
  const ports: { client: number; route: number; monitor: number }[] = [];
  for (let i = 0; i < size; i++) {
    ports.push({ client: await freePort(), route: await freePort(), monitor: await freePort() });
  }
  for (let i = 0; i < size; i++) {
    const p = ports[i] as (typeof ports)[number];
    const base = { name: `n${i + 1}`, ...p };
    const routes = ports.filter((_, j) => j !== i).map((q) => q.route);
    const config = join(dir, `n${i + 1}.conf`);
    writeFileSync(config, configOf(base, dir, routes));
    nodes.push({ ...base, config });
  }
  const launch = (n: Node) => {
    n.proc = spawn(bin, ["-c", n.config], { stdio: "ignore" });
  };
  const kill = async (n: Node) => {
    const proc = n.proc;
    if (proc === undefined || proc.exitCode !== null) return;
    const exited = new Promise((r) => proc.once("exit", r));
    proc.kill("SIGKILL");
    await exited;
    n.proc = undefined;
  };
  try {
    for (const n of nodes) launch(n);
    await metaLeader(nodes);
  } catch (err) {
    for (const n of nodes) await kill(n);
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
  let stopped = false;
  return {
    urls: nodes.map((n) => `nats://127.0.0.1:${n.client}`),
    kill: (i) => kill(nodes[i] as Node),
    async restart(i) {
      const n = nodes[i] as Node;
      await kill(n);
      launch(n);
      await metaLeader(nodes.filter((m) => m.proc !== undefined));
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const n of nodes) await kill(n);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when every running node names the same JetStream meta leader (30 s at most). */
async function metaLeader(nodes: readonly Node[]): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const leaders = await Promise.all(nodes.map((n) => leaderSeenBy(n.monitor)));
    const first = leaders[0];
    if (first !== undefined && leaders.every((l) => l === first)) return;
    if (Date.now() > deadline)
      throw new Error("the NATS test cluster elected no meta leader in 30 s");
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function leaderSeenBy(monitor: number): Promise<string | undefined> {
  try {
    const res = await fetch(`http://127.0.0.1:${monitor}/jsz`);
    const body = (await res.json()) as { meta_cluster?: { leader?: string } };
    const leader = body.meta_cluster?.leader;
    return leader === undefined || leader === "" ? undefined : leader;
  } catch {
    return undefined;
  }
}

/**
 * A suite that needs nats-server: skipped with the reason when it is missing, failed instead
 * when CI=true (a runner without it must not pass by skipping).
 */
export function describeWithNats(name: string, fn: () => void): void {
  describeWithTool(
    {
      tool: "nats-server",
      present: natsServerBin() !== undefined,
      reason:
        "nats-server is not installed (apt-get install nats-server, or set MICROSEG_NATS_SERVER)",
    },
    name,
    fn,
  );
}
