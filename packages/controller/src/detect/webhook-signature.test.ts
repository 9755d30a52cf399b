// Webhook requests as a receiver sees them, checked by a verifier written from docs/api.md
// ("Alert webhooks") with Node's crypto alone, not with the sender's code: the signature over the
// timestamp and the exact body, the time window, schemaVersion, the event id kept across retries,
// and ISO-8601 for every time in the body. The flag is wired through a real controller: its
// audit anchors arrive signed too.
import { createHmac, timingSafeEqual } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { FlowObservation } from "@microseg/insight";
import { afterEach, describe, expect, it } from "vitest";
import { startController } from "../main.js";
import { testController } from "../test-helpers.js";
import { DEFAULT_DETECTION_CONFIG, readWebhookSecret } from "./config.js";
import { eventually, type WebhookDelivery, webhookReceiver } from "./receivers.js";
import { DetectionService } from "./service.js";

const SECRET = "9f86d081884c7d659a2feaa0c55ad015";
const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** The receiver's check from docs/api.md ("Alert webhooks"), with the clock as a parameter. */
function verify(d: WebhookDelivery, secret: string, nowSeconds: number, toleranceS = 300): boolean {
  const header = d.headers["x-microseg-signature"];
  const parts = Object.fromEntries(
    String(header ?? "")
      .split(",")
      .map((kv) => kv.split("=", 2)),
  );
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceS) return false;
  const expected = createHmac("sha256", secret).update(`${t}.`).update(d.body).digest();
  const given = Buffer.from(parts.v1 ?? "", "hex");
  return given.length === expected.length && timingSafeEqual(given, expected);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;
const TIME_KEY = /^(at|since|start|end)$|At$/;

/** Every time-named field an ISO string, and no number that looks like ms since the epoch. */
function timesIn(value: unknown, path = "$"): string[] {
  const bad: string[] = [];
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) bad.push(...timesIn(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      if (TIME_KEY.test(k) && !(typeof v === "string" && ISO.test(v))) bad.push(`${path}.${k}`);
      bad.push(...timesIn(v, `${path}.${k}`));
    }
  } else if (typeof value === "number" && value > 1e11) bad.push(path);
  return bad;
}

function obs(from: string, to: string, port: string, at: number): FlowObservation {
  return {
    from: { name: from, kind: "address" },
    to: { name: to, kind: "workload" },
    port,
    verdict: "blocked",
    count: 1,
    packets: 1,
    bytes: 60,
    first: at,
    last: at,
    reporter: to,
    side: "destination",
    rule: "default-deny",
  };
}

/** What a webhook receiver got for one blocked contact's alert, the secret given or none. */
async function deliveriesOfOneAlert(secret: string | undefined): Promise<WebhookDelivery[]> {
  const hook = await webhookReceiver();
  cleanups.push(() => hook.close());
  const t = await testController({ clock: () => new Date(T0 + 5000) });
  const service = new DetectionService(t.ctx, {
    ...DEFAULT_DETECTION_CONFIG,
    webhooks: [hook.url],
    ...(secret !== undefined ? { webhookSecret: secret } : {}),
    gapCheckMs: 0,
  });
  await service.start();
  cleanups.push(() => service.close());
  service.ingest([obs("10.9.9.9", "198.18.0.99", "tcp/445", T0)], T0);
  await service.idle();
  return hook.deliveries;
}

describe("signed webhooks", () => {
  it("a receiver verifies every attempt; retries keep the event id and body; times are ISO", async () => {
    let now = T0 + 5000;
    const t = await testController({ clock: () => new Date(now) });
    await t.call("PUT", "/api/v1/workloads/web-1", { labels: {}, addresses: ["198.18.1.10"] });
    await t.enrol("gone", "198.18.1.11", { role: "db" });
    const hook = await webhookReceiver((n) => (n === 1 ? 503 : 204));
    cleanups.push(() => hook.close());
    const service = new DetectionService(
      t.ctx,
      {
        ...DEFAULT_DETECTION_CONFIG,
        webhooks: [hook.url],
        webhookSecret: SECRET,
        gapCheckMs: 0,
        options: { gapGraceMs: 60_000, offlineAfterMs: 30_000 },
      },
      "0.1.0",
      { baseDelayMs: 10, attempts: 3, timeoutMs: 2000 },
    );
    await service.start();
    cleanups.push(() => service.close());
    for (let i = 0; i < 20; i++) {
      service.ingest([obs("10.9.9.9", "web-1", `tcp/${1000 + i}`, T0 + i)], T0 + i);
    }
    // An agent that never reports: an enforcement gap, its evidence holding a time (since).
    await service.checkGaps();
    now += 120_000;
    await service.checkGaps();
    await service.idle();
    const kinds = hook.deliveries.map((d) => JSON.parse(d.body).alerts[0].kind);
    expect(new Set(kinds)).toEqual(new Set(["scan", "enforcement-gap"]));

    const unix = Math.floor(Date.now() / 1000);
    const [failed, retried] = hook.deliveries;
    for (const d of hook.deliveries) expect(verify(d, SECRET, unix)).toBe(true);
    expect(retried?.body).toBe(failed?.body);
    expect(retried?.headers["x-microseg-event-id"]).toBe(failed?.headers["x-microseg-event-id"]);
    const body = JSON.parse(failed?.body ?? "{}");
    expect(body).toMatchObject({ schemaVersion: 1, type: "alert", id: expect.any(String) });
    expect(failed?.headers["x-microseg-event-id"]).toBe(body.id);
    for (const d of hook.deliveries) expect(timesIn(JSON.parse(d.body))).toEqual([]);
    const alerts = hook.deliveries.map((d) => JSON.parse(d.body).alerts[0]);
    const scan = alerts.find((a) => a.kind === "scan");
    const gap = alerts.find((a) => a.kind === "enforcement-gap");
    expect(scan.evidence.flows[0].at).toMatch(ISO);
    expect(gap.evidence.detail.since).toMatch(ISO);
  });

  it("a changed body, another secret or an old timestamp fails the documented check", async () => {
    const d = (await deliveriesOfOneAlert(SECRET))[0] as WebhookDelivery;
    const now = Math.floor(Date.now() / 1000);
    expect(verify(d, SECRET, now)).toBe(true);
    expect(verify({ ...d, body: d.body.replace('"high"', '"low"') }, SECRET, now)).toBe(false);
    expect(verify({ ...d, body: `${d.body} ` }, SECRET, now)).toBe(false);
    expect(verify(d, `${SECRET}x`, now)).toBe(false);
    expect(verify(d, SECRET, now + 3600)).toBe(false);
  });

  it("without a secret there is no signature header", async () => {
    const deliveries = await deliveriesOfOneAlert(undefined);
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]?.headers["x-microseg-signature"]).toBeUndefined();
  });
});

describe("--alert-webhook-secret", () => {
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "mseg-hook-secret-"));
    cleanups.push(() => rmSync(d, { recursive: true, force: true }));
    return d;
  };

  it("reads the file, one trailing line break dropped; refuses short and missing files", () => {
    const d = dir();
    writeFileSync(join(d, "ok"), `${SECRET}\n`);
    writeFileSync(join(d, "short"), "hunter2\n");
    expect(readWebhookSecret(join(d, "ok"))).toBe(SECRET);
    expect(() => readWebhookSecret(join(d, "short"))).toThrow(
      expect.objectContaining({
        code: "MSEG_USAGE",
        message: expect.stringMatching(/at least 16/),
      }),
    );
    expect(() => readWebhookSecret(join(d, "none"))).toThrow(
      expect.objectContaining({
        code: "MSEG_FILE_UNREADABLE",
        message: expect.stringMatching(/--alert-webhook-secret/),
      }),
    );
  });

  it("signs a real controller's audit anchors as well", async () => {
    const d = dir();
    writeFileSync(join(d, "hook.secret"), SECRET);
    const hook = await webhookReceiver();
    cleanups.push(() => hook.close());
    const ctl = await startController({
      dataDir: join(d, "data"),
      listen: "127.0.0.1:0",
      http: true,
      log: "silent",
      detection: { alertWebhook: [hook.url], alertWebhookSecret: join(d, "hook.secret") },
    });
    cleanups.push(() => ctl.close());
    expect(await eventually(() => hook.deliveries.length >= 1)).toBe(true);
    const d0 = hook.deliveries[0] as WebhookDelivery;
    expect(JSON.parse(d0.body)).toMatchObject({ schemaVersion: 1, type: "audit-anchor" });
    expect(verify(d0, SECRET, Math.floor(Date.now() / 1000))).toBe(true);
  });
});
