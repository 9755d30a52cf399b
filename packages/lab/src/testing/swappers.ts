// The three ways the policy-swap test changes revision A <-> B, each `count` times:
//
//   paced         POST /policy/rollback (to A's or B's revision), then poll GET /agents until
//                 every managed agent acknowledged the RuleSet the controller holds for it; then
//                 the table of every host is known to hold that revision until the next request
//                 (a settled window, after `dwellMs`)
//   back-to-back  the same rollbacks one right after the other (each waits only for the API's
//                 answer); agents coalesce what arrives while they apply; one wait at the end
//   direct        the agents stopped, an NftDriver inside each host's namespace (configured as
//                 the agent's: programs/swap-applier.js) applies A or B, all hosts at once; the
//                 settled window runs from the last apply's return to the next request (after
//                 `dwellMs`). Isolates the kernel transaction from the control plane.
//
// Rollback creates revision N+1 with the text of `to`, exactly as an operator's rollback does,
// and the agents get it through their long-poll like any provision.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { RuleSet } from "@microseg/core";
import type { ApplyResult } from "@microseg/nft";
import { listAgents, policyText, pushPolicy } from "../control-plane.js";
import { agentLogPath } from "../lab-agents.js";
import { type LabApiTarget, labApi } from "../lab-api.js";
import { type LineProcess, spawnLines } from "./line-process.js";
import type { Window } from "./swap-judge.js";
import type { Revision } from "./swap-plan.js";

export interface SwapRun {
  readonly swaps: number;
  readonly ms: number;
  /** Settled windows (paced and direct only); the last one is open: it ends at `Infinity`. */
  readonly windows: Window[];
  /** Direct only: how each host's applies went (full, delta, noop). */
  readonly kinds?: Record<ApplyResult["kind"], number>;
}

const CONVERGE_TIMEOUT_MS = 20_000;
const POLL_MS = 10;

const other = (r: Revision): Revision => (r === "A" ? "B" : "A");

/** Makes sure revision B exists; resolves to the revision numbers of A (the active one) and B. */
export async function revisionsAB(
  api: LabApiTarget,
  policyB: string,
): Promise<Record<Revision, number>> {
  const active = await labApi<{ number: number }>(api, "GET", "/api/v1/policy/active");
  const b = await pushPolicy(api, policyText([policyB]), "policy swap: revision B");
  await rollbackTo(api, active.number);
  return { A: active.number, B: b };
}

async function rollbackTo(api: LabApiTarget, to: number): Promise<void> {
  await labApi(api, "POST", "/api/v1/policy/rollback", { to, comment: "policy swap" });
}

/** Polls until every managed agent acknowledged its current RuleSet. */
export async function allConverged(api: LabApiTarget, hosts: readonly string[]): Promise<void> {
  const deadline = Date.now() + CONVERGE_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const rows = await listAgents(api);
    const done = hosts.every((h) =>
      rows.some((a) => a.workload === h && !a.revoked && a.converged),
    );
    if (done) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  throw new Error(
    `agents of ${hosts.join(", ")} did not converge within ${CONVERGE_TIMEOUT_MS} ms`,
  );
}

/** Starts from A enforced everywhere; ends on A again when `count` is even. */
export async function swapPaced(
  api: LabApiTarget,
  revisions: Record<Revision, number>,
  hosts: readonly string[],
  count: number,
  dwellMs: number,
): Promise<SwapRun> {
  return settledSwaps(count, dwellMs, async (to) => {
    await rollbackTo(api, revisions[to]);
    await allConverged(api, hosts);
  });
}

/**
 * `count` swaps from A, each by `swapTo` (resolving once every table holds the revision), with
 * `dwellMs` between: the settled windows run from one swap's end to the next one's request.
 */
async function settledSwaps(
  count: number,
  dwellMs: number,
  swapTo: (revision: Revision) => Promise<void>,
): Promise<SwapRun> {
  const started = Date.now();
  const windows: Window[] = [];
  let current: Revision = "A";
  let settledAt = Date.now();
  for (let i = 0; i < count; i++) {
    if (dwellMs > 0) await new Promise((r) => setTimeout(r, dwellMs));
    const requestAt = Date.now();
    windows.push({ start: settledAt, end: requestAt, revision: current });
    current = other(current);
    await swapTo(current);
    settledAt = Date.now();
  }
  windows.push({ start: settledAt, end: Number.POSITIVE_INFINITY, revision: current });
  return { swaps: count, ms: Date.now() - started, windows };
}

export async function swapBackToBack(
  api: LabApiTarget,
  revisions: Record<Revision, number>,
  hosts: readonly string[],
  count: number,
): Promise<SwapRun> {
  const started = Date.now();
  let current: Revision = "A";
  for (let i = 0; i < count; i++) {
    current = other(current);
    await rollbackTo(api, revisions[current]);
  }
  await allConverged(api, hosts);
  const windows = [{ start: Date.now(), end: Number.POSITIVE_INFINITY, revision: current }];
  return { swaps: count, ms: Date.now() - started, windows };
}

export const SWAP_APPLIER_PROGRAM = fileURLToPath(
  new URL("../programs/swap-applier.js", import.meta.url),
);
const APPLY_TIMEOUT_MS = 20_000;

/**
 * `ruleSets`: per revision, each managed host's RuleSet; `netns`: host -> namespace. One
 * programs/swap-applier.js per host holds the driver inside the namespace, as the agent does.
 */
export async function swapDirect(
  ruleSets: ReadonlyMap<Revision, ReadonlyMap<string, RuleSet>>,
  netns: ReadonlyMap<string, string>,
  count: number,
  dwellMs: number,
): Promise<SwapRun> {
  const appliers = [...netns].map(([host, ns]) => {
    const args = ["netns", "exec", ns, process.execPath, SWAP_APPLIER_PROGRAM];
    const p = spawnLines("ip", args, `the nft applier of ${host}`);
    p.send(JSON.stringify({ A: ruleSets.get("A")?.get(host), B: ruleSets.get("B")?.get(host) }));
    return p;
  });
  try {
    await Promise.all(appliers.map((p) => p.next("ready", APPLY_TIMEOUT_MS)));
    return await swapWith(appliers, count, dwellMs);
  } finally {
    for (const p of appliers) p.child.stdin?.end();
  }
}

async function swapWith(
  appliers: readonly LineProcess[],
  count: number,
  dwellMs: number,
): Promise<SwapRun> {
  const kinds = { full: 0, delta: 0, noop: 0 };
  const applyAll = async (r: Revision) => {
    for (const p of appliers) p.send(r);
    const answers = await Promise.all(appliers.map((p) => p.next("", APPLY_TIMEOUT_MS)));
    for (const a of answers) {
      const [word, kind] = a.split(" ");
      if (word !== "applied") throw new Error(`direct apply of revision ${r}: ${a}`);
      kinds[kind as ApplyResult["kind"]]++;
    }
  };
  await applyAll("A");
  kinds.full = 0;
  return { ...(await settledSwaps(count, dwellMs, applyAll)), kinds };
}

/** The applies each agent logged between `from` and `to` (epoch ms), by kind. */
export function agentApplies(
  dir: string,
  hosts: readonly string[],
  from: number,
  to: number,
): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const host of hosts) {
    for (const line of readFileSync(agentLogPath(host, dir), "utf8").split("\n")) {
      if (!line.includes('"applied"')) continue;
      const entry = JSON.parse(line) as { msg?: string; time?: number; kind?: string };
      if (entry.msg !== "applied" || (entry.time ?? 0) < from || (entry.time ?? 0) > to) continue;
      const kind = entry.kind ?? "?";
      kinds[kind] = (kinds[kind] ?? 0) + 1;
    }
  }
  return kinds;
}
