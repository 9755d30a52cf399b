// Serving the app on a socket (HTTPS with the controller's certificate, or plain HTTP), and a
// graceful close: held long-polls are answered 204 first (the hub closes), then the server stops
// accepting and waits for in-flight requests, cutting what is left after a grace period.
//
// The front door's limits (limits/defaults.ts) bound what a client can hold without sending a
// request: connections per client address and in all (closed at once beyond the cap), a TLS
// handshake (handshakeTimeoutMs), the headers of a request — also the first one of a fresh
// connection (headersTimeoutMs, checked every second), the whole request (requestTimeoutMs; a
// held long-poll answer is not part of it) and an idle keep-alive (keepAliveTimeoutMs).
import { createServer as createHttp, type Server } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { MicrosegError } from "@microseg/core";
import type { ControllerApp } from "./http/env.js";
import { capConnections, defaultTotalConnections } from "./limits/connection-caps.js";
import { DEFAULT_LIMITS, type LimitSettings } from "./limits/defaults.js";
import type { ListenAddress } from "./listen.js";
import { SERVER_TLS_OPTIONS } from "./tls/tls-options.js";

export interface ServeOptions {
  readonly listen: ListenAddress;
  /** Absent: plain HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
  readonly limits?: LimitSettings;
}

export async function serve(app: ControllerApp, opts: ServeOptions): Promise<Server> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const listener = getRequestListener(app.fetch);
  const http = {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    // Node checks the two timeouts above on this interval (default 30 s, which would let a
    // silent connection stay 30 s past its timeout).
    connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs),
  };
  const server: Server =
    opts.tls === undefined
      ? createHttp(http, listener)
      : createHttps(
          {
            ...http,
            cert: opts.tls.cert,
            key: opts.tls.key,
            ...SERVER_TLS_OPTIONS,
            handshakeTimeout: limits.handshakeTimeoutMs,
          },
          listener,
        );
  // A long-poll holds its answer up to 60 s on an active connection; this reaps idle ones.
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  capConnections(server, {
    perClient: limits.connectionsPerClient,
    total: limits.connections ?? defaultTotalConnections(),
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", (err) => {
      const where = `${opts.listen.host}:${opts.listen.port}`;
      reject(
        new MicrosegError(
          "MSEG_CONTROLLER_LISTEN_FAILED",
          `cannot listen on ${where}: ${err.message}`,
        ),
      );
    });
    server.listen(opts.listen.port, opts.listen.host, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
  return server;
}

export function boundPort(server: Server): number {
  return (server.address() as AddressInfo).port;
}

/** Stops accepting, lets in-flight requests finish, cuts the rest after `graceMs`. */
export async function closeServer(server: Server, graceMs = 3000): Promise<void> {
  await new Promise<void>((resolve) => {
    const timer = setTimeout(() => server.closeAllConnections(), graceMs);
    // A keep-alive connection turns idle when its last response is written; close those as they
    // appear instead of waiting for their keep-alive timeout.
    const sweep = setInterval(() => server.closeIdleConnections(), 25);
    server.close(() => {
      clearTimeout(timer);
      clearInterval(sweep);
      resolve();
    });
    server.closeIdleConnections();
  });
}
