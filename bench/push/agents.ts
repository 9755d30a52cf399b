// The agent channel as the push benchmarks drive it: a pinned-CA HTTPS client, a simulated agent
// (long-poll, "apply" at once, acknowledge) and `microseg controller` from source in a child
// process. Used by bench/push.ts (one controller) and bench/replicas.ts (replicas on PostgreSQL).
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { Agent, request } from "node:https";
import { join } from "node:path";

const root = join(import.meta.dirname, "../..");

export interface Channel {
  call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
  ): Promise<{ status: number; body: any }>;
}

export function channel(url: string, ca: string): Channel {
  const agent = new Agent({ ca, keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  return {
    call(method, path, token, body) {
      return new Promise((resolve, reject) => {
        const payload = body === undefined ? undefined : JSON.stringify(body);
        const req = request(
          `${url}${path}`,
          {
            method,
            agent,
            headers: {
              authorization: `Bearer ${token}`,
              ...(payload !== undefined && { "content-type": "application/json" }),
            },
          },
          (res) => {
            let text = "";
            res.setEncoding("utf8");
            res.on("data", (d) => {
              text += d;
            });
            res.on("end", () =>
              resolve({
                status: res.statusCode ?? 0,
                body: text === "" ? undefined : JSON.parse(text),
              }),
            );
          },
        );
        req.on("error", reject);
        req.end(payload);
      });
    },
  };
}

export const policy = (port: number) => `
rules:
  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/${port}] }
`;

export interface SimAgent {
  /** Index of the replica it talks to now. */
  at: number;
  onAck?: (t: number) => void;
  onMoved?: (t: number) => void;
}

/**
 * One simulated agent: long-poll on its replica `chs[me.at]`, "apply" at once, acknowledge
 * (`me.onAck` gets the time); on a connection error, on to the next replica not in `dead`, where
 * its first word is a heartbeat (`me.onMoved`), as the real agent's.
 */
export async function runAgent(
  chs: Channel[],
  dead: Set<number>,
  me: SimAgent,
  cred: string,
  stop: () => boolean,
) {
  let known = "none";
  let moved = false;
  while (!stop()) {
    try {
      const ch = chs[me.at] as Channel;
      if (moved) {
        // The first word with the new replica: a heartbeat (what the real agent sends first).
        await ch.call("POST", "/api/v1/agent/status", cred, {});
        me.onMoved?.(performance.now());
        moved = false;
      }
      const r = await ch.call("GET", `/api/v1/agent/policy?known=${known}&wait=60`, cred);
      if (r.status !== 200) continue;
      const hash = r.body.ruleSet?.hash ?? "none";
      const applied = { revision: r.body.revision, rulesetHash: hash, ok: true, ms: 0 };
      await ch.call("POST", "/api/v1/agent/status", cred, { applied });
      known = hash;
      me.onAck?.(performance.now());
    } catch {
      if (stop()) return;
      do me.at = (me.at + 1) % chs.length;
      while (dead.has(me.at));
      moved = true;
    }
  }
}

export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export interface Spawned {
  child: ChildProcess;
  url: string;
  caPem: string;
  adminToken?: string;
  close(): Promise<void>;
}

/**
 * `microseg controller` from source in a child process; resolves once it prints its facts.
 * `extra`: more controller flags; `cpuProf`: a directory for a V8 CPU profile at exit.
 */
export function spawnController(
  dir: string,
  extra: readonly string[] = [],
  cpuProf = "",
): Promise<Spawned> {
  const script = `import { main } from ${JSON.stringify(join(root, "packages/cli/src/main.ts"))};
process.exitCode = await main(process.argv.slice(1));`;
  // The "source" condition: the workspace packages' src, not whatever dist was built last.
  const args = [
    "--conditions=source",
    ...(cpuProf === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${cpuProf}`]),
    "--import",
    "tsx",
    "--input-type=module",
    "-e",
    script,
    "--",
  ];
  const ctlArgs = [
    "controller",
    "--data",
    dir,
    "--listen",
    "127.0.0.1:0",
    "--json",
    "--log-level",
    "silent",
    // Every simulated agent connects from 127.0.0.1: one address, thousands of connections.
    "--max-connections-per-client",
    "100000",
    ...extra,
  ];
  const child = spawn(process.execPath, [...args, ...ctlArgs], {
    stdio: ["ignore", "pipe", "inherit"],
    cwd: root,
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("exit", (code) => reject(new Error(`controller exited ${code}`)));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("\n")) return;
      const facts = JSON.parse(out.split("\n")[0] ?? "{}");
      resolve({
        ...facts,
        child,
        caPem: readFileSync(join(dir, "tls/ca.pem"), "utf8"),
        close: () =>
          new Promise<void>((done) => {
            child.removeAllListeners("exit");
            child.once("exit", () => done());
            child.kill("SIGTERM");
          }),
      });
    });
  });
}

/** Enrols `n` agents through `ch` (roles web and db alternately); answers their credentials. */
export async function enrolAgents(ch: Channel, token: string, n: number): Promise<string[]> {
  const prof = await ch.call("POST", "/api/v1/enrol-profiles", token, {
    name: "bench",
    labels: {},
  });
  const creds: string[] = [];
  for (let i = 0; i < n; i++) {
    const role = i % 2 === 0 ? "web" : "db";
    const addr = `198.18.${(i >> 8) & 255}.${i & 255}`;
    const body = {
      key: prof.body.key,
      hostname: `h-${i}`,
      interfaces: [{ name: "eth0", addresses: [addr] }],
    };
    const r = await ch.call("POST", "/api/v1/enrol", "", body);
    creds.push(r.body.credential);
    await ch.call("PATCH", `/api/v1/workloads/h-${i}`, token, { labels: { role } });
  }
  return creds;
}
