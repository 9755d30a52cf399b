// The controller's front door over real sockets on loopback (127.0.0.1 and 127.0.0.2 are two
// client addresses): body limits before the body is read, failed authentications answered 429.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunningController } from "./main.js";
import { call, controller, removeControllerDirs, tlsOpen } from "./socket-test-helpers.js";

afterAll(removeControllerDirs);

describe("front door", () => {
  let ctl: RunningController;
  beforeAll(async () => {
    ctl = await controller({ authFailureBurst: 10, authFailuresPerSecond: 0.1 });
  });
  afterAll(() => ctl.close());

  it("answers 413 to an oversized enrolment from its Content-Length, before the body is sent", async () => {
    const s = await tlsOpen(ctl, "127.0.0.3");
    const t0 = Date.now();
    let sent = 0;
    s.write(
      "POST /api/v1/enrol HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" +
        "Content-Length: 1000000\r\n\r\n",
    );
    const trickle = setInterval(() => {
      if (s.writable) {
        s.write("{");
        sent++;
      }
    }, 50);
    const answer = await new Promise<string>((resolve) => {
      let text = "";
      s.on("data", (d: Buffer) => {
        text += d.toString();
        if (text.includes("\r\n\r\n")) resolve(text);
      });
    });
    clearInterval(trickle);
    s.destroy();
    expect(answer).toMatch(/^HTTP\/1\.1 413 /);
    expect(answer).toContain("MSEG_API_BODY_TOO_LARGE");
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(sent).toBeLessThan(40);
  });

  it("answers 429 with Retry-After after N failed authentications from one address", async () => {
    const admin = ctl.adminToken ?? "";
    const failures = [
      ...Array.from({ length: 4 }, () => call(ctl, "/api/v1/status", { token: "mst_wrong" })),
      ...Array.from({ length: 3 }, () =>
        call(ctl, "/api/v1/agent/policy?wait=0", { token: "msa_wrong" }),
      ),
      ...Array.from({ length: 3 }, () =>
        call(ctl, "/api/v1/enrol", {
          method: "POST",
          body: { key: "mse_wrong", hostname: "h", interfaces: [] },
        }),
      ),
    ];
    const statuses = (await Promise.all(failures)).map((r) => r.status).sort();
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401, 401, 403, 403, 403]);
    const limited = await call(ctl, "/api/v1/status", { token: "mst_wrong" });
    expect(limited.status).toBe(429);
    expect(JSON.parse(limited.body).error.code).toBe("MSEG_API_RATE_LIMITED");
    expect(Number(limited.headers["retry-after"])).toBeGreaterThanOrEqual(1);
    // Blocked is blocked, the right token too; public routes stay open.
    expect((await call(ctl, "/api/v1/status", { token: admin })).status).toBe(429);
    expect((await call(ctl, "/api/ca.pem")).status).toBe(200);
    // Another address is served, and its success does not clear the first one's count.
    expect((await call(ctl, "/api/v1/status", { token: admin, from: "127.0.0.2" })).status).toBe(
      200,
    );
    expect((await call(ctl, "/api/v1/status", { token: "mst_wrong" })).status).toBe(429);
  });
});
