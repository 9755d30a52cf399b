// Alert identity across detectors: a scan's id does not depend on which of its contacts a
// detector saw first (a detector that took over mid-scan, without the first contacts, names it
// the same), older ids stay the alerts' ids, and a new episode gets a new id.
import { describe, expect, it } from "vitest";
import type { FlowObservation } from "../flow.js";
import { DetectionEngine } from "./engine.js";
import { alertId, idGridMs } from "./ids.js";
import { DEFAULT_DETECTION_OPTIONS } from "./options.js";
import { obs, viewOf } from "./testing.js";
import type { DetectedAlert } from "./types.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 7);
const ports = (n: number, first = 10000) => Array.from({ length: n }, (_, i) => `tcp/${first + i}`);

function feed(engine: DetectionEngine, batch: readonly FlowObservation[]): DetectedAlert[] {
  const out = new Map<string, DetectedAlert>();
  for (const o of batch) for (const a of engine.observe([o], o.last)) out.set(a.id, a);
  return [...out.values()];
}

describe("alert ids", () => {
  const scan = ports(60).map((p, i) => obs("10.9.9.9", "web-1", p, T0 + i * 200));

  it("a detector that missed a scan's first contacts names the scan alike", () => {
    const whole = feed(new DetectionEngine(viewOf()), scan);
    const late = feed(new DetectionEngine(viewOf()), scan.slice(17));
    expect(whole).toHaveLength(1);
    expect(late).toHaveLength(1);
    // Different first contacts: the alerts' `at` differ, their ids do not.
    expect(late[0]?.at).not.toBe(whole[0]?.at);
    expect(late[0]?.id).toBe(whole[0]?.id);
    expect(late[0]?.incident).toBe(whole[0]?.incident);
  });

  it("a stored alert with an id of the older form is updated under that id", () => {
    const [before] = feed(new DetectionEngine(viewOf()), scan.slice(0, 30));
    const old = { ...(before as DetectedAlert), id: `al-${(T0 + 2_800).toString(36)}-0badc0de` };
    const engine = new DetectionEngine(viewOf());
    engine.restore([old], T0 + 7_000);
    const after = feed(engine, scan.slice(30));
    expect(after.map((a) => a.id)).toEqual([old.id]);
  });

  it("the same source scanning again after the de-dup window is a new alert", () => {
    const [first] = feed(new DetectionEngine(viewOf()), scan);
    const engine = new DetectionEngine(viewOf());
    feed(engine, scan);
    const again = ports(60, 30000).map((p, i) =>
      obs("10.9.9.9", "web-1", p, T0 + 12_000 + DEFAULT_DETECTION_OPTIONS.dedupWindowMs + i),
    );
    const [second] = feed(engine, again);
    expect(second?.id).not.toBe(first?.id);
  });

  it("the time in an id is the raise's, rounded down to the grid", () => {
    const grid = idGridMs(DEFAULT_DETECTION_OPTIONS);
    expect(grid).toBe(600_000);
    const base = Math.floor(T0 / grid) * grid;
    expect(alertId("scan", "x", base + 1, grid)).toBe(alertId("scan", "x", base + grid - 1, grid));
    expect(alertId("scan", "x", base + grid, grid)).not.toBe(alertId("scan", "x", base, grid));
    expect(alertId("scan", "x", base, grid)).toBe(alertId("scan", "x", base));
    expect(alertId("scan", "x", base + 1)).not.toBe(alertId("scan", "x", base));
  });
});
