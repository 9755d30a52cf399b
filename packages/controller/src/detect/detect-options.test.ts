// `--detect KEY=N` reaches every threshold, the slow-scan detector's included, and the engine
// built from it: a slow scan tuned to 5 contacts in 1 h is raised at the 5th.
import { DetectionEngine, type FlowObservation } from "@microseg/insight";
import { describe, expect, it } from "vitest";
import { detectionConfigFrom } from "./config.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

function refused(port: number, at: number): FlowObservation {
  return {
    from: { name: "laptop", kind: "workload" },
    to: { name: "db-1", kind: "workload" },
    port: `tcp/${port}`,
    verdict: "allowed",
    outcome: "refused",
    ...{ count: 1, packets: 1, bytes: 60, first: at, last: at, reporter: "laptop" },
    side: "source",
  };
}

describe("--detect", () => {
  it("tunes the slow-scan detector", () => {
    const options = detectionConfigFrom({
      detect: ["slowScanContacts=5", "slowScanWindowMs=3600000", "maxSlowSources=100"],
    }).options;
    expect(options).toEqual({
      slowScanContacts: 5,
      slowScanWindowMs: 3_600_000,
      maxSlowSources: 100,
    });
    const view = {
      allows: () => false,
      known: () => false,
      isDecoy: () => false,
      isScanner: () => false,
    };
    const engine = new DetectionEngine(view, options);
    // one closed (ordinary) port every 10 minutes: far below the fast windows
    const raised = [1, 2, 3, 4, 5].map((i) =>
      engine.observe([refused(9000 + i, T0 + i * 600_000)], T0 + i * 600_000),
    );
    expect(raised.map((r) => r.map((a) => a.kind))).toEqual([[], [], [], [], ["scan"]]);
    expect(raised[4]?.[0]?.summary).toMatch(/slowly scanned/);
  });

  it("names the thresholds when a key is not one", () => {
    expect(() => detectionConfigFrom({ detect: ["slowScan=5"] })).toThrow(
      /"slowScan" is not a threshold; use one of .*slowScanContacts, slowScanWindowMs/,
    );
  });
});
