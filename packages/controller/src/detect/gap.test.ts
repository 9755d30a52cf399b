// Enforcement gaps from real agent records: an enrolled agent that never reports is offline; past
// the grace period the timer's check raises one alert for its workload, updated while it lasts,
// and resolved once the agent reports again.
import { describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import { DEFAULT_DETECTION_CONFIG } from "./config.js";
import { DetectionService } from "./service.js";

describe("enforcement gap", () => {
  it("an agent that stops reporting raises one alert after the grace period", async () => {
    let now = Date.UTC(2026, 10, 29, 12, 0, 0);
    const t = await testController({ clock: () => new Date(now) });
    const agent = await t.enrol("web-1", "198.18.1.10", { role: "web" });
    const service = new DetectionService(t.ctx, {
      ...DEFAULT_DETECTION_CONFIG,
      gapCheckMs: 0,
      options: { gapGraceMs: 60_000, offlineAfterMs: 30_000 },
    });
    await service.start();
    const gaps = async () => {
      await service.checkGaps();
      await service.flush();
      return (await t.call("GET", "/api/v1/alerts?kind=enforcement-gap")).body.alerts;
    };
    expect(await gaps()).toEqual([]); // never reported: offline from now on, within grace
    now += 30_000;
    expect(await gaps()).toEqual([]);
    now += 31_000;
    const raised = await gaps();
    expect(raised).toHaveLength(1);
    expect(raised[0]).toMatchObject({ source: "web-1", severity: "medium", targets: [] });
    expect(raised[0].evidence.gap).toBe("offline");
    now += 15_000;
    const again = await gaps();
    expect(again).toHaveLength(1);
    expect(again[0].id).toBe(raised[0].id);
    expect(again[0].count).toBe(2);
    // The agent reports again: the alert is resolved (audited), not deleted.
    const beat = await t.call("POST", "/api/v1/agent/status", {}, agent.credential);
    expect(beat.status).toBe(200);
    await service.checkGaps();
    const resolved = (await t.call("GET", "/api/v1/alerts?kind=enforcement-gap")).body.alerts;
    expect(resolved[0].status).toBe("resolved");
    await service.close();
  });
});
