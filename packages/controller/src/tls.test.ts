// The controller's TLS as a real client sees it: Debian's `openssl s_client` against a real
// HTTPS socket on 127.0.0.1. Only TLS 1.2 ECDHE + AEAD suites and TLS 1.3 complete a handshake;
// every HTTPS answer (console and API) carries Strict-Transport-Security.
import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HSTS } from "./http/console.js";
import { type RunningController, startController } from "./main.js";

const hasOpenssl = spawnSync("openssl", ["version"]).status === 0;

const dir = mkdtempSync(join(tmpdir(), "mseg-tls-"));
let ctl: RunningController;
let hostPort: string;

beforeAll(async () => {
  ctl = await startController({ dataDir: dir, listen: "127.0.0.1:0", log: "silent" });
  hostPort = new URL(ctl.url).host;
});
afterAll(async () => {
  await ctl.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * One handshake with `openssl s_client ARGS` (asynchronous: the server runs in this process);
 * the cipher agreed on, or null when the handshake failed.
 */
function handshake(args: readonly string[]): Promise<string | null> {
  return new Promise((resolve) => {
    const argv = ["s_client", "-connect", hostPort, ...args];
    const child = execFile("openssl", argv, { timeout: 10_000 }, (err, stdout) => {
      const cipher = /Cipher is (\S+)/.exec(stdout)?.[1];
      resolve(err === null && cipher !== undefined && cipher !== "(NONE)" ? cipher : null);
    });
    child.stdin?.end();
  });
}

function headers(path: string): Promise<Record<string, string | string[] | undefined>> {
  return new Promise((resolve, reject) => {
    const req = request(`${ctl.url}${path}`, { ca: ctl.caPem ?? "" }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.headers));
    });
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(!hasOpenssl)("controller TLS (openssl s_client)", () => {
  it("refuses a CBC-SHA1 suite over TLS 1.2", async () => {
    expect(await handshake(["-tls1_2", "-cipher", "AES128-SHA"])).toBeNull();
    expect(await handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA"])).toBeNull();
    expect(await handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-SHA256"])).toBeNull();
  });

  it("agrees on ECDHE + AEAD over TLS 1.2, and on TLS 1.3", async () => {
    expect(await handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"])).toBe(
      "ECDHE-ECDSA-AES128-GCM-SHA256",
    );
    expect(await handshake(["-tls1_2", "-cipher", "ECDHE-ECDSA-CHACHA20-POLY1305"])).toBe(
      "ECDHE-ECDSA-CHACHA20-POLY1305",
    );
    expect(await handshake(["-tls1_2"])).toMatch(
      /^ECDHE-ECDSA-(AES\d+-GCM-SHA\d+|CHACHA20-POLY1305)$/,
    );
    expect(await handshake(["-tls1_3"])).toMatch(
      /^TLS_(AES_\d+_GCM_SHA\d+|CHACHA20_POLY1305_SHA256)$/,
    );
  });

  it("refuses TLS 1.1", async () => {
    // Debian's openssl forbids TLS 1.1 at its default security level; level 0 lets it try.
    expect(await handshake(["-tls1_1", "-cipher", "DEFAULT:@SECLEVEL=0"])).toBeNull();
  });

  it("offers X25519 or P-256 for the key exchange, never P-521", async () => {
    // TLS 1.3 names the group alone; in TLS 1.2 the client's list also bounds the certificate's
    // curve (P-256), so X25519 is checked over TLS 1.3.
    expect(await handshake(["-tls1_3", "-groups", "X25519"])).not.toBeNull();
    expect(await handshake(["-tls1_3", "-groups", "P-256"])).not.toBeNull();
    expect(await handshake(["-tls1_2", "-groups", "P-256"])).not.toBeNull();
    expect(await handshake(["-tls1_3", "-groups", "P-521"])).toBeNull();
  });
});

describe("controller HTTPS answers", () => {
  it("carry Strict-Transport-Security on the console, the API and its errors", async () => {
    expect(HSTS).toMatch(/^max-age=\d{7,}/);
    for (const path of ["/", "/workloads", "/api/ca.pem", "/api/v1/status", "/api/nope"]) {
      expect((await headers(path))["strict-transport-security"], path).toBe(HSTS);
    }
  });
});
