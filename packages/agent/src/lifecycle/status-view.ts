// `microseg-agent status`: the state directory and the running agent's status file, read into
// one stable object (--json), aligned key/value lines for people, and an exit code for scripts.
//
// JSON (version 1; fields are only ever added):
//   { stateDir, enrolled, agentId, workload, controller,
//     running, notRunning: reason | null, pid, statusWrittenAt,
//     controllerReachable: true|false|null, lastContactAt, lastContactError,
//     policy, lastApply, drift, flows, resources        (status-file.ts shapes; null: no file)
//     maintenance: { tokenHashKnown, windowUntil },
//     ok }                                              ok: enrolled, running and reachable

import { join } from "node:path";
import { escapeControls } from "@microseg/core";
import { readJsonFile, stateFiles } from "../state-store.js";
import { openWindowAt, readMaintenanceHash } from "./maintenance.js";
import {
  type AgentStatusFile,
  isStatusFile,
  STALE_HEARTBEATS,
  STATUS_FILE,
} from "./status-file.js";

export interface AgentStatusView {
  readonly stateDir: string;
  readonly enrolled: boolean;
  readonly agentId: string | null;
  readonly workload: string | null;
  readonly controller: string | null;
  readonly running: boolean;
  /** Why the agent counts as not running (null while it runs). */
  readonly notRunning: string | null;
  readonly pid: number | null;
  readonly statusWrittenAt: string | null;
  readonly controllerReachable: boolean | null;
  readonly lastContactAt: string | null;
  readonly lastContactError: string | null;
  readonly policy: AgentStatusFile["policy"];
  readonly lastApply: AgentStatusFile["lastApply"];
  readonly drift: AgentStatusFile["drift"] | null;
  readonly flows: AgentStatusFile["flows"] | null;
  readonly resources: AgentStatusFile["resources"] | null;
  readonly maintenance: { readonly tokenHashKnown: boolean; readonly windowUntil: string | null };
  readonly ok: boolean;
}

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

export async function readAgentStatus(
  dir: string,
  now: Date = new Date(),
  alive: (pid: number) => boolean = pidAlive,
): Promise<AgentStatusView> {
  const [identity, raw, hash, window] = await Promise.all([
    stateFiles(dir)
      .readIdentity()
      .catch(() => undefined),
    readJsonFile(join(dir, STATUS_FILE)).catch(() => undefined),
    readMaintenanceHash(dir).catch(() => undefined),
    openWindowAt(dir, now),
  ]);
  const file = isStatusFile(raw) ? raw : undefined;
  const notRunning = whyNotRunning(file, now, alive);
  const running = notRunning === null;
  const reachable = file?.controller.reachable ?? null;
  return {
    stateDir: dir,
    enrolled: identity !== undefined,
    agentId: identity?.agentId ?? null,
    workload: identity?.workload ?? null,
    controller: identity?.controller ?? file?.controller.url ?? null,
    running,
    notRunning,
    pid: file?.pid ?? null,
    statusWrittenAt: file?.writtenAt ?? null,
    controllerReachable: reachable,
    lastContactAt: file?.controller.lastContactAt ?? null,
    lastContactError: file?.controller.lastError ?? null,
    policy: file?.policy ?? null,
    lastApply: file?.lastApply ?? null,
    drift: file?.drift ?? null,
    flows: file?.flows ?? null,
    resources: file?.resources ?? null,
    maintenance: { tokenHashKnown: hash !== undefined, windowUntil: window?.until ?? null },
    ok: identity !== undefined && running && reachable === true,
  };
}

function whyNotRunning(
  file: AgentStatusFile | undefined,
  now: Date,
  alive: (pid: number) => boolean,
): string | null {
  if (file === undefined) return `no status file (${STATUS_FILE}): the agent has not run here`;
  if (!alive(file.pid)) return `process ${file.pid} is gone`;
  const age = (now.getTime() - Date.parse(file.writtenAt)) / 1000;
  const limit = STALE_HEARTBEATS * file.heartbeatSeconds;
  if (!(age <= limit)) {
    return `status file ${Math.round(age)} s old (written every ${file.heartbeatSeconds} s)`;
  }
  return null;
}

/** Aligned `key: value` lines; every value from a file goes through escapeControls. */
export function renderStatus(v: AgentStatusView, now: Date = new Date()): string {
  const rows: [string, string][] = [
    ["state dir", v.stateDir],
    ["enrolled", v.enrolled ? `yes: workload ${v.workload}, agent ${v.agentId}` : "no"],
    ["controller", v.controller ?? "-"],
    ["agent", v.running ? `running (pid ${v.pid})` : `not running: ${v.notRunning}`],
    ["reachable", reachableText(v, now)],
    ["policy", policyText(v)],
    ["last apply", applyText(v, now)],
    ["drift", driftText(v, now)],
    ["flows buffered", flowsText(v)],
    ["resources", resourcesText(v)],
    ["maintenance", maintenanceText(v)],
  ];
  const width = Math.max(...rows.map(([k]) => k.length)) + 2;
  return rows.map(([k, value]) => `${`${k}:`.padEnd(width)}${escapeControls(value)}\n`).join("");
}

function reachableText(v: AgentStatusView, now: Date): string {
  const last = v.lastContactAt ? `last contact ${ago(v.lastContactAt, now)}` : "no contact yet";
  if (v.controllerReachable === true) return `yes (${last})`;
  if (v.controllerReachable === false) return `no (${last}; ${v.lastContactError ?? "no answer"})`;
  return v.running ? "not yet tried" : "unknown";
}

function policyText(v: AgentStatusView): string {
  const p = v.policy;
  if (p === null) return "none enforced";
  const revision = p.revision === null ? "no revision" : `revision ${p.revision}`;
  const source = {
    controller: "from the controller",
    stored: "stored last good",
    "before-policy": "before the first policy",
  }[p.source];
  return `${revision} (${source}, ruleset ${p.hash.slice(0, 12)})`;
}

function applyText(v: AgentStatusView, now: Date): string {
  const a = v.lastApply;
  if (a === null) return "none";
  const what = `revision ${a.revision ?? "-"}, ${a.ms} ms`;
  return a.ok ? `ok ${ago(a.at, now)} (${what})` : `FAILED ${ago(a.at, now)} (${what}): ${a.error}`;
}

function driftText(v: AgentStatusView, now: Date): string {
  const d = v.drift;
  if (d === null) return "unknown";
  if (d.restores === 0) return "no tampering seen";
  const last = d.lastRestoreAt ? ago(d.lastRestoreAt, now) : "?";
  return `${d.restores} restore(s), last ${last}: ${d.lastDetails ?? ""}`;
}

function flowsText(v: AgentStatusView): string {
  const f = v.flows;
  if (f === null) return "unknown";
  if (!f.enabled) return "off";
  return `${f.batches} batches, ${mib(f.bytes)}, ${f.dropped} records dropped`;
}

function resourcesText(v: AgentStatusView): string {
  const r = v.resources;
  if (r === null) return "unknown";
  return `RSS ${mib(r.rssBytes)}, CPU ${r.cpuSeconds.toFixed(1)} s, up ${duration(r.uptimeSeconds)}`;
}

function maintenanceText(v: AgentStatusView): string {
  const token = v.maintenance.tokenHashKnown ? "token hash known" : "no token issued yet";
  const until = v.maintenance.windowUntil;
  return until ? `${token}; window open until ${until}` : token;
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function ago(iso: string, now: Date): string {
  const s = Math.max(0, Math.round((now.getTime() - Date.parse(iso)) / 1000));
  return `${duration(s)} ago`;
}

function duration(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}
