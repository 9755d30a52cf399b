// Policy swaps under load: the agent replaces its table in one nft transaction, so no swap may
// wrongly admit or wrongly drop a single connection. One lab (testdata/scenarios/policy-swap.yaml:
// four managed hosts enforcing, two outside hosts), revisions A and B swapped while every host
// sends real TCP connections and UDP exchanges (testing/swap-plan.ts says which and why each
// verdict is exact); each phase starts its traffic under A, swaps, stops the traffic, judges
// every connection (testing/swap-judge.ts) and reads the kernels' TCP retransmission counters
// of the hosts that send only allowed traffic: a retransmission there is an allowed packet that
// was dropped and that TCP repaired, so it must be 0 as well.
//
// Swap counts (environment): MICROSEG_SWAPS_BACK_TO_BACK (default 1000), MICROSEG_SWAPS_PACED
// (default 100: each waits for every agent), MICROSEG_SWAPS_DIRECT (default 100). What a run
// costs, and a long run: docs/BENCHMARKS.md ("Policy swaps under load").
import { describePrivileged } from "@microseg/nft/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { LabApiTarget } from "./lab-api.js";
import { labStopAgent } from "./processes.js";
import { type LabState, readState } from "./state.js";
import { labControllerApi, tempStateDir, useLab } from "./testing/lab-fixtures.js";
import { judgeSwaps, type PhaseTally, type Window } from "./testing/swap-judge.js";
import {
  LONG_FLOWS,
  POLICY_B,
  type Revision,
  SWAP_FLOWS,
  SWAP_SCENARIO,
  swapClasses,
  swapRuleSets,
  swapVerdicts,
} from "./testing/swap-plan.js";
import {
  counterDelta,
  type SwapTraffic,
  startSwapTraffic,
  type TcpCounters,
  tcpCounters,
} from "./testing/swap-traffic.js";
import {
  agentApplies,
  revisionsAB,
  type SwapRun,
  swapBackToBack,
  swapDirect,
  swapPaced,
} from "./testing/swappers.js";

const dir = tempStateDir();
const BACK_TO_BACK = count("MICROSEG_SWAPS_BACK_TO_BACK", 1000);
const PACED = count("MICROSEG_SWAPS_PACED", 100);
const DIRECT = count("MICROSEG_SWAPS_DIRECT", 100);
/** Paced and direct: time between a settled state and the next swap (to judge flips). */
const DWELL_MS = 20;
/** Traffic under A before the first swap, and after the last one before stopping. */
const SETTLE_MS = 300;

const verdicts = swapVerdicts();
/** Hosts that send only allowed traffic: their kernels must retransmit nothing. */
const AUDITED = hostsOf(["web", "app", "db", "outside"]);
const MANAGED = ["web", "app", "db", "guest"];

let state: LabState;
let api: LabApiTarget;
let revisions: Record<Revision, number>;
let traffic: SwapTraffic | undefined;

function count(name: string, fallback: number): number {
  const n = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(n) || n < 2 || n % 2 !== 0) {
    throw new Error(`${name} must be an even number of swaps (>= 2), so each phase ends on A`);
  }
  return n;
}

/** Every step is bounded on its own; this only ends a run that hangs. */
const timeout = (swaps: number) => 120_000 + swaps * 2000;

function hostsOf(names: string[]): string[] {
  const unsafe = new Set(SWAP_FLOWS.filter((f) => f.class !== "allowed").map((f) => f.from));
  return names.filter((n) => !unsafe.has(n));
}

async function counters(): Promise<Map<string, TcpCounters>> {
  const ns = (h: string) => state.hosts.find((x) => x.name === h)?.netns ?? "";
  return new Map(
    await Promise.all(AUDITED.map(async (h) => [h, await tcpCounters(ns(h))] as const)),
  );
}

interface PhaseReport {
  readonly tally: PhaseTally;
  readonly retransmits: Record<string, TcpCounters>;
  readonly run: SwapRun;
  readonly late: number;
  readonly trafficMs: number;
}

/** Traffic under A, then `swap`, then the traffic stopped and every connection judged. */
async function phase(name: string, swap: () => Promise<SwapRun>): Promise<PhaseReport> {
  const trafficStart = Date.now();
  traffic = await startSwapTraffic(state, SWAP_FLOWS, LONG_FLOWS);
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const before = await counters();
  const start = Date.now();
  const run = await swap();
  await new Promise((r) => setTimeout(r, SETTLE_MS));
  const after = await counters();
  const result = await traffic.stop();
  const trafficMs = Date.now() - trafficStart;
  traffic = undefined;
  const warmup: Window = { start: 0, end: start, revision: "A" };
  const [tally] = judgeSwaps({
    flows: SWAP_FLOWS,
    verdicts,
    records: result.records,
    long: result.long,
    phases: [{ name, start: 0, end: Number.POSITIVE_INFINITY }],
    windows: [warmup, ...run.windows],
  });
  const retransmits = Object.fromEntries(
    AUDITED.map((h) => [
      h,
      counterDelta(before.get(h) as TcpCounters, after.get(h) as TcpCounters),
    ]),
  );
  const report = { tally: tally as PhaseTally, retransmits, run, late: result.late, trafficMs };
  console.log(summary(name, report));
  return report;
}

function summary(name: string, r: PhaseReport): string {
  const t = r.tally;
  const retrans = Object.values(r.retransmits).reduce((n, c) => n + c.retransSegs, 0);
  return [
    `${name}: ${r.run.swaps} swaps in ${r.run.ms} ms; ${t.tried} connections in ${r.trafficMs} ms (${Math.round((t.tried * 1000) / r.trafficMs)}/s)`,
    `  allowed ${t.allowed.tried} ${JSON.stringify(t.allowed.outcomes)}; denied ${t.denied.tried} ${JSON.stringify(t.denied.outcomes)}`,
    `  flip ${t.flip.tried}: judged A ${t.flip.judgedA}, B ${t.flip.judgedB}, ambiguous ${t.flip.ambiguous} ${JSON.stringify(t.flip.outcomes)}`,
    `  wrongly admitted ${t.wronglyAdmitted}, wrongly dropped ${t.wronglyDropped}, unexplained ${t.unexplained}; TCP retransmits ${retrans} ${JSON.stringify(r.retransmits)}`,
    `  long-lived broken ${t.longBroken}, late echoes ${t.longLate}; slow connects ${t.slowConnects}; attempts late ${r.late}${r.run.kinds ? `; applies ${JSON.stringify(r.run.kinds)}` : ""}`,
    ...t.examples.map((e) => `  ! ${e}`),
  ].join("\n");
}

function expectClean(r: PhaseReport): void {
  const t = r.tally;
  expect(t.examples).toEqual([]);
  expect(t.wronglyAdmitted).toBe(0);
  expect(t.wronglyDropped).toBe(0);
  expect(t.unexplained).toBe(0);
  expect(r.retransmits).toEqual(
    Object.fromEntries(AUDITED.map((h) => [h, expect.objectContaining({ retransSegs: 0 })])),
  );
  // the traffic really ran in every class while the swaps went on
  expect(t.allowed.tried).toBeGreaterThan(r.run.ms / 20);
  expect(t.denied.tried).toBeGreaterThan(r.run.ms / 20);
}

describePrivileged("lab: policy swaps under load", () => {
  useLab(SWAP_SCENARIO, dir);
  beforeAll(async () => {
    state = readState(dir) as LabState;
    api = labControllerApi(dir);
    revisions = await revisionsAB(api, POLICY_B);
  }, 60_000);
  afterAll(() => traffic?.kill());

  it("A and B keep the verdict of every allowed and denied flow, and differ at every host", () => {
    expect(swapClasses(verdicts)).toEqual(SWAP_FLOWS.map((f) => f.class));
    const rs = swapRuleSets();
    for (const h of MANAGED) expect(rs.get("A")?.get(h)?.hash).not.toBe(rs.get("B")?.get(h)?.hash);
  });

  it(
    "paced swaps through the controller (each waits for every agent)",
    async () => {
      const report = await phase("paced", () =>
        swapPaced(api, revisions, MANAGED, PACED, DWELL_MS),
      );
      expectClean(report);
      // the swaps took effect: flip connections were judged under both revisions
      expect(report.tally.flip.judgedA).toBeGreaterThan(0);
      expect(report.tally.flip.judgedB).toBeGreaterThan(0);
    },
    timeout(PACED),
  );

  it(
    "back-to-back swaps through the controller (agents coalesce what they have not applied)",
    async () => {
      const start = Date.now();
      const report = await phase("back-to-back", () =>
        swapBackToBack(api, revisions, MANAGED, BACK_TO_BACK),
      );
      const applies = agentApplies(dir, MANAGED, start, Date.now());
      console.log(`  agent applies ${JSON.stringify(applies)}`);
      expectClean(report);
      expect(applies.full ?? 0).toBeGreaterThan(MANAGED.length);
    },
    timeout(BACK_TO_BACK),
  );

  it(
    "direct swaps with the nft driver, agents stopped (the kernel transaction alone)",
    async () => {
      for (const h of MANAGED) await labStopAgent(h, { dir });
      const netns = new Map(
        state.hosts.filter((h) => h.managed).map((h) => [h.name, h.netns] as const),
      );
      const report = await phase("direct", () =>
        swapDirect(swapRuleSets(), netns, DIRECT, DWELL_MS),
      );
      expectClean(report);
      expect(report.run.kinds).toEqual({ full: DIRECT * MANAGED.length, delta: 0, noop: 0 });
      expect(report.tally.flip.judgedA).toBeGreaterThan(0);
      expect(report.tally.flip.judgedB).toBeGreaterThan(0);
    },
    timeout(DIRECT),
  );
});
