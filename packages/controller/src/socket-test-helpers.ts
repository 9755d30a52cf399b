// Real sockets on loopback for the front-door tests: a controller over HTTPS with given limits,
// requests and TLS connections from a chosen source address (127.0.0.1, 127.0.0.2, … are
// distinct clients: loopback routes all of 127/8).
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { type Socket, connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type TLSSocket, connect as tlsConnect } from "node:tls";
import type { LimitSettings } from "./limits/defaults.js";
import { type RunningController, startController } from "./main.js";

const dirs: string[] = [];

/** Removes the data directories of every controller() so far (call from afterAll). */
export function removeControllerDirs(): void {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
}

export async function controller(limits: Partial<LimitSettings>): Promise<RunningController> {
  const dir = mkdtempSync(join(tmpdir(), "mseg-door-"));
  dirs.push(dir);
  return startController({ dataDir: dir, listen: "127.0.0.1:0", log: "silent", limits });
}

export const portOf = (ctl: RunningController) => Number(new URL(ctl.url).port);

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One HTTPS request from `from` (a loopback source address), no connection reuse. */
export function call(
  ctl: RunningController,
  path: string,
  o: { from?: string; token?: string; method?: string; body?: unknown } = {},
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const payload = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request(
      `${ctl.url}${path}`,
      {
        method: o.method ?? "GET",
        ca: ctl.caPem ?? undefined,
        agent: false,
        localAddress: o.from ?? "127.0.0.1",
        headers: {
          ...(o.token !== undefined && { authorization: `Bearer ${o.token}` }),
          ...(payload !== undefined && { "content-type": "application/json" }),
        },
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

/** A TLS connection from `from`; resolves once the handshake is done. */
export function tlsOpen(ctl: RunningController, from: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const tcp = tcpConnect({ host: "127.0.0.1", port: portOf(ctl), localAddress: from });
    const s = tlsConnect({ socket: tcp, rejectUnauthorized: false });
    s.once("secureConnect", () => resolve(s));
    s.once("error", reject);
    s.once("close", () => reject(new Error("closed before the handshake")));
  });
}

/** Resolves with how long (ms) until the server closed `s`; reads whatever it sends. */
export function closedAfter(s: Socket, t0: number): Promise<number> {
  return new Promise((resolve) => {
    s.on("data", () => undefined);
    s.on("error", () => undefined);
    s.once("close", () => resolve(Date.now() - t0));
  });
}
