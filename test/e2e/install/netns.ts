// The install test's own small network: a bridge namespace and three hosts on 198.18.0.0/24.
//   mseg-pkg-ctl   198.18.0.1   the packaged controller (a process in the namespace)
//   mseg-pkg-srv   198.18.0.10  the Debian system booted with systemd-nspawn (the agent's host)
//   mseg-pkg-peer  198.18.0.20  where probes come from
// The `mseg-` prefix puts it under `microseg lab down`'s cleanup too.
import { ok, sh } from "./sh.js";

export const BRIDGE_NS = "mseg-pkg";
export const HOSTS = {
  ctl: { ns: "mseg-pkg-ctl", address: "198.18.0.1" },
  srv: { ns: "mseg-pkg-srv", address: "198.18.0.10" },
  peer: { ns: "mseg-pkg-peer", address: "198.18.0.20" },
} as const;

export async function createNetwork(): Promise<void> {
  await deleteNetwork();
  await ok("ip", ["netns", "add", BRIDGE_NS]);
  await ok("ip", ["-n", BRIDGE_NS, "link", "add", "br0", "type", "bridge"]);
  await ok("ip", ["-n", BRIDGE_NS, "link", "set", "br0", "up"]);
  let i = 0;
  for (const { ns, address } of Object.values(HOSTS)) {
    await ok("ip", ["netns", "add", ns]);
    await ok("ip", ["-n", BRIDGE_NS, "link", "add", `h${i}`, "type", "veth", "peer", "eth0"]);
    await ok("ip", ["-n", BRIDGE_NS, "link", "set", "eth0", "netns", ns]);
    await ok("ip", ["-n", BRIDGE_NS, "link", "set", `h${i}`, "master", "br0", "up"]);
    await ok("ip", ["-n", ns, "addr", "add", `${address}/24`, "dev", "eth0"]);
    await ok("ip", ["-n", ns, "link", "set", "eth0", "up"]);
    await ok("ip", ["-n", ns, "link", "set", "lo", "up"]);
    i += 1;
  }
}

export async function deleteNetwork(): Promise<void> {
  for (const ns of [BRIDGE_NS, ...Object.values(HOSTS).map((h) => h.ns)]) {
    await sh("ip", ["netns", "delete", ns]);
  }
}

/** TCP listeners on `ports` in `ns`, answering every connection (host processes, not the guest's). */
export function listenScript(ports: readonly number[]): string {
  return `for (const p of ${JSON.stringify(ports)}) require("node:net").createServer((s) => s.end()).listen(p);`;
}
