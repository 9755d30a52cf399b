// Other firewalls in lab hosts (the coexistence test): load the rulesets of
// testdata/firewalls/ into a host's namespace, and read back what every firewall but microseg
// holds there. Only ever inside a lab host's namespace (`ip netns exec`).
import { spawn } from "node:child_process";
import { once } from "node:events";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { terminate } from "../sys/procs.js";
import { run, runOk } from "../sys/run.js";
import { namespacePids } from "../topology.js";
import { normalizeSave, splitRuleset } from "./ruleset-snapshot.js";

export const FIREWALLS = join(import.meta.dirname, "../../testdata/firewalls");

export type Firewall = "docker" | "ufw" | "firewalld";

const MSEG = { family: "inet", name: "microseg" } as const;

const inNs = (netns: string, cmd: string, ...args: string[]) =>
  runOk("ip", ["netns", "exec", netns, cmd, ...args]);

/**
 * Docker's and ufw's rules go in as their daemons put them, through iptables-nft (restore
 * replaces only the tables its input names); firewalld's table through nft.
 */
export async function loadFirewall(netns: string, firewall: Firewall): Promise<void> {
  if (firewall === "firewalld") await inNs(netns, "nft", "-f", join(FIREWALLS, "firewalld.nft"));
  else await inNs(netns, "iptables-nft-restore", join(FIREWALLS, `${firewall}.rules`));
}

/**
 * What `systemctl reload nftables` does with a typical /etc/nftables.conf: one `nft -f` of a
 * file that begins with `flush ruleset` (every table, microseg's too), then declares the
 * firewall's own table again (here firewalld's).
 */
export async function reloadFlushingRuleset(netns: string): Promise<void> {
  const tmp = mkdtempSync(join(tmpdir(), "mseg-conf-"));
  const conf = join(tmp, "nftables.conf");
  try {
    writeFileSync(conf, `flush ruleset\n${readFileSync(join(FIREWALLS, "firewalld.nft"), "utf8")}`);
    await inNs(netns, "nft", "-f", conf);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Everything but microseg's table: nft's view, iptables-nft's and the legacy backend's. */
export interface OtherRules {
  readonly nft: string[];
  readonly iptables: string[];
  readonly legacy: string[];
}

export async function otherRules(netns: string): Promise<OtherRules> {
  const [listing, iptables, legacy] = await Promise.all([
    inNs(netns, "nft", "-j", "list", "ruleset"),
    inNs(netns, "iptables-nft-save"),
    inNs(netns, "iptables-legacy-save"),
  ]);
  return {
    nft: splitRuleset(listing, MSEG).others,
    iptables: normalizeSave(iptables),
    legacy: normalizeSave(legacy),
  };
}

/** microseg's own table, structure only (`-t`: no set elements, which traffic changes). */
export async function microsegTable(netns: string): Promise<string[]> {
  return splitRuleset(await inNs(netns, "nft", "-j", "-t", "list", "ruleset"), MSEG).own;
}

/** Handles of the rules in microseg's chain `chain`, in order. */
export async function microsegRuleHandles(netns: string, chain: string): Promise<number[]> {
  const listing = await inNs(netns, "nft", "-j", "-a", "list", "chain", "inet", "microseg", chain);
  const items = (JSON.parse(listing) as { nftables?: { rule?: { handle: number } }[] }).nftables;
  return (items ?? []).flatMap((item) => (item.rule === undefined ? [] : [item.rule.handle]));
}

export function deleteMicrosegRule(netns: string, chain: string, handle: number) {
  return inNs(netns, "nft", "delete", "rule", "inet", "microseg", chain, "handle", String(handle));
}

/** Packets counted by each rule of a chain, in order, with the rule's comment. */
export async function chainCounters(
  netns: string,
  family: string,
  table: string,
  chain: string,
): Promise<{ comment: string; packets: number }[]> {
  const listing = await inNs(netns, "nft", "-j", "list", "chain", family, table, chain);
  type Rule = { comment?: string; expr: { counter?: { packets: number } }[] };
  const items = (JSON.parse(listing) as { nftables?: { rule?: Rule }[] }).nftables ?? [];
  return items.flatMap(({ rule }) =>
    rule === undefined
      ? []
      : [
          {
            comment: rule.comment ?? "",
            packets: rule.expr.reduce((n, e) => n + (e.counter?.packets ?? 0), 0),
          },
        ],
  );
}

/**
 * A Docker container behind `host`'s docker0 as dockerd wires one (docker.rules publishes
 * 8080 -> 172.17.0.2:80): a bridge docker0 (172.17.0.1/16) in the host, a veth to namespace
 * `netns` (172.17.0.2, default route via docker0), forwarding on, a TCP server on port 80 there.
 * `netns` must be a lab name (mseg-…) so that `lab down` removes it after a crash too. Resolves
 * to a function that removes it all again.
 */
export async function startContainer(host: string, netns: string): Promise<() => Promise<void>> {
  const batch = (ns: string, lines: string[]) =>
    runOk("ip", ["-n", ns, "-batch", "-"], { input: `${lines.join("\n")}\n` });
  const remove = async () => {
    await terminate(await namespacePids(netns));
    await run("ip", ["netns", "delete", netns]);
    await run("ip", ["-n", host, "link", "delete", "docker0"]);
    await run("ip", ["netns", "exec", host, "sysctl", "-qw", "net.ipv4.ip_forward=0"]);
  };
  try {
    await runOk("ip", ["netns", "add", netns]);
    await batch(host, [
      "link add docker0 type bridge",
      "address add 172.17.0.1/16 dev docker0",
      "link set docker0 up",
      `link add vethc0 type veth peer name eth0 netns ${netns}`,
      "link set vethc0 master docker0 up",
    ]);
    await batch(netns, [
      "link set lo up",
      "address add 172.17.0.2/16 dev eth0",
      "link set eth0 up",
      "route add default via 172.17.0.1",
    ]);
    await inNs(host, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    const server = `require("node:net")
      .createServer((s) => s.on("error", () => {}).end("hi\\n"))
      .listen(80, () => console.log("ready"))`;
    const child = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", server], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    await once(child.stdout, "data", { signal: AbortSignal.timeout(10_000) });
    child.stdout.destroy();
    child.unref();
  } catch (err) {
    await remove();
    throw err;
  }
  return remove;
}
