// `lab up`: from a scenario file to hosts that enforce their policy.
//
//   preflight ─> loadScenario ─> compileScenario ─> (nothing created yet: any error just ends here)
//       ─> state{phase: creating, namespaces: planned}  ← written BEFORE the first namespace
//       ─> segment + hosts (+ controller link) ─> host servers (pids recorded as spawned)
//       ─> opts.beforeEnforce(hosts), if given (e.g. a test loads another firewall's rules)
//       ─> controller mode (default): controller (or --replicas N on --store postgres://…:
//          replicas.ts), workloads, draft + provision, one
//          `microseg agent` per managed host, wait for every acknowledgement (up-control-plane.ts)
//          direct mode (--direct / MICROSEG_LAB_DIRECT=1): apply + verify per host here
//       ─> state{phase: up}
//   any failure (or SIGINT/SIGTERM) after the first write ─> labDown() ─> MSEG_LAB_SETUP_FAILED
import { MicrosegError, type RuleSet } from "@microseg/core";
import { labDown } from "./down.js";
import { compileScenario, enforceHost, ruleCount } from "./enforce.js";
import { startHostAgent } from "./host-agents.js";
import { requireBuiltPrograms } from "./lab-agents.js";
import { hostNamespace } from "./naming.js";
import { checkReplicas } from "./replicas.js";
import { loadScenario } from "./scenario/load.js";
import { formatListenPort, type Scenario } from "./scenario/types.js";
import {
  type LabState,
  readState,
  replicasOf,
  type StateHost,
  type StateReplica,
  stateDir,
  writeState,
} from "./state.js";
import { forEachLimited } from "./sys/limit.js";
import { preflight } from "./sys/preflight.js";
import { createNetwork, labNamespaces, plannedNamespaces } from "./topology.js";
import { bringUpControlPlane } from "./up-control-plane.js";

/**
 * Host servers started at once. Each must be ready within READY_TIMEOUT_MS of its own start;
 * fifty Node processes started together on two cores took 10.0 s for the last one, the whole
 * budget, so they start a few at a time and the deadline measures one start-up each.
 */
const HOST_SERVERS_AT_ONCE = 8;

export interface UpOptions {
  readonly dir?: string;
  /**
   * Direct mode: the lab applies each host's RuleSet itself, with no controller and no agents
   * (faster; what the lab did before the control plane). Default: MICROSEG_LAB_DIRECT=1.
   */
  readonly direct?: boolean;
  /** Progress lines for humans ("creating 6 hosts…"). */
  readonly progress?: (line: string) => void;
  /**
   * Runs once the hosts and their servers exist, before anything enforces (no agent started,
   * no table applied): what a host already carries when microseg arrives, such as another
   * firewall's rules. A failure fails `up` (and removes the lab) like any other step.
   */
  readonly beforeEnforce?: (hosts: readonly StateHost[]) => Promise<void>;
  /** Controller processes (default 1); more than one needs `store` (replicas.ts). */
  readonly replicas?: number;
  /** postgres://… for the controllers' state instead of SQLite in the lab's data dir. */
  readonly store?: string;
  /** nats://HOST:PORT servers (each may list several, comma-separated): the replicas' flow bus. */
  readonly bus?: readonly string[];
}

export interface UpResult {
  readonly lab: string;
  readonly hosts: readonly (StateHost & { readonly rules?: number })[];
  readonly ms: number;
  /** The lab's controller (absent in direct mode); its admin token is in the state file. */
  readonly controller?: {
    readonly url: string;
    readonly agentUrl: string;
    readonly caFingerprint: string;
    readonly revision: number;
    /** Every replica (one unless --replicas): root-namespace URL, in-lab URL, pid. */
    readonly replicas: readonly StateReplica[];
  };
}

export async function labUp(scenarioPath: string, opts: UpOptions = {}): Promise<UpResult> {
  const started = Date.now();
  const dir = opts.dir ?? stateDir();
  const say = opts.progress ?? (() => {});
  const direct = opts.direct ?? directByDefault();
  const replicas = opts.replicas ?? 1;
  checkControlPlane(direct, replicas, opts.store, opts.bus);
  preflight();
  const scenario = loadScenario(scenarioPath);
  const ruleSets = compileScenario(scenario);
  if (!direct) requireBuiltPrograms();
  await refuseIfUp(dir);
  let state = initialState(scenario, !direct, opts.store, opts.bus);
  writeState(state, dir);
  const update = (change: (s: LabState) => LabState) => {
    state = change(state);
    writeState(state, dir);
    return state;
  };
  const stop = interruptions();
  let revision = 0;
  try {
    say(`creating ${scenario.hosts.length} hosts…`);
    await createNetwork(scenario, !direct);
    stop.check();
    say(`starting ${state.hosts.length} host servers…`);
    await forEachLimited(state.hosts, HOST_SERVERS_AT_ONCE, async (h) => {
      await startHostAgent({ host: h.name, netns: h.netns, listen: h.listen }, dir, (pid) =>
        update((s) => ({ ...s, servers: [...s.servers, { host: h.name, pid }] })),
      );
    });
    stop.check();
    await opts.beforeEnforce?.(state.hosts);
    stop.check();
    if (direct) await enforceAll(state, ruleSets, say);
    else {
      const store = opts.store === undefined ? {} : { store: opts.store };
      const bus = opts.bus === undefined ? {} : { bus: opts.bus };
      revision = await bringUpControlPlane({
        scenario,
        ruleSets,
        dir,
        say,
        update,
        replicas,
        ...store,
        ...bus,
      });
    }
    stop.check();
    update((s) => ({ ...s, phase: "up" }));
  } catch (err) {
    say("setup failed; removing the lab…");
    await labDown({ dir });
    throw setupFailed(err);
  } finally {
    stop.release();
  }
  const hosts = state.hosts.map((h) => {
    const rs = ruleSets.get(h.name);
    return rs === undefined ? h : { ...h, rules: ruleCount(rs) };
  });
  const c = state.controller;
  const controller =
    c === undefined
      ? {}
      : {
          controller: {
            url: c.url,
            agentUrl: c.agentUrl,
            caFingerprint: c.caFingerprint,
            revision,
            replicas: replicasOf(state),
          },
        };
  return { lab: scenario.name, hosts, ms: Date.now() - started, ...controller };
}

async function refuseIfUp(dir: string): Promise<void> {
  const state = readState(dir);
  const leftovers = await labNamespaces();
  if (state === undefined && leftovers.length === 0) return;
  const what =
    state === undefined
      ? `namespaces of an earlier lab are still there (${leftovers.slice(0, 3).join(", ")}${leftovers.length > 3 ? ", …" : ""})`
      : `lab "${state.lab}" (${state.scenario}) is ${state.phase === "up" ? "up" : "half built"}`;
  throw new MicrosegError("MSEG_LAB_ALREADY_UP", `${what}; run microseg lab down first`);
}

/** MICROSEG_LAB_DIRECT=1 makes direct mode the default. */
export function directByDefault(): boolean {
  return process.env.MICROSEG_LAB_DIRECT === "1";
}

function checkControlPlane(
  direct: boolean,
  replicas: number,
  store: string | undefined,
  bus: readonly string[] | undefined,
): void {
  if (direct && (replicas !== 1 || store !== undefined || bus !== undefined)) {
    throw new MicrosegError(
      "MSEG_USAGE",
      "--replicas, --store and --bus configure the lab's controller; --direct runs none (leave one out)",
    );
  }
  checkReplicas(replicas, store, bus);
}

function initialState(
  scenario: Scenario,
  withController: boolean,
  store?: string,
  bus?: readonly string[],
): LabState {
  return {
    ...(store !== undefined && { store }),
    ...(bus !== undefined && { bus }),
    version: 1,
    phase: "creating",
    lab: scenario.name,
    scenario: scenario.file,
    startedAt: new Date().toISOString(),
    upPid: process.pid,
    namespaces: plannedNamespaces(scenario, withController),
    hosts: scenario.hosts.map((h) => ({
      name: h.name,
      netns: hostNamespace(scenario.name, h.name),
      address: h.address,
      address6: h.address6,
      listen: h.listen.map(formatListenPort),
      managed: h.managed,
      mode: h.mode,
    })),
    servers: [],
  };
}

async function enforceAll(
  state: LabState,
  ruleSets: ReadonlyMap<string, RuleSet>,
  say: (line: string) => void,
): Promise<void> {
  const managed = state.hosts.filter((h) => h.managed);
  await Promise.all(
    managed.map(async (h) => {
      const rs = ruleSets.get(h.name);
      if (rs === undefined)
        throw new Error(`the compiler produced no RuleSet for managed host ${h.name}`);
      say(`applying policy to ${h.name} (${h.mode}, ${ruleCount(rs)} rules)…`);
      await enforceHost(h.netns, rs);
    }),
  );
  say(
    `${managed.length} managed hosts enforce their policy; ${state.hosts.length - managed.length} unmanaged`,
  );
}

function setupFailed(err: unknown): MicrosegError {
  const why = err instanceof Error ? err.message : String(err);
  return new MicrosegError(
    "MSEG_LAB_SETUP_FAILED",
    `building the lab failed, and everything it made was removed: ${why}`,
    { cause: err },
  );
}

/** Turns SIGINT/SIGTERM during `up` into an error at the next step, so cleanup still runs. */
function interruptions(): { check(): void; release(): void } {
  let signal: string | undefined;
  const onSignal = (s: NodeJS.Signals) => {
    signal = s;
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  return {
    check() {
      if (signal !== undefined) throw new Error(`interrupted by ${signal}`);
    },
    release() {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
