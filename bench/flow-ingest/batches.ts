// What the flow-ingest benchmarks send and to what: deterministic agent batches (a busy service,
// a worst case, optionally with scan-like records mixed in) and a controller on SQLite holding
// an estate of workloads and an active policy. Shared by bench/flow-ingest.ts and
// bench/ingest-detect.ts so both measure the same batches.

import { seededRandom as random } from "@microseg/core";
import { buildController } from "../../packages/controller/src/build.js";
import type { ControllerContext } from "../../packages/controller/src/context.js";
import { ingestFlows } from "../../packages/controller/src/flows/ingest.js";
import { ensureAdminToken } from "../../packages/controller/src/use-cases/tokens.js";
import type { AgentRecord, Store } from "../../packages/store/src/index.js";
import { openPostgresStore } from "../../packages/store/src/postgres/index.js";
import { openSqliteStore, type SqliteSync } from "../../packages/store/src/sqlite/index.js";
import { startPostgres, type TestPostgres } from "../../packages/store/src/testing/postgres.js";

export const HOUR = 3_600_000;

/** Every batch comes from an agent of w-0 (agent `k` of several sending at once). */
export const agentNo = (k: number) => ({ id: `bench-agent-${k}`, workload: "w-0" }) as AgentRecord;

/** Workload i's address. */
export const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

export const PORTS: [string, number][] = [
  ["tcp", 443],
  ["tcp", 5432],
  ["tcp", 6379],
  ["tcp", 80],
  ["udp", 53],
  ["tcp", 22],
];

/** Ports a horizontal sweep from w-0 tries (smb, rdp, ssh). */
const SWEEP_PORTS = [445, 3389, 22];

/**
 * Scan-like records mixed into a batch: a `share` of its records (drawn from their own sequence,
 * `seed`, so the rest of the batch stays the same) is replaced by attack traffic of the last
 * minute — half a vertical scan of w-0 from one outside address (blocked, random tcp ports), half
 * a horizontal sweep from w-0 over random workloads on smb, rdp or ssh (blocked).
 */
export interface ScanMix {
  readonly share: number;
  readonly seed: number;
}

export interface BatchShape {
  readonly seq: number;
  /** The batch's clock: records end within the three hours before it. */
  readonly now: number;
  /**
   * 0: every record picks any workload or outside address, port, verdict and hour at random
   * (nearly every record is its own edge: the worst case for the store). Otherwise the workload
   * talks to that many (peer, port) services, each with its usual verdict, and records repeat them
   * over three hours (a busy service).
   */
  readonly peers: number;
  readonly size: number;
  /** How many workloads the estate has (w-0 .. w-(n-1), see address()). */
  readonly workloads: number;
  readonly scan?: ScanMix;
  /**
   * Records carry the 12th element, what the network answered (drawn per record from their own
   * sequence, so the rest of the batch stays the same): allowed and would-block 94% established,
   * 4% refused, 2% unanswered; blocked always unanswered. Without: 11 elements, as agents from
   * before outcomes send.
   */
  readonly outcomes?: boolean;
}

/** One batch as the agent of w-0 would send it, as JSON text. */
export function batchText(shape: BatchShape): string {
  const { seq, now, peers, size, workloads, scan } = shape;
  const r = random(seq);
  const answered = shape.outcomes === true ? outcomes(seq) : undefined;
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)] as T;
  const remoteAt = () =>
    r() < 0.2
      ? `203.0.${Math.floor(r() * 8)}.${Math.floor(r() * 250)}`
      : address(1 + Math.floor(r() * (workloads - 1)));
  const verdictAt = () => {
    const v = r();
    return v < 0.9 ? "allowed" : v < 0.97 ? "blocked" : "would-block";
  };
  const services = Array.from({ length: peers }, () => ({
    side: r() < 0.5 ? "out" : "in",
    remote: remoteAt(),
    port: pick(PORTS),
    verdict: verdictAt(),
  }));
  const attack = scan === undefined ? undefined : scanRecords(scan, now, workloads);
  const records: unknown[] = [];
  for (let i = 0; i < size; i++) {
    const s =
      peers === 0
        ? {
            side: r() < 0.5 ? "out" : "in",
            remote: remoteAt(),
            port: pick(PORTS),
            verdict: verdictAt(),
          }
        : pick(services);
    const [proto, port] = s.port;
    const last = now - Math.floor(r() * 3 * HOUR);
    const count = 1 + Math.floor(r() * 20);
    const record = [
      s.side,
      proto,
      address(0),
      s.remote,
      port,
      s.verdict,
      count,
      count * 12,
      count * 4000,
      last - 30_000,
      last,
    ];
    if (answered !== undefined) record.push(answered(s.verdict));
    records.push(attack?.() ?? record);
  }
  return JSON.stringify({ seq, records });
}

/** Per record: its outcome (BatchShape.outcomes), from a sequence of its own. */
function outcomes(seq: number): (verdict: string) => string {
  const o = random(seq * 7919 + 3);
  return (verdict) => {
    if (verdict === "blocked") return "unanswered";
    const x = o();
    return x < 0.94 ? "established" : x < 0.98 ? "refused" : "unanswered";
  };
}

/** Per record: a scan-like record in place of it (ScanMix), or undefined to keep it. */
function scanRecords(mix: ScanMix, now: number, workloads: number): () => unknown[] | undefined {
  const s = random(mix.seed * 7919 + 17);
  const scanner = `198.51.100.${mix.seed % 250}`;
  return () => {
    if (s() >= mix.share) return undefined;
    const last = now - Math.floor(s() * 60_000);
    if (s() < 0.5) {
      const port = 1 + Math.floor(s() * 65_535);
      return ["in", "tcp", address(0), scanner, port, "blocked", 1, 1, 60, last, last];
    }
    const target = address(1 + Math.floor(s() * (workloads - 1)));
    const port = SWEEP_PORTS[Math.floor(s() * SWEEP_PORTS.length)] as number;
    return ["out", "tcp", address(0), target, port, "blocked", 1, 1, 60, last, last];
  };
}

const POLICY = `
rules:
  - name: app-internal
    from: { tier: web }
    to: { tier: data }
    services: [tcp/5432, tcp/6379]
  - name: any-dns
    from: any
    to: any
    services: [udp/53]
  - name: no-ssh
    action: deny
    from: any
    to: any
    services: [tcp/22]
`;

/** `--sync=full|normal`: the store's SQLite `synchronous` (default full, as the controller's). */
export function syncArg(): SqliteSync {
  const text = process.argv.find((a) => a.startsWith("--sync="))?.split("=")[1] ?? "full";
  if (text !== "full" && text !== "normal") throw new Error(`--sync=${text}: use full or normal`);
  return text;
}

/** `--store=sqlite|postgres`: where the ingest writes (default SQLite, the embedded default). */
export function storeArg(): "sqlite" | "postgres" {
  const text = process.argv.find((a) => a.startsWith("--store="))?.split("=")[1] ?? "sqlite";
  if (text !== "sqlite" && text !== "postgres") {
    throw new Error(`--store=${text}: use sqlite or postgres`);
  }
  return text;
}

let server: Promise<TestPostgres> | undefined;
let databases = 0;

/**
 * SQLite in `dir`, or a fresh database on a throwaway PostgreSQL server (started once, durable:
 * fsync and synchronous commit on, as SQLite's synchronous FULL; stopped at exit).
 */
async function openBenchStore(dir: string): Promise<Store> {
  if (storeArg() === "sqlite") return openSqliteStore({ dir, synchronous: syncArg() });
  if (server === undefined) {
    server = startPostgres({ durable: true });
    const started = await server;
    process.once("exit", () => void started.stop());
  }
  const url = await (await server).createDatabase(`bench${++databases}`);
  return openPostgresStore({ url });
}

/**
 * A controller on a SQLite store in `dir` (or PostgreSQL with --store=postgres) (as main.ts builds it, default detection) whose estate
 * is `workloads` workloads (labels app/tier, a tenth in test mode, a fifth unmanaged) under an
 * active policy.
 */
export async function controllerWithEstate(dir: string, workloads: number) {
  const store = await openBenchStore(dir);
  const token = (await ensureAdminToken({ store })) ?? "";
  for (let i = 0; i < workloads; i++) {
    const labels = { app: `app-${i % 60}`, tier: i % 3 === 0 ? "web" : "data" };
    const mode = i % 10 === 0 ? "test" : "enforce";
    await store.workloads.upsert(
      { name: `w-${i}`, labels, addresses: [address(i)], mode, managed: i % 5 !== 4 },
      "bench",
    );
  }
  const built = await buildController({ store, log: "silent" });
  const call = (method: string, path: string, body: string, type: string) =>
    built.app.request(path, {
      method,
      body,
      headers: { authorization: `Bearer ${token}`, "content-type": type },
    });
  await call("PUT", "/api/v1/policy/draft", POLICY, "application/yaml");
  await call("POST", "/api/v1/policy/provision", "{}", "application/json");
  return { store, built };
}

export const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
export const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/**
 * Ingests the batches through the controller's flow ingest, `agents` at a time from as many
 * agents (as concurrent requests would arrive); answers the records counted, edges written and
 * batches taken as duplicates (a sequence number not above the agent's last: nothing written).
 */
export async function ingestGroups(
  ctx: ControllerContext,
  texts: readonly string[],
  agents: number,
): Promise<{ counted: number; edges: number; duplicates: number }> {
  let counted = 0;
  let edges = 0;
  let duplicates = 0;
  for (let g = 0; g < texts.length; g += agents) {
    const group = texts.slice(g, g + agents);
    const outs = await Promise.all(
      group.map((t, k) => ingestFlows(ctx, agentNo(k), JSON.parse(t))),
    );
    for (const out of outs) {
      counted += out.counted;
      edges += out.edges;
      if (out.ack.duplicate) duplicates++;
    }
  }
  return { counted, edges, duplicates };
}

/** The batch under a new sequence number (each round sends the same batches again). */
export const withSeq = (text: string, seq: number) => text.replace(/^\{"seq":\d+/, `{"seq":${seq}`);
