import { describe, expect, it } from "vitest";
import { type ConnRecord, judgeSwaps, type LongResult, SYN_MARGIN_MS } from "./swap-judge.js";
import type { SwapFlow, Verdicts } from "./swap-plan.js";

const flows: SwapFlow[] = [
  { from: "web", to: "app", port: "tcp/8000", class: "allowed", everyMs: 10 },
  { from: "guest", to: "app", port: "tcp/8000", class: "denied", everyMs: 10 },
  { from: "guest", to: "web", port: "tcp/80", class: "flip", everyMs: 10 },
  { from: "web", to: "app", port: "udp/53", class: "allowed", everyMs: 10 },
];
const verdicts: Verdicts = new Map([
  ["A", ["allow", "deny", "allow", "allow"]],
  ["B", ["allow", "deny", "deny", "allow"]],
]);
const phases = [{ name: "p", start: 0, end: 10_000 }];
const windows = [
  { start: 100, end: 200, revision: "A" as const },
  { start: 300, end: 400, revision: "B" as const },
];

const rec = (flow: number, t0: number, outcome: string, tc = t0 + 1): ConnRecord => [
  flow,
  t0,
  t0 + 1,
  outcome === "ok" ? tc : -1,
  t0 + 2,
  outcome,
];

function judge(records: ConnRecord[], long: LongResult[] = []) {
  const [t] = judgeSwaps({ flows, verdicts, records, long, phases, windows });
  if (t === undefined) throw new Error("no tally");
  return t;
}

describe("judgeSwaps", () => {
  it("an allowed connection that did not complete is wrongly dropped, whatever failed", () => {
    const t = judge(
      ["ok", "timeout", "refused", "reset", "stalled", "denied"].map((o) => rec(0, 50, o)),
    );
    expect(t.allowed).toMatchObject({ tried: 6, wrong: 5 });
    expect(t.wronglyDropped).toBe(5);
    expect(t.wronglyAdmitted).toBe(0);
    expect(t.allowed.outcomes).toEqual({
      ok: 1,
      timeout: 1,
      refused: 1,
      reset: 1,
      stalled: 1,
      denied: 1,
    });
  });

  it("a denied connection that completed, shook hands or was answered is wrongly admitted", () => {
    const stalled: ConnRecord = [1, 50, 51, 52, 900, "stalled"];
    const records = ["timeout", "denied", "ok", "refused", "reset"].map((o) => rec(1, 50, o));
    const t = judge([...records, stalled]);
    expect(t.wronglyAdmitted).toBe(3);
    expect(t.unexplained).toBe(1);
    expect(t.wronglyDropped).toBe(0);
    expect(t.examples[0]).toContain("guest -> app tcp/8000 (denied) at 50: ok, wrongly admitted");
  });

  it("judges a flip by the revision of the settled window its first packet left in", () => {
    const t = judge([
      rec(2, 120, "ok"), // A allows: right
      rec(2, 150, "timeout"), // A allows: wrongly dropped
      rec(2, 320, "timeout"), // B denies: right
      rec(2, 350, "ok"), // B denies: wrongly admitted
    ]);
    expect(t.flip).toMatchObject({ tried: 4, judgedA: 2, judgedB: 2, ambiguous: 0, wrong: 2 });
    expect(t.wronglyDropped).toBe(1);
    expect(t.wronglyAdmitted).toBe(1);
  });

  it("a flip outside every settled window, or too close to its end, is not judged", () => {
    const edge = 200 - SYN_MARGIN_MS; // t1 = t0 + 1 is then within the margin of the window's end
    const t = judge([rec(2, 250, "ok"), rec(2, 50, "timeout"), rec(2, edge, "timeout")]);
    expect(t.flip).toMatchObject({ tried: 3, judgedA: 0, judgedB: 0, ambiguous: 3, wrong: 0 });
    expect(t.wronglyDropped + t.wronglyAdmitted).toBe(0);
  });

  it("counts slow TCP handshakes of allowed connections (a SYN sent again), not of UDP", () => {
    const t = judge([rec(0, 10, "ok", 1010), rec(0, 20, "ok", 25), rec(3, 10, "ok", 1010)]);
    expect(t.slowConnects).toBe(1);
    expect(t.wronglyDropped).toBe(0);
  });

  it("a long-lived connection that broke is wrongly dropped; late echoes are counted", () => {
    const base = { flow: 0, opened: 10, sent: 100, echoed: 100, maxRttMs: 210 };
    const t = judge(
      [],
      [
        { ...base, index: 0, lateAt: [500, 600], broke: null },
        { ...base, index: 1, lateAt: [], broke: { at: 700, why: "reset" } },
      ],
    );
    expect(t).toMatchObject({ longBroken: 1, longLate: 2, wronglyDropped: 1 });
    expect(t.examples).toEqual(["long-lived #1 of flow 0 broke (reset) at 700"]);
  });

  it("connections outside every phase land in `between`", () => {
    const tallies = judgeSwaps({
      flows,
      verdicts,
      records: [rec(0, 20_000, "ok"), rec(0, 50, "ok")],
      long: [],
      phases,
      windows,
    });
    expect(tallies.map((t) => [t.phase, t.tried])).toEqual([
      ["p", 1],
      ["between", 1],
    ]);
  });
});
