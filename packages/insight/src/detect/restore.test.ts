// A restarted engine given its stored alerts (restore) goes on where the first one stopped: the
// same (kind, source) updates the same alert, counts continue, incidents and chains hold, gap
// alerts are resolved or updated; without restore, each of these would be a new alert.
import { describe, expect, it } from "vitest";
import type { FlowObservation } from "../flow.js";
import { DetectionEngine } from "./engine.js";
import { obs, viewOf } from "./testing.js";
import type { AgentGapState, DetectedAlert } from "./types.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);
const ports = (n: number, first = 10000) => Array.from({ length: n }, (_, i) => `tcp/${first + i}`);

function feed(engine: DetectionEngine, batch: readonly FlowObservation[]): DetectedAlert[] {
  const out = new Map<string, DetectedAlert>();
  for (const o of batch) for (const a of engine.observe([o], o.last)) out.set(a.id, a);
  return [...out.values()];
}

/** What a controller stored: the newest snapshot per id, through JSON (as the store keeps it). */
function stored(as: readonly DetectedAlert[]): DetectedAlert[] {
  return JSON.parse(JSON.stringify(as)) as DetectedAlert[];
}

describe("restore", () => {
  it("a scan going on after a restart updates the same alert and counts on", () => {
    const before = feed(
      new DetectionEngine(viewOf()),
      ports(300).map((p, i) => obs("10.9.9.9", "web-1", p, T0 + i)),
    );
    expect(before).toHaveLength(1);
    expect(before[0]?.evidence.seen).toEqual({ targets: 1, ports: 300 });
    const restarted = new DetectionEngine(viewOf());
    restarted.restore(stored(before), T0 + 5_000);
    const after = feed(
      restarted,
      ports(10, 20000).map((p, i) => obs("10.9.9.9", "web-1", p, T0 + 5_000 + i)),
    );
    expect(after.map((a) => a.id)).toEqual([before[0]?.id]);
    expect(after[0]?.count).toBe((before[0]?.count ?? 0) + 10);
    expect(after[0]?.at).toBe(before[0]?.at);
    expect(after[0]?.summary).toBe("10.9.9.9 scanned 310 ports on web-1");
    expect(after[0]?.evidence.ports).toHaveLength(200);
  });

  it("without restore the same scan would start over: its own first time and counts", () => {
    const scan = (first: number, at: number) =>
      ports(20, first).map((p, i) => obs("x", "web-1", p, at + i));
    const before = stored(feed(new DetectionEngine(viewOf()), scan(10000, T0)));
    const fresh = feed(new DetectionEngine(viewOf()), scan(20000, T0 + 1000));
    // The same id (ids.ts: the episode's grid cell), but a stored alert overwritten with less.
    expect(fresh[0]?.id).toBe(before[0]?.id);
    expect(fresh[0]?.at).not.toBe(before[0]?.at);
    expect(fresh[0]?.evidence.ports).toHaveLength(20);
    const restored = new DetectionEngine(viewOf());
    restored.restore(before, T0 + 1000);
    const same = feed(restored, scan(20000, T0 + 1000));
    expect(same.map((a) => a.id)).toEqual([before[0]?.id]);
    expect(same[0]?.at).toBe(T0 + 14);
  });

  it("an alert quiet for longer than the de-dup window is not reopened", () => {
    const before = feed(
      new DetectionEngine(viewOf()),
      ports(20).map((p, i) => obs("x", "web-1", p, T0 + i)),
    );
    const later = T0 + 19 + 600_001;
    const e = new DetectionEngine(viewOf());
    e.restore(stored(before), later);
    const after = feed(
      e,
      ports(20, 20000).map((p, i) => obs("x", "web-1", p, later + i)),
    );
    expect(after).toHaveLength(1);
    expect(after[0]?.id).not.toBe(before[0]?.id);
  });

  it("incidents and lateral-movement chains hold across a restart", () => {
    // a reaches b over ssh (allowed, explained by nothing): lateral movement, b is reached.
    const before = feed(new DetectionEngine(viewOf()), [obs("a", "b", "tcp/22", T0, "allowed")]);
    expect(before.map((x) => x.kind)).toEqual(["lateral-movement"]);
    const e = new DetectionEngine(viewOf());
    e.restore(stored(before), T0 + 1000);
    // a goes on scanning: its new alert joins a's incident. b moves on to c: b's alert joins
    // the same incident and carries the chain that reached b.
    const scan = feed(
      e,
      ports(15).map((p, i) => obs("a", "d", p, T0 + 1000 + i)),
    );
    expect(scan.find((x) => x.kind === "scan")?.incident).toBe(before[0]?.incident);
    const b = feed(e, [obs("b", "c", "tcp/22", T0 + 2000, "allowed")]);
    expect(b[0]?.incident).toBe(before[0]?.incident);
    expect(b[0]?.evidence.chain).toEqual(["a", "b"]);
  });

  it("replayed history rebuilds the windows; what it raised is dropped", () => {
    const e = new DetectionEngine(viewOf());
    // The history before the restart: 10 ports, no alert.
    expect(
      feed(
        e,
        ports(10).map((p, i) => obs("x", "web-1", p, T0 + i)),
      ),
    ).toEqual([]);
    e.restore([], T0 + 1000);
    const after = feed(
      e,
      ports(5, 20000).map((p, i) => obs("x", "web-1", p, T0 + 1000 + i)),
    );
    expect(after.map((a) => [a.kind, a.count])).toEqual([["scan", 1]]);
    // A replay that raised an alert the store does not hold: dropped, not reported later.
    const r = new DetectionEngine(viewOf());
    feed(
      r,
      ports(20).map((p, i) => obs("y", "web-1", p, T0 + i)),
    );
    r.restore([], T0 + 1000);
    expect(r.observe([], T0 + 1000)).toEqual([]);
  });

  describe("enforcement gaps", () => {
    const gapEngine = () => new DetectionEngine(viewOf(), { gapGraceMs: 60_000 });
    const offline: AgentGapState = {
      workload: "web-1",
      lastHeartbeat: T0 - 600_000,
      drift: "in-sync",
      appliedHash: "h",
      expectedHash: "h",
    };
    const raised = () => {
      const e = gapEngine();
      e.checkAgents([offline], T0);
      return stored(e.checkAgents([offline], T0 + 60_000));
    };

    it("a gap that cleared while the controller was down is resolved at the first check", () => {
      const before = raised();
      expect(before.map((a) => a.kind)).toEqual(["enforcement-gap"]);
      const e = gapEngine();
      // Down for an hour: the alert is older than the de-dup window, still its workload's.
      e.restore(before, T0 + 3_600_000);
      e.checkAgents([{ ...offline, lastHeartbeat: T0 + 3_600_000 }], T0 + 3_600_000);
      expect(e.takeClearedGaps()).toEqual([before[0]?.id]);
    });

    it("a gap that goes on updates the same alert, its start kept", () => {
      const before = raised();
      const e = gapEngine();
      e.restore(before, T0 + 3_600_000);
      const again = e.checkAgents([offline], T0 + 3_600_000);
      expect(again.map((a) => [a.id, a.count])).toEqual([[before[0]?.id, 2]]);
      expect(again[0]?.evidence.detail?.sinceMs).toBe(T0);
      expect(e.takeClearedGaps()).toEqual([]);
    });
  });
});
