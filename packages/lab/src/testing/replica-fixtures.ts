// Helpers for the replica fault tests (replicas.privileged.test.ts): which replica the agents
// talk to, each replica's API, connections made from a lab host and the store's count of them.
import { readFileSync } from "node:fs";
import { askHost } from "../ask-host.js";
import { agentLogPath } from "../lab-agents.js";
import { type LabApiTarget, labApi } from "../lab-api.js";
import { controlPath, readState, replicasOf } from "../state.js";
import { isAlive } from "../sys/procs.js";

export function replicaApi(dir: string, i: number): LabApiTarget {
  const state = readState(dir);
  const c = state?.controller;
  const r = state === undefined ? undefined : replicasOf(state)[i];
  if (c === undefined || r === undefined) throw new Error(`the lab has no replica ${i}`);
  return { url: r.url, token: c.token, caPem: c.caPem };
}

export function replicaPid(dir: string, i: number): number {
  const state = readState(dir);
  return state === undefined ? 0 : (replicasOf(state)[i]?.pid ?? 0);
}

/** A replica whose process runs, other than `not` (for reading while `not` is down). */
export function liveReplica(dir: string, not: number): number {
  const state = readState(dir);
  const n = state === undefined ? 0 : replicasOf(state).length;
  for (let k = 1; k <= n; k += 1) {
    const i = (not + k) % n;
    if (isAlive(replicaPid(dir, i))) return i;
  }
  throw new Error("no replica runs");
}

/**
 * The replica `host`'s agent talks to now: the last `controller failover` its log names, else
 * the first URL it was given.
 */
export function agentReplica(dir: string, host: string): number {
  const state = readState(dir);
  const urls = state === undefined ? [] : replicasOf(state).map((r) => r.agentUrl);
  let current = urls[0] ?? "";
  for (const line of readFileSync(agentLogPath(host, dir), "utf8").split("\n")) {
    if (!line.includes("controller failover")) continue;
    try {
      current = (JSON.parse(line) as { to?: string }).to ?? current;
    } catch {
      // not a JSON line
    }
  }
  return urls.indexOf(current);
}

/** `n` TCP connections from `from` to `to`'s address on `port`, at once; how many connected. */
export async function connectMany(
  dir: string,
  from: string,
  to: string,
  port: number,
  n: number,
): Promise<number> {
  const host = readState(dir)?.hosts.find((h) => h.name === to);
  if (host === undefined) throw new Error(`no lab host ${to}`);
  const target = { to, address: host.address, proto: "tcp" as const, port };
  const verdicts = await askHost(controlPath(from, dir), Array(n).fill(target), 2000);
  return verdicts.filter((v) => v === "allowed").length;
}

/** The store's count of allowed connections from `from` to `to` on tcp/`port`. */
export async function edgeCount(
  api: LabApiTarget,
  from: string,
  to: string,
  port: number,
): Promise<number> {
  const { edges } = await labApi<{
    edges: { from: string; to: string; port: string; verdict: string; count: number }[];
  }>(api, "GET", `/api/v1/flows?workload=${from}&limit=100000`);
  return edges
    .filter((e) => e.from === from && e.to === to && e.port === `tcp/${port}`)
    .filter((e) => e.verdict === "allowed")
    .reduce((sum, e) => sum + e.count, 0);
}
