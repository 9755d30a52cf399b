// `--metrics-listen HOST:PORT`: a small plain-HTTP listener (off by default) for a Prometheus
// scraper and a liveness probe, apart from the agent's controller channel.
//
//   GET /metrics   Prometheus text (metrics.ts)
//   GET /healthz   200 {"status":"ok"} while the process serves
//   anything else  404 (405 for a method other than GET/HEAD)
//
// It answers whoever reaches it; bind it to loopback or a management address. The agent's own
// table governs who reaches it like any port of the host (docs/agent.md, "Metrics").
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { MicrosegError } from "@microseg/core/errors";
// A subpath, not the barrel: the agent never loads the policy core at run time.
import { parseHostPort } from "@microseg/core/host-port";
import type { AgentMetrics } from "./metrics.js";

export interface MetricsListener {
  /** http://HOST:PORT (the bound port when 0 was asked for). */
  readonly url: string;
  close(): Promise<void>;
}

export async function serveMetrics(
  listen: string,
  metrics: AgentMetrics,
): Promise<MetricsListener> {
  const at = parseHostPort(listen);
  if (at === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--metrics-listen "${listen}" is not HOST:PORT (e.g. 127.0.0.1:9464)`,
    );
  }
  const server = createServer({ headersTimeout: 10_000, requestTimeout: 10_000 }, (req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" }).end();
    } else if (path === "/healthz") {
      res.writeHead(200, { "content-type": "application/json" }).end('{"status":"ok"}');
    } else if (path === "/metrics") {
      metrics.text().then(
        (text) => res.writeHead(200, { "content-type": metrics.contentType }).end(text),
        () => res.writeHead(500).end(),
      );
    } else {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found: /metrics, /healthz\n");
    }
  });
  // A scraper and a probe need a few connections; nothing more is taken.
  server.maxConnections = 16;
  server.keepAliveTimeout = 5000;
  await listenOn(server, at.host, at.port, listen);
  server.unref();
  const port = (server.address() as AddressInfo).port;
  const host = at.host.includes(":") ? `[${at.host}]` : at.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listenOn(server: Server, host: string, port: number, text: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", (err) =>
      reject(
        new MicrosegError(
          "MSEG_USAGE",
          `--metrics-listen ${text}: cannot listen (${err.message}); pick another address or port`,
        ),
      ),
    );
    server.listen(port, host, () => {
      server.removeAllListeners("error");
      resolve();
    });
  });
}
