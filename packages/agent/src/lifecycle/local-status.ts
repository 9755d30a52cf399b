// The running agent's side of `microseg-agent status`: keeps what the status file says
// (status-file.ts) and writes it atomically every heartbeat period, and within WRITE_SOON_MS of
// an apply, a restore or a change of the controller's reachability (coalesced: one write at a
// time, at most one waiting). Also written while the controller is unreachable, so a live agent
// never looks stopped. Cheap: one small JSON file, no listing of the kernel.

import { join } from "node:path";
import type { FlowCollection } from "../flows/index.js";
import { writeAtomic } from "../state-store.js";
import type { Reporter } from "../status-reporter.js";
import type { AgentEvent, AppliedReport, DriftStatus } from "../wire.js";
import { type AgentStatusFile, STATUS_FILE, STATUS_VERSION } from "./status-file.js";

const WRITE_SOON_MS = 50;

export interface LocalStatusOptions {
  readonly dir: string;
  readonly controller: string;
  readonly heartbeatMs: number;
  /** The policy the kernel enforces now. */
  readonly enforced: () => AgentStatusFile["policy"];
  readonly flows: () => FlowCollection | undefined;
  readonly onError?: (e: unknown) => void;
  readonly now?: () => Date;
}

export class LocalStatus {
  private readonly startedAt: Date;
  private readonly now: () => Date;
  private controller: Omit<AgentStatusFile["controller"], "url"> = {
    reachable: null,
    lastContactAt: null,
    lastError: null,
  };
  private lastApply: AgentStatusFile["lastApply"] = null;
  private drift: AgentStatusFile["drift"] = { restores: 0, lastRestoreAt: null, lastDetails: null };
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private writing: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly o: LocalStatusOptions) {
    this.now = o.now ?? (() => new Date());
    this.startedAt = this.now();
  }

  /** Writes now and then every heartbeat period (the timer never keeps the process alive). */
  start(): void {
    this.stopped = false;
    void this.write();
    this.timer = setInterval(() => void this.write(), this.o.heartbeatMs);
    this.timer.unref();
  }

  /** No more writes; resolves once a write in flight is done (the directory is then still). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.soon);
    while (this.writing) await this.writing;
  }

  applied(r: AppliedReport): void {
    const error = r.ok ? {} : { error: r.error ?? "apply failed" };
    const at = this.now().toISOString();
    this.lastApply = {
      at,
      ok: r.ok,
      revision: r.revision,
      hash: r.rulesetHash,
      ms: r.ms,
      ...error,
    };
    this.writeSoon();
  }

  restored(at: string, details: string): void {
    this.drift = { restores: this.drift.restores + 1, lastRestoreAt: at, lastDetails: details };
    this.writeSoon();
  }

  /** A status report was accepted (ok) or failed with `error`. */
  contact(ok: boolean, error?: string): void {
    const was = this.controller.reachable;
    this.controller = ok
      ? { reachable: true, lastContactAt: this.now().toISOString(), lastError: null }
      : { ...this.controller, reachable: false, lastError: error ?? "no answer" };
    if (was !== this.controller.reachable) this.writeSoon();
  }

  /** What the file says now. */
  snapshot(): AgentStatusFile {
    const buffer = this.o.flows()?.buffer;
    const cpu = process.cpuUsage();
    return {
      version: STATUS_VERSION,
      pid: process.pid,
      startedAt: this.startedAt.toISOString(),
      writtenAt: this.now().toISOString(),
      heartbeatSeconds: this.o.heartbeatMs / 1000,
      controller: { url: this.o.controller, ...this.controller },
      policy: this.o.enforced(),
      lastApply: this.lastApply,
      drift: this.drift,
      flows: {
        enabled: buffer !== undefined,
        batches: buffer?.pending ?? 0,
        bytes: buffer?.bytes ?? 0,
        dropped: buffer?.dropped ?? 0,
      },
      resources: {
        rssBytes: process.memoryUsage.rss(),
        cpuSeconds: Math.round((cpu.user + cpu.system) / 1000) / 1000,
        uptimeSeconds: Math.round((this.now().getTime() - this.startedAt.getTime()) / 1000),
      },
    };
  }

  /** One write at a time; resolves when the file holds a snapshot taken after the call. */
  async write(): Promise<void> {
    while (this.writing) await this.writing;
    this.writing = writeAtomic(join(this.o.dir, STATUS_FILE), JSON.stringify(this.snapshot()))
      .catch((e: unknown) => this.o.onError?.(e))
      .finally(() => {
        this.writing = undefined;
      });
    await this.writing;
  }

  private writeSoon(): void {
    if (this.soon || this.stopped) return;
    this.soon = setTimeout(() => {
      this.soon = undefined;
      void this.write();
    }, WRITE_SOON_MS);
    this.soon.unref();
  }
}

/**
 * `reporter` as the dataplane and the tamper watch see it: every call goes on to it, and applies
 * and restores are noted in `local` on the way.
 */
export function observedReporter(reporter: Reporter, local: LocalStatus): Reporter {
  return {
    applied(report: AppliedReport) {
      local.applied(report);
      reporter.applied(report);
    },
    drift(status: DriftStatus) {
      if (status.repairedAt !== undefined) local.restored(status.repairedAt, status.details ?? "");
      reporter.drift(status);
    },
    event: (event: AgentEvent) => reporter.event(event),
    send: () => reporter.send(),
  };
}
