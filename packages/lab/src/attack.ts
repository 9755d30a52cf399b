// `lab attack`: attacker behaviour from inside a lab host, with real (bounded) TCP connection
// attempts, so the detectors see what a real attacker does. The host's agent (the same one `lab
// probe` uses, programs/host-agent.js) makes the attempts from its namespace; targets go in
// chunks of at most CHUNK at a time, each attempt ends after timeoutMs.
//
//   scan    one target host/address, every port of --ports (default 1-1024)   vertical scan
//   sweep   one port (first of --ports, default 22) on every other host        horizontal scan
//   spread  smb, rpc, winrm, ssh (445, 135, 5985, 22) on every other host      ransomware-style
//   decoy   the --to decoys, on --ports (default: what they listen on, else 445)
import { MicrosegError } from "@microseg/core";
import { askHost } from "./ask-host.js";
import { requireUp } from "./probe.js";
import type { ProbeTarget, Verdict } from "./probe-plan.js";
import { controlPath, type StateHost, stateDir } from "./state.js";

export type AttackKind = "scan" | "sweep" | "spread" | "decoy";
export const ATTACK_KINDS: readonly AttackKind[] = ["scan", "sweep", "spread", "decoy"];
export const SPREAD_PORTS = [445, 135, 5985, 22];
/** Connection attempts in flight at once (file descriptors in the host agent stay bounded). */
export const CHUNK = 256;
export const ATTACK_TIMEOUT_MS = 300;
const MAX_ATTEMPTS = 70_000;

export interface AttackOptions {
  readonly kind: AttackKind;
  readonly from: string;
  /** Host names or addresses; defaults depend on the kind. */
  readonly to?: readonly string[];
  /** `1-1024`, `22,445,3389`, `80`. */
  readonly ports?: string;
  readonly timeoutMs?: number;
  readonly dir?: string;
}

export interface AttackResult {
  readonly to: string;
  readonly port: string;
  readonly verdict: Verdict;
}

export interface AttackReport {
  readonly kind: AttackKind;
  readonly from: string;
  readonly attempts: number;
  /** The attempts that connected. */
  readonly connected: readonly AttackResult[];
  readonly ms: number;
}

export async function labAttack(opts: AttackOptions): Promise<AttackReport> {
  const dir = opts.dir ?? stateDir();
  const state = requireUp(dir);
  const targets = planAttack(opts, state.hosts);
  const timeoutMs = opts.timeoutMs ?? ATTACK_TIMEOUT_MS;
  const t0 = performance.now();
  const verdicts: Verdict[] = [];
  for (let i = 0; i < targets.length; i += CHUNK) {
    const chunk = targets.slice(i, i + CHUNK);
    verdicts.push(...(await askAgent(controlPath(opts.from, dir), opts.from, chunk, timeoutMs)));
  }
  const connected = targets
    .map((t, i) => ({ to: t.to, port: `tcp/${t.port}`, verdict: verdicts[i] ?? "blocked" }))
    .filter((r) => r.verdict === "allowed");
  return {
    kind: opts.kind,
    from: opts.from,
    attempts: targets.length,
    connected,
    ms: Math.round(performance.now() - t0),
  };
}

/** What the attack tries (pure): TCP targets from the attacker's point of view. */
export function planAttack(opts: AttackOptions, hosts: readonly StateHost[]): ProbeTarget[] {
  const from = hosts.find((h) => h.name === opts.from);
  if (from === undefined) {
    throw usage(
      `--from "${opts.from}" is not a host of the lab (${hosts.map((h) => h.name).join(", ")})`,
    );
  }
  const others = hosts.filter((h) => h.name !== from.name);
  const named = (opts.to ?? []).map((t) => resolveTarget(t, hosts));
  const ports = opts.ports === undefined ? undefined : parsePorts(opts.ports);
  let out: ProbeTarget[];
  switch (opts.kind) {
    case "scan": {
      const target =
        named[0] ?? targetOf(others[0] ?? usageThrow("the lab has no other host to scan"));
      out = (ports ?? range(1, 1024)).map((port) => ({ ...target, proto: "tcp", port }));
      break;
    }
    case "sweep": {
      const port = ports?.[0] ?? 22;
      const victims = named.length > 0 ? named : others.map(targetOf);
      out = victims.map((v) => ({ ...v, proto: "tcp", port }));
      break;
    }
    case "spread": {
      const victims = named.length > 0 ? named : others.map(targetOf);
      out = victims.flatMap((v) =>
        (ports ?? SPREAD_PORTS).map((port) => ({ ...v, proto: "tcp" as const, port })),
      );
      break;
    }
    case "decoy": {
      if (named.length === 0)
        throw usage("lab attack decoy needs --to DECOY (a host name or address)");
      out = named.flatMap((v) => {
        const listening = hosts
          .find((h) => h.name === v.to)
          ?.listen.filter((l) => l.startsWith("tcp/"));
        const decoyPorts =
          ports ??
          (listening && listening.length > 0 ? listening.map((l) => Number(l.slice(4))) : [445]);
        return decoyPorts.map((port) => ({ ...v, proto: "tcp" as const, port }));
      });
      break;
    }
  }
  if (out.length > MAX_ATTEMPTS)
    throw usage(`the attack would make ${out.length} attempts; at most ${MAX_ATTEMPTS}`);
  return out.filter((t) => t.address !== from.address);
}

/** `1-1024`, `22,445,3389-3390`. */
export function parsePorts(text: string): number[] {
  const out: number[] = [];
  for (const part of text.split(",").map((p) => p.trim())) {
    const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(part);
    const a = Number(m?.[1]);
    const b = Number(m?.[2] ?? m?.[1]);
    if (m === null || a < 1 || b > 65535 || a > b) {
      throw usage(
        `--ports "${text}": "${part}" is not a port or range within 1-65535 (e.g. 1-1024 or 22,445)`,
      );
    }
    out.push(...range(a, b));
  }
  return [...new Set(out)];
}

function resolveTarget(
  t: string,
  hosts: readonly StateHost[],
): Omit<ProbeTarget, "proto" | "port"> {
  const h = hosts.find((x) => x.name === t || x.address === t);
  if (h !== undefined) return targetOf(h);
  if (!/^198\.1[89]\.\d{1,3}\.\d{1,3}$/.test(t)) {
    throw usage(
      `--to "${t}" is neither a lab host nor an address in the lab's range 198.18.0.0/15`,
    );
  }
  return { to: t, address: t };
}

function targetOf(h: StateHost): Omit<ProbeTarget, "proto" | "port"> {
  return { to: h.name, address: h.address };
}

function range(a: number, b: number): number[] {
  return Array.from({ length: b - a + 1 }, (_, i) => a + i);
}

function usage(message: string): MicrosegError {
  return new MicrosegError("MSEG_USAGE", message);
}

function usageThrow(message: string): never {
  throw usage(message);
}

/** One request on the attacker's host agent socket (its namespace), bounded in time. */
function askAgent(
  path: string,
  from: string,
  targets: readonly ProbeTarget[],
  timeoutMs: number,
): Promise<Verdict[]> {
  return askHost(path, targets, timeoutMs).catch((e: Error) => {
    throw new MicrosegError(
      "MSEG_LAB_NOT_UP",
      `attacking from ${from} failed: ${e.message}; is the lab up?`,
    );
  });
}
