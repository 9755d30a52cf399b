// Benchmark: time to push a revision through the controller to every agent, over the real
// agent channel (HTTPS, CA pinned, long-poll) — simulated agents in this process that "apply"
// instantly and acknowledge. Measured per agent from just before POST /policy/provision to its
// acknowledgement answered; compared with a no-op round trip over the same channel (a
// heartbeat, POST /agent/status) measured in the same run. The controller runs in its own
// process (`microseg controller` from source), so the agents' share of CPU is not its.
//   node --import tsx bench/push.ts [--agents=100,1000] [--rounds=5] [--cpu-prof=DIR]
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = join(import.meta.dirname, "..");

const arg = (name: string, def: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? def;
const SIZES = arg("agents", "100,1000").split(",").map(Number);
const ROUNDS = Number(arg("rounds", "5"));
/** --cpu-prof=DIR: the controller writes a V8 CPU profile there when it stops. */
const CPU_PROF = arg("cpu-prof", "");

interface Channel {
  call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    // biome-ignore lint/suspicious/noExplicitAny: answers are read field by field
  ): Promise<{ status: number; body: any }>;
}

function channel(url: string, ca: string): Channel {
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

const policy = (port: number) => `
rules:
  - { name: web-to-db, from: { role: web }, to: { role: db }, services: [tcp/${port}] }
`;

/** One simulated agent: long-poll, "apply", acknowledge; `onAck` gets the time of each ack. */
async function runAgent(
  ch: Channel,
  cred: string,
  onAck: (hash: string) => void,
  stop: () => boolean,
) {
  let known = "none";
  while (!stop()) {
    const r = await ch.call("GET", `/api/v1/agent/policy?known=${known}&wait=60`, cred);
    if (r.status !== 200) continue;
    const hash = r.body.ruleSet?.hash ?? "none";
    const applied = { revision: r.body.revision, rulesetHash: hash, ok: true, ms: 0 };
    await ch.call("POST", "/api/v1/agent/status", cred, { applied });
    known = hash;
    onAck(hash);
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface Spawned {
  url: string;
  caPem: string;
  adminToken?: string;
  close(): Promise<void>;
}

/** `microseg controller` from source in a child process; resolves once it prints its facts. */
function spawnController(dir: string): Promise<Spawned> {
  const script = `import { main } from ${JSON.stringify(join(root, "packages/cli/src/main.ts"))};
process.exitCode = await main(process.argv.slice(1));`;
  // The "source" condition: the workspace packages' src, not whatever dist was built last.
  const args = [
    "--conditions=source",
    ...(CPU_PROF === "" ? [] : ["--cpu-prof", `--cpu-prof-dir=${CPU_PROF}`]),
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

async function bench(n: number) {
  const dir = mkdtempSync(join(tmpdir(), "mseg-push-"));
  const ctl = await spawnController(dir);
  const ch = channel(ctl.url, ctl.caPem);
  const token = ctl.adminToken ?? "";
  try {
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
    // No-op round trip: a heartbeat, sequential, per agent.
    const rtt: number[] = [];
    for (let i = 0; i < Math.min(n, 200); i++) {
      const t0 = performance.now();
      await ch.call("POST", "/api/v1/agent/status", creds[i] ?? "", {});
      rtt.push(performance.now() - t0);
    }
    let done = false;
    let pending = new Map<number, (t: number) => void>();
    creds.forEach((c, i) => {
      runAgent(
        ch,
        c,
        () => pending.get(i)?.(performance.now()),
        () => done,
      ).catch(() => undefined);
    });
    const lat: number[] = [];
    for (let round = 0; round <= ROUNDS; round++) {
      const acks = creds.map((_, i) => new Promise<number>((res) => pending.set(i, res)));
      await ch.call("PUT", "/api/v1/policy/draft", token, { text: policy(5000 + round) });
      await new Promise((r) => setTimeout(r, 200)); // every poll held again
      const t0 = performance.now();
      await ch.call("POST", "/api/v1/policy/provision", token, {});
      const times = await Promise.all(acks);
      pending = new Map();
      if (round > 0) lat.push(...times.map((t) => t - t0)); // round 0 warms up
    }
    done = true;
    lat.sort((a, b) => a - b);
    rtt.sort((a, b) => a - b);
    return { n, p50: pct(lat, 50), p99: pct(lat, 99), rtt: pct(rtt, 50) };
  } finally {
    await ctl.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(
  `push: provision -> ack on every agent, ${ROUNDS} rounds, every agent's RuleSet changes`,
);
console.log("agents | p50 ms | p99 ms | no-op RTT p50 ms | p50/RTT | p99/RTT");
for (const n of SIZES) {
  const r = await bench(n);
  const f = (x: number) => x.toFixed(1);
  console.log(
    `${r.n} | ${f(r.p50)} | ${f(r.p99)} | ${f(r.rtt)} | ${f(r.p50 / r.rtt)} | ${f(r.p99 / r.rtt)}`,
  );
}
process.exit(0);
