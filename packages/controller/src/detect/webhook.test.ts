// The webhook sender's bounds: send() never waits; a full queue drops its oldest alert; a receiver
// that never answers 2xx costs each alert its attempts, then the alert is dropped and logged.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { WebhookSender } from "./webhook.js";

describe("WebhookSender", () => {
  it("keeps at most maxQueue alerts waiting, dropping the oldest, and logs failures", async () => {
    const seen: number[] = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (c) => {
        body += c;
      });
      req.on("end", () => {
        seen.push((JSON.parse(body) as { alerts: { n: number }[] }).alerts[0]?.n ?? -1);
        res.writeHead(500).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const lines: string[] = [];
    const log = pino({ level: "warn" }, { write: (l: string) => void lines.push(l) });
    const sender = new WebhookSender(url, log, { maxQueue: 2, attempts: 2, baseDelayMs: 5 });
    const outcomes = [1, 2, 3, 4, 5].map((n) =>
      sender.send({ id: `e${n}`, type: "alert", data: { alerts: [{ n }] } }),
    );
    expect(seen).toEqual([]); // send() returned before any request was answered
    await sender.idle();
    await new Promise<void>((r) => server.close(() => r()));
    // 1 went out at once; of 2..5 only the newest two waited: 4 and 5. Each tried twice.
    expect(seen).toEqual([1, 1, 4, 4, 5, 5]);
    expect(sender.delivered).toBe(0);
    expect(sender.dropped).toBe(5);
    expect(await Promise.all(outcomes)).toEqual(Array(5).fill("dropped"));
    expect(lines.filter((l) => l.includes("queue full"))).toHaveLength(2);
    expect(
      lines.filter((l) => l.includes("event dropped") && l.includes('"attempt":2')),
    ).toHaveLength(3);
  });
});
