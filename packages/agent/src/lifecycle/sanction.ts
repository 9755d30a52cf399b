// The host side of maintenance tokens: `maintenance` (a window in which stopping the agent is
// sanctioned) and `unpair` (table, controller and state), both only with the token whose hash the
// controller sent. A wrong token changes nothing and is reported as tampering.
//
//   unpair: check token ─► stop a running agent (window opened first, so its stop is sanctioned;
//           SIGTERM; wait) ─► delete the table ─► tell the controller "unpaired" (best effort;
//           it revokes the agent) ─► remove the state files

import { readdir, rm, rmdir } from "node:fs/promises";
import { join } from "node:path";
import { MicrosegError } from "@microseg/core/errors";
import { stateFiles } from "../state-store.js";
import type { AgentEvent } from "../wire.js";
import {
  MAINTENANCE_FILE,
  MAINTENANCE_HASH_FILE,
  type MaintenanceWindow,
  openWindow,
  readMaintenanceHash,
  tokenMatches,
} from "./maintenance.js";
import { OUTBOX_FILE } from "./outbox.js";
import { deliverOrQueue } from "./report.js";
import { type SendOutcome, sendEvents } from "./send-events.js";
import { STATUS_FILE } from "./status-file.js";
import { pidAlive, readAgentStatus } from "./status-view.js";

/** How long a refusal or an unpair waits for the controller. */
export const REPORT_MS = 2000;
/** How long unpair waits for a running agent to exit after SIGTERM. */
export const STOP_WAIT_MS = 10_000;
/** The window unpair opens so the agent's own stop report says "stopped (maintenance)". */
const UNPAIR_WINDOW_MINUTES = 5;

/** Everything the agent keeps in its state directory (state-store.ts, flows/, lifecycle/). */
const STATE_FILES = [
  "identity.json",
  "ca.pem",
  "last-good.json",
  STATUS_FILE,
  MAINTENANCE_FILE,
  MAINTENANCE_HASH_FILE,
  OUTBOX_FILE,
];

export interface SanctionDeps {
  readonly now?: () => Date;
  /** How long to wait for the controller (default REPORT_MS). */
  readonly reportMs?: number;
}

/**
 * Resolves when `token` matches the stored hash; otherwise reports "`what` refused" as tampering
 * (sent within reportMs, else queued) and throws MSEG_MAINTENANCE_TOKEN_REFUSED.
 */
export async function checkToken(
  dir: string,
  token: string,
  what: string,
  deps: SanctionDeps = {},
): Promise<void> {
  const stored = await readMaintenanceHash(dir).catch(() => undefined);
  if (stored !== undefined && tokenMatches(token, stored.hash)) return;
  const at = (deps.now?.() ?? new Date()).toISOString();
  const reason = stored === undefined ? "no maintenance token known" : "wrong maintenance token";
  const event: AgentEvent = { kind: "tamper", at, details: `${what} refused: ${reason}` };
  await deliverOrQueue(dir, [event], deps.reportMs ?? REPORT_MS);
  const agent =
    (
      await stateFiles(dir)
        .readIdentity()
        .catch(() => undefined)
    )?.agentId ?? "AGENT";
  const why =
    stored === undefined
      ? `this agent holds no maintenance token hash yet (none issued, or no heartbeat since)`
      : `the token does not match this agent's maintenance token`;
  throw new MicrosegError(
    "MSEG_MAINTENANCE_TOKEN_REFUSED",
    `${what} refused: ${why}; ask the controller for a maintenance token: ` +
      `microseg agents maintenance-token ${agent}`,
  );
}

/** `microseg-agent maintenance`: opens a window of `minutes` after checking the token. */
export async function openMaintenance(
  dir: string,
  token: string,
  minutes: number,
  deps: SanctionDeps = {},
): Promise<MaintenanceWindow> {
  await checkToken(dir, token, "maintenance", deps);
  return openWindow(dir, minutes, deps.now?.() ?? new Date());
}

export interface UnpairDeps extends SanctionDeps {
  /** Deletes the agent's nft table (NftDriver.remove in the real command). */
  readonly removeTable: () => Promise<void>;
  readonly alive?: (pid: number) => boolean;
  readonly kill?: (pid: number) => void;
  readonly stopWaitMs?: number;
}

export interface UnpairResult {
  readonly stoppedPid: number | null;
  readonly told: SendOutcome;
}

export async function unpair(dir: string, token: string, deps: UnpairDeps): Promise<UnpairResult> {
  await checkToken(dir, token, "unpair", deps);
  const now = deps.now ?? (() => new Date());
  const stoppedPid = await stopRunningAgent(dir, now(), deps);
  await deps.removeTable();
  const event: AgentEvent = {
    kind: "unpaired",
    at: now().toISOString(),
    details: "unpaired with the maintenance token: table and identity removed",
  };
  // Not queued: the outbox goes with the rest of the state.
  const told = await sendEvents([event], dir, deps.reportMs ?? REPORT_MS);
  await removeState(dir);
  return { stoppedPid, told };
}

/** SIGTERM to the running agent (its stop sanctioned by a short window); the pid, or null. */
async function stopRunningAgent(dir: string, now: Date, deps: UnpairDeps): Promise<number | null> {
  const alive = deps.alive;
  const status = await readAgentStatus(dir, now, alive);
  const pid = status.pid;
  if (!status.running || pid === null) return null;
  await openWindow(dir, UNPAIR_WINDOW_MINUTES, now);
  (deps.kill ?? ((p: number) => process.kill(p, "SIGTERM")))(pid);
  const isAlive = alive ?? pidAlive;
  const deadline = Date.now() + (deps.stopWaitMs ?? STOP_WAIT_MS);
  while (isAlive(pid)) {
    if (Date.now() > deadline) {
      throw new MicrosegError(
        "MSEG_AGENT_STILL_RUNNING",
        `the agent (pid ${pid}) is still running ${deps.stopWaitMs ?? STOP_WAIT_MS} ms after ` +
          "SIGTERM; nothing was removed. Stop it (systemctl stop microseg-agent) and unpair again",
      );
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return pid;
}

/** The state files, the flow buffer and the directory itself when nothing else is left in it. */
async function removeState(dir: string): Promise<void> {
  await Promise.all(STATE_FILES.map((f) => rm(join(dir, f), { force: true })));
  await rm(join(dir, "flows"), { recursive: true, force: true });
  const left = await readdir(dir).catch(() => ["?"]);
  if (left.length === 0) await rmdir(dir).catch(() => undefined);
}
