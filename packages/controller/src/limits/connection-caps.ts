// Connection caps on the listening socket, applied before TLS or HTTP see a byte: at most
// `perClient` concurrent connections from one client address (client-key.ts), and `total` in
// all (node's maxConnections). A connection beyond a cap is closed at once; the others are not
// disturbed. Without them ~20,000 idle TLS connections from one host used up the process's file
// descriptors and agents were refused for a minute.
import { readFileSync } from "node:fs";
import type { Server } from "node:net";
import { clientKey } from "./client-key.js";

export interface ConnectionCaps {
  readonly perClient: number;
  readonly total: number;
}

export function capConnections(server: Server, caps: ConnectionCaps): void {
  server.maxConnections = caps.total;
  const open = new Map<string, number>();
  server.on("connection", (socket) => {
    const key = clientKey(socket.remoteAddress);
    const n = open.get(key) ?? 0;
    if (n >= caps.perClient) {
      socket.destroy();
      return;
    }
    open.set(key, n + 1);
    socket.once("close", () => {
      const left = (open.get(key) ?? 1) - 1;
      if (left <= 0) open.delete(key);
      else open.set(key, left);
    });
  });
}

/**
 * The default total: 3/4 of the process's open-file limit (node raises the soft limit to the
 * hard one at start), leaving the rest for the database, logs and outgoing connections.
 */
export function defaultTotalConnections(limitsFile = "/proc/self/limits"): number {
  let soft = 1024;
  try {
    const line = readFileSync(limitsFile, "utf8")
      .split("\n")
      .find((l) => l.startsWith("Max open files"));
    const value = Number(line?.split(/\s{2,}/)[1]);
    if (Number.isInteger(value) && value > 0) soft = value;
  } catch {
    // Not Linux: keep the common default.
  }
  return Math.max(64, Math.floor(soft * 0.75));
}
