// End to end over a real HTTPS socket on 127.0.0.1: the CA is pinned by fingerprint, an agent
// enrols and long-polls, a held poll is answered 204 at close, a restart keeps the data.
import { createHash, X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { startController } from "./main.js";

interface Reply {
  status: number;
  body: string;
}

/** One HTTPS request; `ca` undefined: no trust at all (rejectUnauthorized false). */
function call(url: string, opts: { method?: string; token?: string; body?: unknown; ca?: string }) {
  return new Promise<Reply>((resolve, reject) => {
    const payload = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request(
      url,
      {
        method: opts.method ?? "GET",
        ...(opts.ca === undefined ? { rejectUnauthorized: false } : { ca: opts.ca }),
        headers: {
          ...(opts.token !== undefined && { authorization: `Bearer ${opts.token}` }),
          ...(payload !== undefined && { "content-type": "application/json" }),
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const dir = mkdtempSync(join(tmpdir(), "mseg-e2e-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("controller over HTTPS", () => {
  it("serves with its own CA, pinned by fingerprint; agents enrol and poll; restart keeps data", async () => {
    const ctl = await startController({ dataDir: dir, listen: "127.0.0.1:0", log: "silent" });
    expect(ctl.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const token = ctl.adminToken ?? "";
    expect(token).toMatch(/^mst_/);
    expect(readFileSync(join(dir, "admin.token"), "utf8").trim()).toBe(token);
    expect(statSync(join(dir, "admin.token")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "tls/ca.key")).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, "tls/server.key")).mode & 0o777).toBe(0o600);

    // Pinning: fetch the CA without trust, check its fingerprint, then trust only it.
    const caReply = await call(`${ctl.url}/api/ca.pem`, {});
    const der = new X509Certificate(caReply.body).raw;
    const fp = createHash("sha256").update(der).digest("hex");
    expect(fp).toBe(ctl.caFingerprint);
    const ca = caReply.body;
    await expect(
      new Promise((resolve, reject) => {
        const req = request(`${ctl.url}/api/ca.pem`, resolve);
        req.on("error", reject);
        req.end();
      }),
    ).rejects.toThrow(/self[- ]signed|unable to verify|certificate/i);

    const status = await call(`${ctl.url}/api/v1/status`, { token, ca });
    expect(JSON.parse(status.body).caFingerprint).toBe(fp);
    expect((await call(`${ctl.url}/api/v1/status`, { ca })).status).toBe(401);

    const prof = JSON.parse(
      (
        await call(`${ctl.url}/api/v1/enrol-profiles`, {
          method: "POST",
          token,
          ca,
          body: { name: "web" },
        })
      ).body,
    );
    const enrol = await call(`${ctl.url}/api/v1/enrol`, {
      method: "POST",
      ca,
      body: {
        key: prof.key,
        hostname: "web-1",
        interfaces: [{ name: "lo", addresses: ["127.0.0.1"] }],
      },
    });
    expect(enrol.status).toBe(201);
    const cred = JSON.parse(enrol.body).credential as string;
    const first = await call(`${ctl.url}/api/v1/agent/policy`, { token: cred, ca });
    expect(JSON.parse(first.body).management.v4).toEqual(["127.0.0.1/32"]);

    // A held long-poll is answered 204 when the controller closes.
    const held = call(`${ctl.url}/api/v1/agent/policy?known=none&wait=30`, { token: cred, ca });
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await ctl.close();
    expect((await held).status).toBe(204);
    expect(Date.now() - t0).toBeLessThan(2500);

    const again = await startController({ dataDir: dir, listen: "127.0.0.1:0", log: "silent" });
    try {
      expect(again.adminToken).toBeUndefined();
      expect(again.caFingerprint).toBe(fp);
      const agents = await call(`${again.url}/api/v1/agents`, { token, ca });
      expect(JSON.parse(agents.body).agents.map((a: { workload: string }) => a.workload)).toEqual([
        "web-1",
      ]);
    } finally {
      await again.close();
    }
  });
});
