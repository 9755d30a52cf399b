// The learn step's sweep: a vulnerability scanner nobody declared to microseg (no
// microseg.io/scanner label) knocks on common service ports of every server while the estate
// is still learning. None of them listens there, so every attempt is refused: the flow graph
// counts them apart, the detectors raise a scan alert, and the recommendation opens none of
// them (only established traffic is learned; see docs/design/insight.md).
import { loadPolicy, type ServicePort } from "@microseg/core";
import type { Alert } from "./alerts.js";
import { waitForAlertKinds } from "./alerts.js";
import type { DemoContext } from "./session.js";
import { commandLine, indented, jsonOf } from "./show.js";
import { DEMO_SCANNER } from "./types.js";

/** The servers swept (every managed host of the shop's day; not the attacker's box). */
export const SWEPT_HOSTS = ["web-1", "web-2", "app-1", "app-2", "db-1", "backup-1"] as const;
/**
 * Common service ports no demo host listens on: 16 per server (a vertical scan: >= 15), on six
 * servers (a horizontal one: >= 4). None is a remote-administration or file-sharing port, so
 * the sweep reads as a scan, not as lateral movement or ransomware spread.
 */
export const SWEPT_PORTS = [
  21, 25, 80, 110, 143, 389, 1433, 1521, 3306, 6379, 8000, 8443, 9000, 9200, 11211, 27017,
] as const;

export const SWEEP_ARGS: readonly string[] = [
  "lab",
  "attack",
  "spread",
  "--from",
  DEMO_SCANNER,
  "--to",
  ...SWEPT_HOSTS,
  "--ports",
  SWEPT_PORTS.join(","),
];

export interface SweepReport {
  readonly attempts: number;
  readonly connected: number;
}

/** Runs the sweep (real connections from the scanner's namespace); undefined when it failed. */
export async function runSweep(ctx: DemoContext): Promise<SweepReport | undefined> {
  const { tools } = ctx;
  tools.say(
    `Meanwhile ${DEMO_SCANNER}, a vulnerability scanner nobody declared to microseg, sweeps ${SWEPT_PORTS.length} common\nservice ports on the ${SWEPT_HOSTS.length} servers. Nothing listens there: every attempt is refused.`,
  );
  tools.say(commandLine(SWEEP_ARGS));
  const run = await tools.cli([...SWEEP_ARGS, "--json"]);
  const report = jsonOf<{ attempts: number; connected: readonly unknown[] }>(run);
  if (run.code !== 0 || report === undefined) {
    tools.say(indented(run));
    return undefined;
  }
  tools.say(`    ${report.attempts} attempts, ${report.connected.length} connected`);
  return { attempts: report.attempts, connected: report.connected.length };
}

/** The graph keys (`from to port`) of the sweep's contacts. */
export function sweepKeys(): string[] {
  return SWEPT_HOSTS.flatMap((h) => SWEPT_PORTS.map((p) => `${DEMO_SCANNER} ${h} tcp/${p}`));
}

/** The scan alert the sweep raised, printed; undefined without detection or without the alert. */
export async function sweepAlert(ctx: DemoContext): Promise<Alert | undefined> {
  const found = await waitForAlertKinds(ctx, DEMO_SCANNER, ["scan"], ctx.opts.alertSeconds);
  return found?.alerts.find((a) => a.kind === "scan");
}

/**
 * The swept ports a recommended policy (its YAML) would open, read by the policy loader itself:
 * an allow rule's inline port or range, a named service covering one, or no services at all
 * (every port), in scopes too. Empty when the sweep taught the policy nothing.
 */
export function sweptPortsIn(policyYaml: string): number[] {
  const { policy } = loadPolicy([{ file: "recommended.yaml", text: policyYaml }]);
  const open = policy.rules
    .filter((r) => r.action === "allow")
    .flatMap((r): readonly ServicePort[] => (r.services.length === 0 ? [ANY] : r.services));
  return SWEPT_PORTS.filter((port) => open.some((s) => covers(s, port)));
}

const ANY: ServicePort = { proto: "any" };

function covers(s: ServicePort, port: number): boolean {
  if (s.proto === "any") return true;
  return s.proto === "tcp" && "from" in s && port >= s.from && port <= s.to;
}
