// Judges the recorded connections of a policy-swap run (pure).
//
// Every connection record is [flow, t0, t1, tConnect, tEnd, outcome] (programs/swap-traffic.js):
// its SYN or datagram left between t0 and t1. By class (swap-plan.ts):
//   allowed  ok is right; anything else (timeout, stalled, refused, reset, denied, …) is a
//            wrongly dropped connection
//   denied   timeout or denied (the sender's own kernel refused: an output-hook drop) is right;
//            a handshake, ok or refused (an answer came from the destination's stack) is
//            wrongly admitted, whatever happened after; anything else is unexplained
//   flip     judged only when [t0, t1 + SYN_MARGIN_MS] lies inside a settled window, by the
//            revision every table held through that window; otherwise ambiguous. The first
//            packet decides a connection (the rest is established traffic, accepted by both
//            revisions), and the margin covers a SYN still on its way to the destination's input
//            hook after connect() returned. A settled window starts after every table was known
//            to hold the revision and ends when the next change was requested.
// A long-lived connection that broke before the end is wrongly dropped.
import type { Revision, SwapClass, SwapFlow, Verdicts } from "./swap-plan.js";
import { flowName } from "./swap-plan.js";

export type ConnRecord = readonly [number, number, number, number, number, string];

export interface LongResult {
  readonly flow: number;
  readonly index: number;
  readonly opened: number;
  readonly sent: number;
  readonly echoed: number;
  readonly maxRttMs: number;
  readonly lateAt: readonly number[];
  readonly broke: { readonly at: number; readonly why: string } | null;
}

export interface Phase {
  readonly name: string;
  readonly start: number;
  readonly end: number;
}

export interface Window {
  readonly start: number;
  readonly end: number;
  readonly revision: Revision;
}

export interface ClassTally {
  tried: number;
  wrong: number;
  outcomes: Record<string, number>;
}

export interface FlipTally extends ClassTally {
  judgedA: number;
  judgedB: number;
  ambiguous: number;
}

export interface PhaseTally {
  readonly phase: string;
  tried: number;
  readonly allowed: ClassTally;
  readonly denied: ClassTally;
  readonly flip: FlipTally;
  wronglyAdmitted: number;
  wronglyDropped: number;
  unexplained: number;
  /** Allowed TCP connections whose handshake took >= 1 s (a SYN retransmission, or a stall). */
  slowConnects: number;
  /** Long-lived connections that broke; echoes slower than the retransmission timeout. */
  longBroken: number;
  longLate: number;
  /** The first few wrong connections, readable. */
  readonly examples: string[];
}

export const SYN_MARGIN_MS = 10;
const SLOW_CONNECT_MS = 1000;
const EXAMPLES = 5;

export interface JudgeInput {
  readonly flows: readonly SwapFlow[];
  readonly verdicts: Verdicts;
  readonly records: readonly ConnRecord[];
  readonly long: readonly LongResult[];
  readonly phases: readonly Phase[];
  readonly windows: readonly Window[];
}

/** One tally per phase (by t0), plus "between" for connections outside every phase. */
export function judgeSwaps(input: JudgeInput): PhaseTally[] {
  const tallies = new Map<string, PhaseTally>(
    [...input.phases.map((p) => p.name), "between"].map((n) => [n, emptyTally(n)]),
  );
  const phaseOf = (t: number) =>
    tallies.get(
      input.phases.find((p) => p.start <= t && t < p.end)?.name ?? "between",
    ) as PhaseTally;
  const windows = [...input.windows].sort((a, b) => a.start - b.start);
  for (const r of input.records) {
    const flow = input.flows[r[0]];
    if (flow === undefined) throw new Error(`record of unknown flow ${r[0]}`);
    judgeOne(phaseOf(r[1]), flow, r, input.verdicts, windows);
  }
  for (const l of input.long) {
    const t = phaseOf(l.broke?.at ?? l.opened);
    if (l.broke !== null) {
      t.longBroken++;
      t.wronglyDropped++;
      note(t, `long-lived #${l.index} of flow ${l.flow} broke (${l.broke.why}) at ${l.broke.at}`);
    }
    for (const at of l.lateAt) phaseOf(at).longLate++;
  }
  return [...tallies.values()].filter((t) => t.phase !== "between" || t.tried > 0);
}

function judgeOne(
  t: PhaseTally,
  flow: SwapFlow,
  r: ConnRecord,
  verdicts: Verdicts,
  windows: readonly Window[],
): void {
  const [, t0, t1, tc, , outcome] = r;
  t.tried++;
  const tally = t[flow.class];
  tally.tried++;
  tally.outcomes[outcome] = (tally.outcomes[outcome] ?? 0) + 1;
  let expect: SwapClass = flow.class;
  if (flow.class === "flip") {
    const w = windowAt(windows, t0);
    const index = r[0];
    const verdict = w === undefined ? undefined : verdicts.get(w.revision)?.[index];
    if (w === undefined || verdict === undefined || t1 + SYN_MARGIN_MS > w.end) {
      t.flip.ambiguous++;
      return;
    }
    if (w.revision === "A") t.flip.judgedA++;
    else t.flip.judgedB++;
    expect = verdict === "allow" ? "allowed" : "denied";
  }
  if (expect === "allowed" && flow.port.startsWith("tcp/") && tc >= 0 && tc - t0 >= SLOW_CONNECT_MS)
    t.slowConnects++;
  const wrong = wrongness(expect, outcome, tc >= 0);
  if (wrong === undefined) return;
  tally.wrong++;
  if (wrong === "admitted") t.wronglyAdmitted++;
  else if (wrong === "dropped") t.wronglyDropped++;
  else t.unexplained++;
  note(t, `${flowName(flow)} (${flow.class}) at ${t0}: ${outcome}, wrongly ${wrong}`);
}

/** The window that started last at or before `t` (windows sorted, not overlapping). */
function windowAt(windows: readonly Window[], t: number): Window | undefined {
  let lo = 0;
  let hi = windows.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((windows[mid] as Window).start <= t) lo = mid + 1;
    else hi = mid;
  }
  return windows[lo - 1];
}

function wrongness(
  expect: SwapClass,
  outcome: string,
  connected: boolean,
): "admitted" | "dropped" | "unexplained" | undefined {
  if (expect === "allowed") return outcome === "ok" ? undefined : "dropped";
  if (connected || outcome === "ok" || outcome === "refused") return "admitted";
  return outcome === "timeout" || outcome === "denied" ? undefined : "unexplained";
}

function note(t: PhaseTally, text: string): void {
  if (t.examples.length < EXAMPLES) t.examples.push(text);
}

function emptyTally(phase: string): PhaseTally {
  const cls = (): ClassTally => ({ tried: 0, wrong: 0, outcomes: {} });
  return {
    phase,
    tried: 0,
    allowed: cls(),
    denied: cls(),
    flip: { ...cls(), judgedA: 0, judgedB: 0, ambiguous: 0 },
    wronglyAdmitted: 0,
    wronglyDropped: 0,
    unexplained: 0,
    slowConnects: 0,
    longBroken: 0,
    longLate: 0,
    examples: [],
  };
}
