// `lab attack`: attacker behaviour from inside a lab host, with real (bounded) TCP connection
// attempts, so the detectors see what a real attacker does. The host's agent (the same one `lab
// probe` uses, programs/host-agent.js) makes the attempts from its namespace; targets go in
// chunks of at most CHUNK at a time, each attempt ends after timeoutMs.
//
//   scan       one target host/address, every port of --ports (default 1-1024)  vertical scan
//   sweep      one port (first of --ports, default 22) on every other host       horizontal scan
//   spread     smb, rpc, winrm, ssh (445, 135, 5985, 22) on every other host     ransomware-style
//   decoy      the --to decoys, on --ports (default: what they listen on, else 445)
//   slow-scan  the --to targets (default: the first other host) x --ports (default 1-1024), one
//              attempt every --interval for --duration: a scan kept under rate thresholds
//   vuln-scan  every other host (or --to) x well-known service ports, TCP and UDP (or --ports):
//              what an authorised vulnerability scanner does, at the same pace as `scan`
import { MicrosegError } from "@microseg/core";
import { askHost } from "./ask-host.js";
import { requireUp } from "./probe.js";
import type { ProbeTarget, Verdict } from "./probe-plan.js";
import { controlPath, type StateHost, stateDir } from "./state.js";

export type AttackKind = "scan" | "sweep" | "spread" | "decoy" | "slow-scan" | "vuln-scan";
export const ATTACK_KINDS: readonly AttackKind[] = [
  "scan",
  "sweep",
  "spread",
  "decoy",
  "slow-scan",
  "vuln-scan",
];
export const SPREAD_PORTS = [445, 135, 5985, 22];
/** What `vuln-scan` tries by default: common service ports (remote access, mail, web, data stores, directory, containers). */
export const VULN_SCAN_TCP = [
  21, 22, 23, 25, 53, 80, 81, 88, 110, 111, 135, 139, 143, 389, 443, 445, 465, 514, 515, 548, 587,
  631, 636, 873, 993, 995, 1025, 1433, 1521, 1723, 2049, 2375, 2376, 3000, 3128, 3268, 3306, 3389,
  5000, 5432, 5601, 5900, 5985, 5986, 6379, 6443, 8000, 8008, 8080, 8081, 8443, 8888, 9000, 9090,
  9092, 9200, 9300, 10250, 11211, 27017,
];
export const VULN_SCAN_UDP = [53, 69, 123, 137, 161, 500, 1900, 5353];
export const SLOW_SCAN_INTERVAL_MS = 10_000;
export const SLOW_SCAN_DURATION_MS = 300_000;
/** Bounds of `--interval` and `--duration` (a slow scan ends by itself within a day). */
export const MIN_INTERVAL_MS = 100;
export const MAX_INTERVAL_MS = 3_600_000;
export const MAX_DURATION_MS = 86_400_000;
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
  /** slow-scan only: time between two attempts (default 10 s) and how long it goes on (5 min). */
  readonly intervalMs?: number;
  readonly durationMs?: number;
  /** slow-scan: called after each attempt (a slow scan runs for minutes). */
  readonly onAttempt?: (r: AttackResult) => void;
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
  const ask = (chunk: readonly ProbeTarget[]) =>
    askAgent(controlPath(opts.from, dir), opts.from, chunk, timeoutMs);
  const t0 = performance.now();
  const verdicts: Verdict[] = [];
  if (opts.kind === "slow-scan") {
    const intervalMs = opts.intervalMs ?? SLOW_SCAN_INTERVAL_MS;
    const each = (t: ProbeTarget, v: Verdict) => opts.onAttempt?.(resultOf(t, v));
    verdicts.push(...(await paced(targets, intervalMs, ask, each)));
  } else {
    for (let i = 0; i < targets.length; i += CHUNK) {
      verdicts.push(...(await ask(targets.slice(i, i + CHUNK))));
    }
  }
  const connected = targets
    .map((t, i) => resultOf(t, verdicts[i] ?? "blocked"))
    .filter((r) => r.verdict === "allowed");
  return {
    kind: opts.kind,
    from: opts.from,
    attempts: targets.length,
    connected,
    ms: Math.round(performance.now() - t0),
  };
}

/** What the attack tries (pure): targets from the attacker's point of view, in order. */
export function planAttack(opts: AttackOptions, hosts: readonly StateHost[]): ProbeTarget[] {
  checkPacing(opts);
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
      const target = named[0] ?? targetOf(others[0] ?? noOther());
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
    case "slow-scan": {
      const victims = named.length > 0 ? named : [targetOf(others[0] ?? noOther())];
      const all = victims.flatMap((v) =>
        (ports ?? range(1, 1024)).map((port) => ({ ...v, proto: "tcp" as const, port })),
      );
      out = all.slice(0, slowScanSteps(opts));
      break;
    }
    case "vuln-scan": {
      const victims = named.length > 0 ? named : others.map(targetOf);
      const services: { proto: "tcp" | "udp"; port: number }[] = ports?.map((port) => ({
        proto: "tcp",
        port,
      })) ?? [
        ...VULN_SCAN_TCP.map((port) => ({ proto: "tcp" as const, port })),
        ...VULN_SCAN_UDP.map((port) => ({ proto: "udp" as const, port })),
      ];
      out = victims.flatMap((v) => services.map((s) => ({ ...v, ...s })));
      break;
    }
  }
  if (out.length > MAX_ATTEMPTS)
    throw usage(`the attack would make ${out.length} attempts; at most ${MAX_ATTEMPTS}`);
  return out.filter((t) => t.address !== from.address);
}

/** How many attempts a slow scan makes: one at 0, one every interval while within the duration. */
export function slowScanSteps(opts: Pick<AttackOptions, "intervalMs" | "durationMs">): number {
  const interval = opts.intervalMs ?? SLOW_SCAN_INTERVAL_MS;
  return Math.max(1, Math.ceil((opts.durationMs ?? SLOW_SCAN_DURATION_MS) / interval));
}

function checkPacing(opts: AttackOptions): void {
  const given = opts.intervalMs !== undefined || opts.durationMs !== undefined;
  if (given && opts.kind !== "slow-scan") {
    throw usage(`--interval and --duration pace a slow-scan only, not ${opts.kind}`);
  }
  const { intervalMs: i, durationMs: d } = opts;
  if (i !== undefined && !(i >= MIN_INTERVAL_MS && i <= MAX_INTERVAL_MS)) {
    throw usage(`--interval ${i} ms: give 100ms to 1h, e.g. 10s`);
  }
  if (d !== undefined && !(d >= 0 && d <= MAX_DURATION_MS)) {
    throw usage(`--duration ${d} ms: give at most 24h, e.g. 5m`);
  }
}

/**
 * One attempt every `intervalMs`, each started on the schedule (0, i, 2i, …) measured from the
 * first, however long the previous one took (an attempt ends within its timeout).
 */
export async function paced<T, V>(
  targets: readonly T[],
  intervalMs: number,
  attempt: (one: readonly T[]) => Promise<V[]>,
  onEach?: (target: T, verdict: V) => void,
): Promise<V[]> {
  const verdicts: V[] = [];
  const start = performance.now();
  for (const [i, target] of targets.entries()) {
    const wait = start + i * intervalMs - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const [verdict] = await attempt([target]);
    if (verdict === undefined) throw new Error("the host server gave no verdict");
    verdicts.push(verdict);
    onEach?.(target, verdict);
  }
  return verdicts;
}

function resultOf(t: ProbeTarget, verdict: Verdict): AttackResult {
  return { to: t.to, port: `${t.proto}/${t.port}`, verdict };
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

function noOther(): never {
  throw usage("the lab has no other host to scan");
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
