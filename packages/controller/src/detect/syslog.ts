// Alert delivery to a syslog collector over UDP (one datagram per line) or TCP (octet-counted
// framing, RFC 6587: `LEN SP LINE`). Like the webhook sender it never blocks its caller: lines
// wait in a bounded queue (oldest dropped when full); a broken TCP connection is reopened on the
// next line after a short pause. send() answers when the sender is done with the line: UDP when
// the datagram left, TCP when the kernel took the frame.
import { createSocket, type Socket as UdpSocket } from "node:dgram";
import { createConnection, type Socket } from "node:net";
import type { Logger } from "pino";
import type { SyslogTarget } from "./config.js";
import type { DeliveryOutcome } from "./webhook.js";

const MAX_QUEUE = 1000;
const RECONNECT_MS = 2000;

interface Queued {
  readonly line: string;
  readonly done: (outcome: DeliveryOutcome) => void;
}

export class SyslogSender {
  private udp: UdpSocket | undefined;
  private tcp: Socket | undefined;
  private tcpReady = false;
  private readonly queue: Queued[] = [];
  private retryAt = 0;
  private closed = false;
  sent = 0;
  dropped = 0;

  constructor(
    readonly target: SyslogTarget,
    private readonly log: Logger,
  ) {}

  /** Sends or queues the line; resolves when the sender is done with it (never rejects). */
  send(line: string): Promise<DeliveryOutcome> {
    if (this.closed) return Promise.resolve("closed");
    if (this.target.transport === "udp") return this.sendUdp(line);
    if (this.queue.length >= MAX_QUEUE) {
      this.queue.shift()?.done("dropped");
      this.dropped++;
    }
    const outcome = new Promise<DeliveryOutcome>((done) => this.queue.push({ line, done }));
    this.flushTcp();
    return outcome;
  }

  /** Lines still queued (TCP not connected) are left undelivered: `closed`. */
  async close(): Promise<void> {
    this.closed = true;
    for (const q of this.queue.splice(0)) q.done("closed");
    this.udp?.close();
    if (this.tcp !== undefined) await new Promise<void>((r) => this.tcp?.end(r));
  }

  private sendUdp(line: string): Promise<DeliveryOutcome> {
    if (this.udp === undefined) {
      this.udp = createSocket(this.target.host.includes(":") ? "udp6" : "udp4");
      this.udp.on("error", (err) => this.log.warn({ err: err.message }, "syslog (udp) error"));
      this.udp.unref();
    }
    return new Promise((done) => {
      this.udp?.send(Buffer.from(line), this.target.port, this.target.host, (err) => {
        if (err) {
          this.dropped++;
          this.log.warn({ target: this.target, err: err.message }, "syslog (udp) send failed");
          done("dropped");
        } else {
          this.sent++;
          done("delivered");
        }
      });
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
      const q = this.queue.shift() as Queued;
      this.tcp.write(`${Buffer.byteLength(q.line)} ${q.line}`, (err) => {
        q.done(err ? "dropped" : "delivered");
      });
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
