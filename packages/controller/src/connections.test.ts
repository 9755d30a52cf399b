// Connections over real sockets on loopback: capped per client address (127.0.0.2 is another
// client), TLS handshakes and connections that never send a request cut after their timeouts.
import { connect as tcpConnect } from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import {
  call,
  closedAfter,
  controller,
  portOf,
  removeControllerDirs,
  tlsOpen,
} from "./socket-test-helpers.js";

afterAll(removeControllerDirs);

describe("connections", () => {
  it("closes connections beyond the per-client cap at once; another address is served", async () => {
    const ctl = await controller({ connectionsPerClient: 8 });
    const held = await Promise.all(Array.from({ length: 8 }, () => tlsOpen(ctl, "127.0.0.1")));
    const t0 = Date.now();
    await expect(tlsOpen(ctl, "127.0.0.1")).rejects.toThrow();
    expect(Date.now() - t0).toBeLessThan(1000);
    expect((await call(ctl, "/api/ca.pem", { from: "127.0.0.2" })).status).toBe(200);
    // A closed connection frees its place.
    held[0]?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const again = await tlsOpen(ctl, "127.0.0.1");
    for (const s of [...held, again]) s.destroy();
    await ctl.close();
  });

  it("cuts a TLS handshake that never finishes, and a connection that never sends a request", async () => {
    const ctl = await controller({ handshakeTimeoutMs: 1000, headersTimeoutMs: 1000 });
    const t0 = Date.now();
    const raw = tcpConnect(portOf(ctl), "127.0.0.1");
    const tls = await tlsOpen(ctl, "127.0.0.1");
    const [rawMs, tlsMs] = await Promise.all([closedAfter(raw, t0), closedAfter(tls, t0)]);
    expect(rawMs).toBeGreaterThanOrEqual(900);
    expect(rawMs).toBeLessThan(3000);
    expect(tlsMs).toBeGreaterThanOrEqual(900);
    expect(tlsMs).toBeLessThan(3500);
    await ctl.close();
  });
});

describe("connection totals and idle keep-alive", () => {
  it("caps connections in all, and closes a keep-alive connection left idle", async () => {
    const ctl = await controller({ connections: 3, keepAliveTimeoutMs: 1000 });
    const held = await Promise.all(
      ["127.0.0.1", "127.0.0.2", "127.0.0.3"].map((a) => tlsOpen(ctl, a)),
    );
    await expect(tlsOpen(ctl, "127.0.0.4")).rejects.toThrow();
    for (const s of held) s.destroy();
    await new Promise((r) => setTimeout(r, 100));
    const s = await tlsOpen(ctl, "127.0.0.4");
    const t0 = Date.now();
    s.write("GET /api/ca.pem HTTP/1.1\r\nHost: x\r\n\r\n");
    const closedMs = await closedAfter(s, t0);
    expect(closedMs).toBeGreaterThanOrEqual(900);
    expect(closedMs).toBeLessThan(3000);
    await ctl.close();
  });
});
