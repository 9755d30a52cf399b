// `lab down`: removes everything any lab made, with or without a state file.
//   1. recorded processes: host agents, `microseg agent`s, the controller replicas, their
//      store relays and the bus relays (only if /proc still shows their program: pids get reused)
//   2. every process inside a lab namespace (`ip netns pids`), e.g. host agents or `lab exec` shells
//   3. every lab namespace: those recorded in the state file plus any `mseg-*` (crashed runs);
//      deleting the bridge namespace and host namespaces removes their veths with them
//   4. the state file and logs
// Idempotent: with nothing up it does nothing and succeeds.
import { basename } from "node:path";
import { CONTROLLER_PROGRAM } from "./controller-process.js";
import { HOST_AGENT_PROGRAM } from "./host-agents.js";
import { AGENT_PROGRAM } from "./lab-agents.js";
import { isRelay } from "./relay.js";
import { clearState, type LabState, readState, replicasOf, stateDir } from "./state.js";
import { cmdline, terminate } from "./sys/procs.js";
import { deleteNamespace, labNamespaces, namespacePids } from "./topology.js";

export interface DownReport {
  readonly namespaces: readonly string[];
  readonly processes: number;
  /** Namespaces that still exist afterwards (should be empty). */
  readonly leftovers: readonly string[];
}

export interface DownOptions {
  readonly dir?: string;
  readonly progress?: (line: string) => void;
}

export async function labDown(opts: DownOptions = {}): Promise<DownReport> {
  const dir = opts.dir ?? stateDir();
  const state = readState(dir);
  const recorded = recordedProcesses(state);
  const namespaces = [...new Set([...(state?.namespaces ?? []), ...(await labNamespaces())])];
  if (namespaces.length > 0) {
    opts.progress?.(`removing ${namespaces.length} namespaces…`);
  }
  const inside = (await Promise.all(namespaces.map(namespacePids))).flat();
  const processes = await terminate([...recorded, ...inside]);
  await Promise.all(namespaces.map(deleteNamespace));
  clearState(dir);
  const existing = new Set(await labNamespaces());
  return {
    namespaces,
    processes,
    leftovers: namespaces.filter((ns) => existing.has(ns)),
  };
}

/** Recorded pids whose command line still shows the program the lab started there. */
function recordedProcesses(state: LabState | undefined): number[] {
  const is = (pid: number, program: string) => pid > 0 && cmdline(pid).includes(program);
  const servers = (state?.servers ?? []).filter((s) => is(s.pid, basename(HOST_AGENT_PROGRAM)));
  const agents = (state?.agents ?? []).filter((a) => is(a.pid, basename(AGENT_PROGRAM)));
  const replicas = state === undefined ? [] : replicasOf(state);
  const controllers = [state?.controller?.pid ?? 0, ...replicas.map((r) => r.pid)].filter((pid) =>
    is(pid, basename(CONTROLLER_PROGRAM)),
  );
  // Store and bus relays run in the root namespace: only their record finds them.
  const relays = [...replicas.map((r) => r.storeRelayPid ?? 0), ...(state?.busRelays ?? [])];
  return [...servers, ...agents].map((p) => p.pid).concat(controllers, relays.filter(isRelay));
}
