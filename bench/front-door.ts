// Benchmark: the controller's front door under attack, against a victim agent measured in the
// same run. The controller runs in its own process (`microseg controller` from source, logging at
// info), the attacks from 127.0.0.1 and the victim from 127.0.0.2 (loopback routes all of 127/8).
// For each attack: the victim's status round trip (median) before and during it, its errors, and
// what the attack got (answers, connections left open, controller file descriptors, log bytes).
//   node --import tsx bench/front-door.ts [--seconds=5] [--idle=2000] [--polls=1000] [--tokens=3000]
import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:https";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TLSSocket, connect as tlsConnect } from "node:tls";

const root = join(import.meta.dirname, "..");
const arg = (name: string, def: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? def);
const SECONDS = arg("seconds", 5);
const IDLE = arg("idle", 2000);
const POLLS = arg("polls", 1000);
const TOKENS = arg("tokens", 3000);

interface Ctl {
  url: string;
  port: number;
  pid: number;
  ca: string;
  token: string;
  logBytes: () => number;
  close(): Promise<void>;
}

function startController(dir: string): Promise<Ctl> {
  const script = `import { main } from ${JSON.stringify(join(root, "packages/cli/src/main.ts"))};
process.exitCode = await main(process.argv.slice(1));`;
  const args = ["--conditions=source", "--import", "tsx", "--input-type=module", "-e", script];
  const ctl = ["--", "controller", "--data", dir, "--listen", "127.0.0.1:0", "--json"];
  const child = spawn(process.execPath, [...args, ...ctl, "--log-level", "info"], {
    stdio: ["ignore", "pipe", "pipe"],
    cwd: root,
  });
  let logBytes = 0;
  child.stderr.on("data", (d: Buffer) => {
    logBytes += d.length;
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("exit", (code) => reject(new Error(`controller exited ${code}`)));
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      if (!out.includes("\n")) return;
      const facts = JSON.parse(out.split("\n")[0] ?? "{}");
      resolve({
        url: facts.url,
        port: Number(new URL(facts.url).port),
        pid: child.pid ?? 0,
        ca: readFileSync(join(dir, "tls/ca.pem"), "utf8"),
        token: facts.adminToken,
        logBytes: () => logBytes,
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

type Reply = { status: number; body: string };

function client(ctl: Ctl, from: string, maxSockets = 64) {
  const agent = new Agent({ ca: ctl.ca, keepAlive: true, localAddress: from, maxSockets });
  return (method: string, path: string, token: string, body?: unknown, timeoutMs = 15_000) =>
    new Promise<Reply>((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        `${ctl.url}${path}`,
        {
          method,
          agent,
          timeout: timeoutMs,
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
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text }));
        },
      );
      req.on("timeout", () => req.destroy(new Error("timeout")));
      req.on("error", reject);
      req.end(payload);
    });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const fds = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Victim agents' status round trips while `during` runs, errors counted: 20 agents in turn, one
 * report every 50 ms in all, so each stays at 1 a second (its status quota).
 */
async function victimWhile(
  call: ReturnType<typeof client>,
  credentials: readonly string[],
  during: Promise<unknown>,
) {
  let running = true;
  void during.finally(() => {
    running = false;
  });
  const rtt: number[] = [];
  let errors = 0;
  for (let i = 0; running; i++) {
    const t0 = performance.now();
    const credential = credentials[i % credentials.length] ?? "";
    const r = await call("POST", "/api/v1/agent/status", credential, {}).catch(() => undefined);
    if (r?.status === 200) rtt.push(performance.now() - t0);
    else errors++;
    await sleep(Math.max(0, 50 - (performance.now() - t0)));
  }
  await during;
  return { ms: median(rtt), n: rtt.length, errors };
}

function tlsOpen(ctl: Ctl, from: string): Promise<TLSSocket | undefined> {
  return new Promise((resolve) => {
    const tcp = tcpConnect({ host: "127.0.0.1", port: ctl.port, localAddress: from });
    const s = tlsConnect({ socket: tcp, rejectUnauthorized: false });
    s.once("secureConnect", () => resolve(s));
    s.once("error", () => resolve(undefined));
    s.once("close", () => resolve(undefined));
  });
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), "mseg-door-"));
  const ctl = await startController(dir);
  const admin = client(ctl, "127.0.0.2");
  const attacker = client(ctl, "127.0.0.1");
  const report = (name: string, o: object) =>
    console.log(`${name.padEnd(26)} ${JSON.stringify(o)}`);
  try {
    const prof = JSON.parse(
      (await admin("POST", "/api/v1/enrol-profiles", ctl.token, { name: "b" })).body,
    );
    const enrol = async (hostname: string, address: string) =>
      JSON.parse(
        (
          await admin("POST", "/api/v1/enrol", "", {
            key: prof.key,
            hostname,
            interfaces: [{ name: "eth0", addresses: [address] }],
          })
        ).body,
      ).credential as string;
    const victims: string[] = [];
    for (let i = 0; i < 20; i++) victims.push(await enrol(`victim-${i}`, `198.18.1.${i + 10}`));
    const victim = victims[0] ?? "";
    const bad = await enrol("attacker", "198.18.0.11");
    const base = await victimWhile(admin, victims, sleep(SECONDS * 1000));
    report("baseline", { victimMs: base.ms, victimErrors: base.errors });

    // 1. Poisoned flow batches (count 1e300) from one agent while the victim sends good ones.
    const now = Date.now();
    const good = ["out", "tcp", "198.18.0.10", "198.18.0.20", 443, "allowed", 1, 1, 60, now, now];
    const poison = [...good.slice(0, 6), 1e300, 1, 60, now, now];
    let seq = 0;
    let victimFlowErrors = 0;
    let poisonAnswers: Record<number, number> = {};
    const logBefore = ctl.logBytes();
    const end = Date.now() + SECONDS * 1000;
    const attack = (async () => {
      const one = async () => {
        while (Date.now() < end) {
          const r = await attacker("POST", "/api/v1/agent/flows", bad, {
            seq: 1,
            records: [poison],
          });
          poisonAnswers = { ...poisonAnswers, [r.status]: (poisonAnswers[r.status] ?? 0) + 1 };
        }
      };
      const flows = (async () => {
        while (Date.now() < end) {
          const r = await admin("POST", "/api/v1/agent/flows", victim, {
            seq: ++seq,
            records: [good],
          });
          if (r.status !== 200) victimFlowErrors++;
          await sleep(10);
        }
      })();
      await Promise.all([one(), one(), one(), one(), flows]);
    })();
    const poisoned = await victimWhile(admin, victims, attack);
    report("poisoned flow batches", {
      victimMs: poisoned.ms,
      victimFlowBatches: seq,
      victimFlowErrors,
      attackAnswers: poisonAnswers,
      logBytes: ctl.logBytes() - logBefore,
    });

    // 2. Long-polls of one credential, each on a connection of its own (0: connection refused).
    const poller = client(ctl, "127.0.0.4", Number.POSITIVE_INFINITY);
    const polls = Array.from({ length: POLLS }, () =>
      poller("GET", "/api/v1/agent/policy?known=none&wait=30", bad, undefined, 40_000).catch(
        () => ({ status: 0, body: "" }),
      ),
    );
    const answered: Record<number, number> = {};
    for (const p of polls) {
      void p.then((r) => {
        answered[r.status] = (answered[r.status] ?? 0) + 1;
      });
    }
    // Until no answer came for 3 s (thousands of TLS handshakes take a while on a busy machine).
    const answeredSoFar = () => Object.values(answered).reduce((a, b) => a + b, 0);
    for (let last = -1, quiet = 0; quiet < 6; ) {
      await sleep(500);
      const now = answeredSoFar();
      quiet = now === last ? quiet + 1 : 0;
      last = now;
    }
    const settled = answeredSoFar();
    report("long-polls of one agent", { sent: POLLS, answered, stillHeld: POLLS - settled });

    // 3. Wrong tokens.
    const t0 = performance.now();
    const statuses: Record<number, number> = {};
    const wrong = (async () => {
      for (let i = 0; i < TOKENS; i += 50) {
        const batch = Array.from({ length: Math.min(50, TOKENS - i) }, () =>
          attacker("GET", "/api/v1/status", "mst_wrong").catch(() => ({ status: 0, body: "" })),
        );
        for (const r of await Promise.all(batch))
          statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      }
    })();
    const duringTokens = await victimWhile(admin, victims, wrong);
    report("wrong tokens", {
      sent: TOKENS,
      seconds: Math.round(performance.now() - t0) / 1000,
      answers: statuses,
      victimMs: duringTokens.ms,
      victimErrors: duringTokens.errors,
    });

    // 4. Idle TLS connections from one address.
    const fdBefore = fds(ctl.pid);
    const opened: TLSSocket[] = [];
    for (let i = 0; i < IDLE; i += 100) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(100, IDLE - i) }, () => tlsOpen(ctl, "127.0.0.1")),
      );
      for (const s of batch) if (s !== undefined) opened.push(s);
    }
    await sleep(500);
    const alive = opened.filter((s) => !s.destroyed).length;
    const fdDuring = fds(ctl.pid);
    const duringIdle = await victimWhile(admin, victims, sleep(2000));
    report("idle TLS connections", {
      opened: IDLE,
      keptOpen: alive,
      controllerFds: { before: fdBefore, during: fdDuring },
      victimMs: duringIdle.ms,
      victimErrors: duringIdle.errors,
    });
    for (const s of opened) s.destroy();

    // 5. An 8 MB enrolment body, declared and trickled.
    const s = await tlsOpen(ctl, "127.0.0.3");
    const e0 = performance.now();
    s?.write(
      "POST /api/v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "Content-Length: 8000000\r\n\r\n{",
    );
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      s?.on("data", (d: Buffer) => {
        text += d.toString();
        if (text.includes("\r\n")) resolve(text.split("\r\n")[0] ?? "");
      });
      setTimeout(() => resolve("no answer in 10 s"), 10_000).unref();
    });
    s?.destroy();
    report("8 MB enrolment body", { answer, ms: Math.round(performance.now() - e0) });
  } finally {
    await ctl.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
