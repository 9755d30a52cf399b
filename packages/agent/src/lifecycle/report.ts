// Lifecycle events (stop, package removal, unpair) told to the controller from the host: sent at
// once within a bound, else queued in the outbox for the next agent start (outbox.ts).
//
//   event ──sendEvents (≤ timeoutMs)──sent──► forget them from the outbox
//                                     ├unreachable──► queue them in the outbox
//                                     └refused / not-enrolled──► dropped (never accepted later)

import { execFile } from "node:child_process";
import { stat } from "node:fs/promises";
import type { AgentEvent } from "../wire.js";
import { MAX_EVENTS_PER_REPORT } from "../wire.js";
import type { MaintenanceWindow } from "./maintenance.js";
import { forgetEvents, queueEvents } from "./outbox.js";
import { type SendOutcome, sendEvents } from "./send-events.js";

/** How long the agent waits on its way out for the controller to take its stop event. */
export const STOP_REPORT_MS = 2000;

/** Why the agent was stopped, when it was not an operator's plain `systemctl stop`. */
export type StopCause = "package-upgrade" | "shutdown";

const CAUSE_DETAILS: Record<StopCause, string> = {
  "package-upgrade": "restarted by a package upgrade",
  shutdown: "stopped by a system shutdown",
};

/**
 * What a stop is: sanctioned by an open maintenance window, the restart of a package upgrade
 * (the package's postinst marks it, PACKAGE_RESTART_MARK) or a shutdown, else tampering.
 */
export function stopEvent(
  window: MaintenanceWindow | undefined,
  at: Date,
  cause?: StopCause,
): AgentEvent {
  if (window) return { kind: "stopped", at: at.toISOString(), details: "stopped (maintenance)" };
  if (cause) return { kind: "stopped", at: at.toISOString(), details: CAUSE_DETAILS[cause] };
  return { kind: "tamper", at: at.toISOString(), details: "stopped without maintenance token" };
}

/** Written by the package's postinst just before it restarts the agent (packaging/deb). */
export const PACKAGE_RESTART_MARK = "/run/microseg-agent/package-restart";
const PACKAGE_RESTART_FRESH_MS = 5 * 60_000;

/** True when the package marked a restart in the last few minutes. */
export async function packageRestartAt(now: Date, mark = PACKAGE_RESTART_MARK): Promise<boolean> {
  try {
    const { mtimeMs } = await stat(mark);
    return now.getTime() - mtimeMs < PACKAGE_RESTART_FRESH_MS;
  } catch {
    return false;
  }
}

/** True while systemd takes the system down (`systemctl is-system-running` says "stopping"). */
export function systemStopping(): Promise<boolean> {
  return new Promise((resolve) => {
    execFile("systemctl", ["is-system-running"], { timeout: 1000 }, (_err, out) =>
      resolve(String(out).trim() === "stopping"),
    );
  });
}

/** The cause of a stop happening now, if it is one that is not tampering. */
export async function stopCause(now: Date): Promise<StopCause | undefined> {
  if (await packageRestartAt(now)) return "package-upgrade";
  return (await systemStopping()) ? "shutdown" : undefined;
}

/** What a package removal is (the prerm script's report-removal). */
export function removalEvent(window: MaintenanceWindow | undefined, at: Date): AgentEvent {
  return window
    ? { kind: "removed", at: at.toISOString(), details: "package removed (maintenance)" }
    : {
        kind: "tamper",
        at: at.toISOString(),
        details: "package removed without maintenance token",
      };
}

/** Sends `events` (the newest MAX_EVENTS_PER_REPORT) now, or queues them; never throws. */
export async function deliverOrQueue(
  dir: string,
  events: readonly AgentEvent[],
  timeoutMs: number,
): Promise<SendOutcome> {
  const batch = events.slice(-MAX_EVENTS_PER_REPORT);
  const outcome = await sendEvents(batch, dir, timeoutMs);
  try {
    if (outcome === "sent") await forgetEvents(dir, batch);
    else if (outcome === "unreachable") await queueEvents(dir, batch);
  } catch {
    // The outbox is best effort: a read-only or vanished state directory loses the event.
  }
  return outcome;
}
