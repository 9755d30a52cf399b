// The lab's state file. `lab up` writes what it INTENDS to create before creating it, then
// records what exists (processes) as it goes, so `lab down` can remove everything even after a
// crash at any point. Writes are atomic (temp file + rename): a reader sees the old or the new
// state, never half of one.
import {
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import type { Mode } from "@microseg/core";

export const DEFAULT_STATE_DIR = "/run/microseg/lab";

/** Where state, logs and readiness live; MICROSEG_LAB_DIR overrides the default. */
export function stateDir(): string {
  return process.env.MICROSEG_LAB_DIR ?? DEFAULT_STATE_DIR;
}

export interface StateHost {
  readonly name: string;
  /** The host's network namespace. */
  readonly netns: string;
  readonly address: string;
  readonly address6: string;
  /** `tcp/80`, one port each. */
  readonly listen: readonly string[];
  readonly managed: boolean;
  readonly mode: Mode;
}

export interface LabState {
  readonly version: 1;
  /** creating: `lab up` is running or crashed; up: every host enforces its policy. */
  readonly phase: "creating" | "up";
  readonly lab: string;
  readonly scenario: string;
  readonly startedAt: string;
  /** The `lab up` process (to tell a running `up` from a crashed one). */
  readonly upPid: number;
  /** Every namespace the lab will create (recorded before the first one is made). */
  readonly namespaces: readonly string[];
  readonly hosts: readonly StateHost[];
  /** Host agent processes, recorded as soon as each one is spawned. */
  readonly servers: readonly { readonly host: string; readonly pid: number }[];
  /**
   * The lab's controller; absent in direct mode (`lab up --direct`: rules applied by the lab).
   * With several replicas, the first of them (what older readers of this file know).
   */
  readonly controller?: StateController;
  /**
   * Every controller replica, the first included (`lab up --replicas N`); absent in states
   * written before replicas, and in direct mode. Recorded as each one is spawned.
   */
  readonly controllers?: readonly StateReplica[];
  /** The database the replicas share, as given to `lab up --store` (absent: SQLite). */
  readonly store?: string;
  /** The NATS servers the replicas share, as given to `lab up --bus` (absent: no bus). */
  readonly bus?: readonly string[];
  /**
   * The bus relays (bus-relay.ts), two per bus server, recorded as spawned: they run in the
   * root namespace and the controller namespace, shared by every replica.
   */
  readonly busRelays?: readonly number[];
  /** `microseg agent` processes, one per managed host, recorded as spawned. */
  readonly agents?: readonly { readonly host: string; readonly pid: number }[];
}

/** How programs in the root namespace reach the lab's controller, and what `lab down` ends. */
export interface StateController {
  /** https://127.0.0.1:PORT: the API from the root namespace (relayed into the lab). */
  readonly url: string;
  /** https://198.18.0.1:8443: the same controller as agents inside the lab reach it. */
  readonly agentUrl: string;
  /** The admin token (this file is 0600 in a 0700 directory). */
  readonly token: string;
  /** SHA-256 of the CA certificate (DER), hex: pin it. */
  readonly caFingerprint: string;
  readonly caPem: string;
  /** 0 until the process is spawned. */
  readonly pid: number;
  readonly netns: string;
  readonly dataDir: string;
  /** The scenario's management services (absent in older states: none). */
  readonly managementServices?: readonly string[];
}

/** One controller process of the lab; they share the data dir (CA, admin token, audit key). */
export interface StateReplica {
  /** https://127.0.0.1:PORT, relayed into the controller namespace ("" until ready). */
  readonly url: string;
  /** https://198.18.0.1:PORT, as agents reach it (replica i listens on 8443 + i). */
  readonly agentUrl: string;
  /** 0 until the process is spawned. */
  readonly pid: number;
  /** Its relay to the database (store-relay.ts), when the store needs one. */
  readonly storeRelayPid?: number;
}

/** The replicas of a state, or its one controller as the only replica (older states). */
export function replicasOf(state: LabState): readonly StateReplica[] {
  if (state.controllers !== undefined) return state.controllers;
  const c = state.controller;
  return c === undefined ? [] : [{ url: c.url, agentUrl: c.agentUrl, pid: c.pid }];
}

export function statePath(dir = stateDir()): string {
  return join(dir, "state.json");
}

export function readState(dir = stateDir()): LabState | undefined {
  let text: string;
  try {
    text = readFileSync(statePath(dir), "utf8");
  } catch {
    return undefined;
  }
  try {
    const state = JSON.parse(text) as LabState;
    return state.version === 1 ? state : undefined;
  } catch {
    return undefined;
  }
}

export function writeState(state: LabState, dir = stateDir()): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const tmp = `${statePath(dir)}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, statePath(dir));
}

/** Files and directories the lab writes in its state dir (and nothing else is removed). */
const LAB_FILE =
  /^(state\.json.*|host-.*\.(log|sock)|agent-[a-z0-9-]+(\.log)?|controller(-\d+)?\.log|store-relay-\d+\.log|store-\d+|bus-relay-\d+\.log|bus-\d+\.sock|controller-data|traffic(\.pid|\.log|-plan\.json|-status\.json.*))$/;

/** Removes the state file and the lab's logs (only files the lab writes), then the empty dir. */
export function clearState(dir = stateDir()): void {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    if (LAB_FILE.test(name)) rmSync(join(dir, name), { force: true, recursive: true });
  }
  try {
    rmdirSync(dir);
  } catch {
    // not empty (someone else's files) or already gone: leave it
  }
}

export function controllerDataDir(dir = stateDir()): string {
  return join(dir, "controller-data");
}

/** controller.log for the first replica (as before replicas), controller-<i>.log for the rest. */
export function controllerLogPath(dir = stateDir(), replica = 0): string {
  return join(dir, replica === 0 ? "controller.log" : `controller-${replica}.log`);
}

export function storeRelayLogPath(dir: string, replica: number): string {
  return join(dir, `store-relay-${replica}.log`);
}

export function logPath(host: string, dir = stateDir()): string {
  return join(dir, `host-${host}.log`);
}

/** The host agent's control socket (Unix sockets are reachable across network namespaces). */
export function controlPath(host: string, dir = stateDir()): string {
  return join(dir, `host-${host}.sock`);
}
