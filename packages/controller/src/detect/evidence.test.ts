// Evidence between the engine (ms) and the store and wire (ISO-8601): every time is ISO on the
// way out, and reading back gives the engine's evidence again, also from rows written with ms
// times, and never throws on a malformed row.
import type { AlertEvidence } from "@microseg/insight";
import type { Json } from "@microseg/store";
import { describe, expect, it } from "vitest";
import { evidenceFromJson, evidenceToJson } from "./evidence.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

const evidence: AlertEvidence = {
  flows: [
    { from: "a", to: "b", port: "tcp/22", verdict: "allowed", count: 2, at: T0, rule: "r1" },
    { from: "a", to: "c", port: "tcp/445", verdict: "blocked", count: 1, at: T0 + 5 },
  ],
  ports: ["tcp/22", "tcp/445"],
  seen: { targets: 120, ports: 2 },
  chain: ["x", "a"],
  gap: "offline",
  detail: { sinceMs: T0 - 1000, graceMs: 120_000 },
};

describe("evidence", () => {
  it("goes out with ISO times and comes back as it was", () => {
    const json = evidenceToJson(evidence);
    expect(json).toMatchObject({
      flows: [{ at: "2026-11-29T12:00:00.000Z" }, { at: "2026-11-29T12:00:00.005Z" }],
      detail: { since: "2026-11-29T11:59:59.000Z", graceMs: 120_000 },
    });
    expect(JSON.stringify(json)).not.toMatch(/sinceMs|"at":\d/);
    expect(evidenceFromJson(JSON.parse(JSON.stringify(json)))).toEqual(evidence);
  });

  it("reads rows written with ms times", () => {
    const old = { flows: [{ ...evidence.flows[0] }], detail: { sinceMs: T0, graceMs: 1 } };
    expect(evidenceFromJson(old as unknown as Json)).toEqual({
      flows: [evidence.flows[0]],
      detail: { sinceMs: T0, graceMs: 1 },
    });
  });

  it("keeps what it can of a malformed row", () => {
    expect(evidenceFromJson(null)).toEqual({ flows: [] });
    expect(evidenceFromJson([1, 2])).toEqual({ flows: [] });
    const bad = {
      flows: [{ from: "a", to: "b", port: "tcp/1", verdict: "maybe", at: T0 }, 7, { from: 1 }],
      ports: ["tcp/1", 2],
      seen: { targets: "x" },
      detail: { since: "not a time", n: 1, o: { deep: true } },
    };
    expect(evidenceFromJson(bad as unknown as Json)).toEqual({
      flows: [],
      ports: ["tcp/1"],
      detail: { n: 1 },
    });
  });
});
