// Alert delivery to a syslog collector over UDP (one datagram per line) or TCP (octet-counted
// framing, RFC 6587: `LEN SP LINE`). Like the webhook sender it never blocks its caller: lines
// wait in a bounded queue (oldest dropped when full); a broken TCP connection is reopened on the
// next line after a short pause.
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createConnection, type Socket } from "node:net";
import type { Logger } from "pino";
import type { SyslogTarget } from "./config.js";

const MAX_QUEUE = 1000;
const RECONNECT_MS = 2000;

export class SyslogSender {
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private tcpReady = false;
  private readonly queue: string[] = [];
  private retryAt = 0;
  private closed = false;
  sent = 0;
  dropped = 0;

  constructor(
    readonly target: SyslogTarget,
    private readonly log: Logger,
  ) {}

  send(line: string): void {
    if (this.closed) return;
    if (this.target.transport === "udp") {
      this.sendUdp(line);
      return;
    }
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.shift();
      this.dropped++;
    }
    this.queue.push(line);
    this.flushTcp();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.udp?.close();
    if (this.tcp !== undefined) await new Promise<void>((r) => this.tcp?.end(r));
  }

  private sendUdp(line: string) {
    if (this.udp === undefined) {
      this.udp = createSocket(this.target.host.includes(":") ? "udp6" : "udp4");
      this.udp.on("error", (err) => this.log.warn({ err: err.message }, "syslog (udp) error"));
      this.udp.unref();
    }
    this.udp.send(Buffer.from(line), this.target.port, this.target.host, (err) => {
      if (err) {
        this.dropped++;
        this.log.warn({ target: this.target, err: err.message }, "syslog (udp) send failed");
      } else this.sent++;
    });
  }

  private flushTcp() {
    if (this.tcp === undefined) {
      if (Date.now() < this.retryAt) return;
      this.connect();
      return;
    }
    if (!this.tcpReady) return;
    while (this.queue.length > 0) {
      const line = this.queue.shift() as string;
      this.tcp.write(`${Buffer.byteLength(line)} ${line}`);
      this.sent++;
    }
  }

  private connect() {
    const sock = createConnection({ host: this.target.host, port: this.target.port });
    this.tcp = sock;
    sock.unref();
    sock.on("connect", () => {
      this.tcpReady = true;
      this.flushTcp();
    });
    sock.on("error", (err) => {
      this.log.warn({ target: this.target, err: err.message }, "syslog (tcp) connection failed");
    });
    sock.on("close", () => {
      this.tcp = undefined;
      this.tcpReady = false;
      this.retryAt = Date.now() + RECONNECT_MS;
      if (!this.closed && this.queue.length > 0) {
        setTimeout(() => this.flushTcp(), RECONNECT_MS).unref();
      }
    });
  }
}
