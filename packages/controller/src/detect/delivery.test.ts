// Delivery marks across restarts of the detection service (the same store, a new service): an
// alert the senders were not done with is sent at the next start, with the same event id; one
// they were done with is never sent again; the mark is written only when every sender is done.
import type { AlertRecord } from "@microseg/store";
import { afterEach, describe, expect, it } from "vitest";
import { testController } from "../test-helpers.js";
import { DEFAULT_DETECTION_CONFIG } from "./config.js";
import { webhookReceiver } from "./receivers.js";
import { DetectionService } from "./service.js";
import type { WebhookOptions } from "./webhook.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const alert = (over: Partial<AlertRecord> = {}): AlertRecord => ({
  id: "al-1",
  kind: "decoy",
  severity: "high",
  source: "198.18.9.9",
  targets: ["honey"],
  at: new Date(T0).toISOString(),
  lastAt: new Date(T0 + 1000).toISOString(),
  summary: "198.18.9.9 touched decoy honey (tcp/445); nothing legitimate uses it",
  incident: "in-1",
  evidence: { flows: [] },
  status: "open",
  count: 1,
  ...over,
});

async function setup() {
  const t = await testController({ clock: () => new Date(T0 + 60_000) });
  /** A new detection service on the same store: what a restarted controller runs. */
  const start = async (url: string, options: Partial<WebhookOptions> = {}) => {
    const service = new DetectionService(
      t.ctx,
      { ...DEFAULT_DETECTION_CONFIG, webhooks: [url], gapCheckMs: 0 },
      "0.1.0",
      { baseDelayMs: 10, attempts: 3, timeoutMs: 2000, ...options },
    );
    await service.start();
    cleanups.push(() => service.close());
    return service;
  };
  return { t, start };
}

describe("delivery marks", () => {
  it("an alert stored but never marked is sent once at the next start, same event id", async () => {
    const { t, start } = await setup();
    await t.store.alerts.upsert(alert());
    const hook = await webhookReceiver();
    cleanups.push(() => hook.close());
    await (await start(hook.url)).idle();
    expect(hook.deliveries.map((d) => JSON.parse(d.body).id)).toEqual(["al-1:high"]);
    expect(hook.deliveries[0]?.headers["x-microseg-event-id"]).toBe("al-1:high");
    expect((await t.store.alerts.get("al-1"))?.delivered).toBe("high");
    await (await start(hook.url)).idle();
    expect(hook.deliveries).toHaveLength(1);
  });

  it("an alert whose severity rose above its mark is sent again; one at its mark is not", async () => {
    const { t, start } = await setup();
    await t.store.alerts.upsert(alert({ id: "al-rose", severity: "critical" }));
    await t.store.alerts.markDelivered("al-rose", "high");
    await t.store.alerts.upsert(alert({ id: "al-done" }));
    await t.store.alerts.markDelivered("al-done", "high");
    await t.store.alerts.upsert(alert({ id: "al-acked" }));
    await t.store.alerts.setStatus("al-acked", "acknowledged", "alice");
    await t.store.alerts.upsert(alert({ id: "al-resolved" }));
    await t.store.alerts.setStatus("al-resolved", "resolved", "alice");
    const hook = await webhookReceiver();
    cleanups.push(() => hook.close());
    await (await start(hook.url)).idle();
    const ids = hook.deliveries.map((d) => JSON.parse(d.body).id).sort();
    expect(ids).toEqual(["al-acked:high", "al-rose:critical"]);
  });

  it("a shutdown that cuts a delivery short leaves it unmarked; the next start sends it", async () => {
    const { t, start } = await setup();
    await t.store.alerts.upsert(alert());
    let up = false;
    const hook = await webhookReceiver(() => (up ? 204 : 503));
    cleanups.push(() => hook.close());
    // The receiver is down: the first attempt fails, the retry waits 10 s, the shutdown
    // gives the sender 50 ms.
    const first = await start(hook.url, { baseDelayMs: 10_000, drainMs: 50 });
    await new Promise<void>((r) => {
      const poll = () => (hook.deliveries.length > 0 ? r() : setTimeout(poll, 10));
      poll();
    });
    const t0 = Date.now();
    await first.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect((await t.store.alerts.get("al-1"))?.delivered).toBeUndefined();
    up = true;
    await (await start(hook.url)).idle();
    expect(hook.deliveries.map((d) => JSON.parse(d.body).id)).toEqual(["al-1:high", "al-1:high"]);
    expect((await t.store.alerts.get("al-1"))?.delivered).toBe("high");
  });

  it("a receiver that fails every attempt is given up on: marked, not sent again", async () => {
    const { t, start } = await setup();
    await t.store.alerts.upsert(alert());
    const hook = await webhookReceiver(() => 500);
    cleanups.push(() => hook.close());
    await (await start(hook.url)).idle();
    expect(hook.deliveries).toHaveLength(3);
    expect((await t.store.alerts.get("al-1"))?.delivered).toBe("high");
    await (await start(hook.url)).idle();
    expect(hook.deliveries).toHaveLength(3);
  });
});
