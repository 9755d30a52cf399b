// What `microseg demo` needs from the machine, checked before it touches anything: root (network
// namespaces, nftables), and the tools the lab and the agents run. The checks are passed in, so
// the message can be tested without changing the machine.
import { spawnSync } from "node:child_process";

export interface Prerequisite {
  /** What is checked: `root`, or a program on PATH. */
  readonly need: string;
  /** Why the demo needs it. */
  readonly why: string;
  /** The Debian/Ubuntu package that provides it (none for root). */
  readonly pkg?: string;
}

export const DEMO_PREREQUISITES: readonly Prerequisite[] = [
  { need: "root", why: "creates network namespaces and loads nftables rules into them" },
  { need: "nft", pkg: "nftables", why: "every agent enforces its policy with nftables" },
  { need: "conntrack", pkg: "conntrack", why: "agents read allowed flows from conntrack" },
  { need: "ip", pkg: "iproute2", why: "builds the lab's namespaces, bridge and links" },
];

export interface PrerequisiteChecks {
  isRoot(): boolean;
  hasProgram(name: string): boolean;
}

export const systemChecks: PrerequisiteChecks = {
  isRoot: () => typeof process.getuid !== "function" || process.getuid() === 0,
  hasProgram: (name) =>
    spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore", timeout: 5000 }).status === 0,
};

export function missingPrerequisites(checks: PrerequisiteChecks = systemChecks): Prerequisite[] {
  return DEMO_PREREQUISITES.filter((p) =>
    p.need === "root" ? !checks.isRoot() : !checks.hasProgram(p.need),
  );
}

/** Says exactly what is missing and the commands that fix it; "" when nothing is. */
export function prerequisitesMessage(missing: readonly Prerequisite[]): string {
  if (missing.length === 0) return "";
  const lines = ["microseg demo cannot start; this machine is missing:"];
  for (const p of missing) {
    const what = p.need === "root" ? "root privileges" : `\`${p.need}\` (package ${p.pkg})`;
    lines.push(`  - ${what}: the demo ${p.why}`);
  }
  const pkgs = missing.flatMap((p) => (p.pkg === undefined ? [] : [p.pkg]));
  lines.push("", "Fix it with:");
  if (pkgs.length > 0) lines.push(`  sudo apt-get install -y ${pkgs.join(" ")}`);
  if (missing.some((p) => p.need === "root")) lines.push("  sudo npx microseg demo");
  else lines.push("  then run microseg demo again");
  lines.push("", "Nothing was changed on this machine.");
  return `${lines.join("\n")}\n`;
}
