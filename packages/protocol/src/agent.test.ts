// Every number and string an agent sends in a status report has a range.
import { describe, expect, it } from "vitest";
import { MAX_APPLY_MS, StatusRequestSchema } from "./agent.js";

const applied = { revision: 3, rulesetHash: "abc", ok: true, ms: 12 };

describe("status report ranges", () => {
  it("accepts a real report", () => {
    const at = "2026-03-01T12:00:00.000Z";
    const ok = StatusRequestSchema.safeParse({
      applied,
      drift: { drifted: true, repairedAt: at },
      events: [{ kind: "tamper", at, details: "table flushed" }],
    });
    expect(ok.success).toBe(true);
  });

  it.each([
    ["applied.revision", { applied: { ...applied, revision: 1e300 } }],
    ["applied.revision", { applied: { ...applied, revision: -1 } }],
    ["applied.ms", { applied: { ...applied, ms: MAX_APPLY_MS + 1 } }],
    ["applied.ms", { applied: { ...applied, ms: Number.POSITIVE_INFINITY } }],
    ["drift.repairedAt", { drift: { drifted: true, repairedAt: "x".repeat(65) } }],
    ["events.0.at", { events: [{ kind: "tamper", at: "x".repeat(10_000), details: "" }] }],
  ])("refuses %s out of range", (path, body) => {
    const parsed = StatusRequestSchema.safeParse(body);
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path.join(".")).toBe(path);
  });
});
