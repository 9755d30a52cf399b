// Real local receivers for delivery tests: an HTTP webhook endpoint and syslog collectors (TCP
// with octet-counted frames, RFC 6587; UDP, one datagram a line) on 127.0.0.1, recording exactly
// what arrived.
import { createSocket } from "node:dgram";
import { createServer, type IncomingHttpHeaders } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";

export interface WebhookDelivery {
  readonly headers: IncomingHttpHeaders;
  /** The raw body, exactly as sent (a signature covers these bytes). */
  readonly body: string;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly deliveries: WebhookDelivery[];
  close(): Promise<void>;
}

/** Answers `statusFor(n)` to the n-th request (1-based); 204 by default. */
export async function webhookReceiver(
  statusFor: (n: number) => number = () => 204,
): Promise<WebhookReceiver> {
  const deliveries: WebhookDelivery[] = [];
  let n = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      deliveries.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(statusFor(++n)).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  return {
    url,
    deliveries,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export interface SyslogReceiver {
  readonly target: string;
  /** Complete frames received, in order. */
  readonly lines: string[];
  /** Connections that are still open. */
  open(): number;
  close(): Promise<void>;
}

export async function tcpSyslogReceiver(): Promise<SyslogReceiver> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server = createTcpServer((sock) => {
    sockets.add(sock);
    let buf = Buffer.alloc(0);
    sock.on("data", (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const space = buf.indexOf(0x20);
        if (space < 0) return;
        const len = Number(buf.subarray(0, space).toString());
        if (buf.length < space + 1 + len) return;
        lines.push(buf.subarray(space + 1, space + 1 + len).toString("utf8"));
        buf = buf.subarray(space + 1 + len);
      }
    });
    sock.on("close", () => sockets.delete(sock));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const target = `tcp://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    target,
    lines,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

export async function udpSyslogReceiver(): Promise<SyslogReceiver> {
  const lines: string[] = [];
  const socket = createSocket("udp4");
  socket.on("message", (m) => lines.push(m.toString("utf8")));
  await new Promise<void>((r) => socket.bind(0, "127.0.0.1", r));
  return {
    target: `udp://127.0.0.1:${socket.address().port}`,
    lines,
    open: () => 0,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/** Polls `check` every 20 ms until it holds or `ms` pass; answers whether it held. */
export async function eventually(check: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return true;
}
