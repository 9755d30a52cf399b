// Serving the app on a socket (HTTPS with the controller's certificate, or plain HTTP), and a
// graceful close: held long-polls are answered 204 first (the hub closes), then the server stops
// accepting and waits for in-flight requests, cutting what is left after a grace period.
import { createServer as createHttp, type Server } from "node:http";
import { createServer as createHttps } from "node:https";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import { MicrosegError } from "@microseg/core";
import type { ControllerApp } from "./http/env.js";
import type { ListenAddress } from "./listen.js";
import { SERVER_TLS_OPTIONS } from "./tls/tls-options.js";

export interface ServeOptions {
  readonly listen: ListenAddress;
  /** Absent: plain HTTP. */
  readonly tls?: { readonly cert: string; readonly key: string };
}

export async function serve(app: ControllerApp, opts: ServeOptions): Promise<Server> {
  const listener = getRequestListener(app.fetch);
  const server: Server =
    opts.tls === undefined
      ? createHttp(listener)
      : createHttps({ cert: opts.tls.cert, key: opts.tls.key, ...SERVER_TLS_OPTIONS }, listener);
  // Long-polls hold a request up to 60 s; keep-alive lets an agent reuse its connection.
  server.keepAliveTimeout = 75_000;
  server.requestTimeout = 120_000;
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
