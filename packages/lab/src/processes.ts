// Stopping and starting the control plane of a running lab, one process at a time: what the
// fail-safe tests do to it (controller gone, agent restarted while the controller is gone).
//
//   labStopController ── SIGTERM (then SIGKILL) the recorded controller pid
//   labStartController ─ same data dir, same relay port when free ── state.controller updated
//   labStartReplica(i) ─ the same for replica i of a lab with --replicas
//   labCutStore(i) / labRestoreStore(i) ─ kill / start again replica i's store relay: the
//                        replica is cut off from the database (and back) while it serves HTTP
//   labStopAgent(host) ─ ends that host's `microseg agent`; its table stays in force
//   labStartAgent(host)  no enrolment key: the agent re-uses its credential and re-applies its
//                        last good policy from its state dir before it contacts the controller
// Pids are checked against /proc (only the program the lab started there is ended).
import { basename } from "node:path";
import { MicrosegError } from "@microseg/core";
import { CONTROLLER_PROGRAM } from "./controller-process.js";
import { AGENT_PROGRAM, startLabAgent } from "./lab-agents.js";
import { requireUp } from "./probe.js";
import { isRelay } from "./relay.js";
import { type ReplicaContext, relayStore, startReplica } from "./replicas.js";
import { type LabState, replicasOf, type StateController, stateDir, writeState } from "./state.js";
import { cmdline, terminate } from "./sys/procs.js";

export interface ProcessOptions {
  readonly dir?: string;
}

function controllerOf(state: LabState): StateController {
  if (state.controller === undefined) {
    throw new MicrosegError(
      "MSEG_LAB_NOT_UP",
      `lab "${state.lab}" runs without a controller (direct mode)`,
    );
  }
  return state.controller;
}

export async function labStopController(opts: ProcessOptions = {}): Promise<void> {
  const state = requireUp(opts.dir ?? stateDir());
  const { pid } = controllerOf(state);
  if (cmdline(pid).includes(basename(CONTROLLER_PROGRAM))) await terminate([pid]);
}

export function labStartController(opts: ProcessOptions = {}): Promise<StateController> {
  return labStartReplica(0, opts);
}

/** Starts replica `i` again (stopped or killed), on its recorded loopback port when free. */
export async function labStartReplica(
  i: number,
  opts: ProcessOptions = {},
): Promise<StateController> {
  const ctx = replicaContext(opts);
  const url = replicasOf(requireUp(ctx.dir))[i]?.url ?? "";
  return startReplica(ctx, i, url === "" ? 0 : Number(new URL(url).port));
}

/**
 * Ends replica `i`'s store relay: the replica is cut off from the database (its pooled
 * connections drop, new ones are refused) while it keeps serving HTTP. A lab whose store needs no
 * relay (a unix socket URL) cannot be cut this way.
 */
export async function labCutStore(i: number, opts: ProcessOptions = {}): Promise<void> {
  const pid = replicasOf(requireUp(opts.dir ?? stateDir()))[i]?.storeRelayPid ?? 0;
  if (!isRelay(pid)) throw new Error(`replica ${i} has no store relay running`);
  process.kill(pid, "SIGKILL");
  await terminate([pid]);
}

/** Starts replica `i`'s store relay again: the replica reaches the database again. */
export async function labRestoreStore(i: number, opts: ProcessOptions = {}): Promise<void> {
  await relayStore(replicaContext(opts), i);
}

function replicaContext(opts: ProcessOptions): ReplicaContext {
  const dir = opts.dir ?? stateDir();
  let state = requireUp(dir);
  const update = (change: (s: LabState) => LabState) => {
    state = change(state);
    writeState(state, dir);
    return state;
  };
  const managementServices = controllerOf(state).managementServices ?? [];
  const store = state.store === undefined ? {} : { store: state.store };
  const bus = state.bus === undefined ? {} : { bus: state.bus };
  return { lab: state.lab, dir, update, managementServices, ...store, ...bus };
}

export async function labStopAgent(host: string, opts: ProcessOptions = {}): Promise<void> {
  const state = requireUp(opts.dir ?? stateDir());
  const pids = (state.agents ?? []).filter((a) => a.host === host).map((a) => a.pid);
  await terminate(pids.filter((pid) => cmdline(pid).includes(basename(AGENT_PROGRAM))));
}

export function labStartAgent(host: string, opts: ProcessOptions = {}): number {
  const dir = opts.dir ?? stateDir();
  const state = requireUp(dir);
  const h = state.hosts.find((x) => x.name === host && x.managed);
  if (h === undefined) {
    throw new MicrosegError("MSEG_LAB_UNKNOWN_HOST", `no managed lab host is called ${host}`);
  }
  const c = controllerOf(state);
  const agentUrl = replicasOf(state)
    .map((r) => r.agentUrl)
    .join(",");
  const pid = startLabAgent(
    { host, netns: h.netns, agentUrl, caFingerprint: c.caFingerprint },
    dir,
  );
  const agents = [...(state.agents ?? []).filter((a) => a.host !== host), { host, pid }];
  writeState({ ...state, agents }, dir);
  return pid;
}
