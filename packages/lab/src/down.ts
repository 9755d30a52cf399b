// `lab down`: removes everything any lab made, with or without a state file.
//   1. recorded host agents (only if /proc still shows the agent program: pids get reused)
//   2. every process inside a lab namespace (`ip netns pids`), e.g. host agents or `lab exec` shells
//   3. every lab namespace: those recorded in the state file plus any `mseg-*` (crashed runs);
//      deleting the bridge namespace and host namespaces removes their veths with them
//   4. the state file and logs
// Idempotent: with nothing up it does nothing and succeeds.
import { basename } from "node:path";
import { HOST_AGENT_PROGRAM } from "./host-agents.js";
import { clearState, readState, stateDir } from "./state.js";
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
  const recorded = (state?.servers ?? [])
    .filter((s) => cmdline(s.pid).includes(basename(HOST_AGENT_PROGRAM)))
    .map((s) => s.pid);
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
