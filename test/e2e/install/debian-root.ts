// A Debian 12 root file system for systemd-nspawn: made once by scripts/debian-rootfs
// (debootstrap, cached under /var/cache/microseg-test; .ci/run starts it early, in the
// background), then copied for every run so each starts from a clean system.
import { mkdtemp, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ok } from "./sh.js";

const CACHE = "/var/cache/microseg-test/bookworm";
const SCRIPT = resolve(import.meta.dirname, "../../../scripts/debian-rootfs");

/** A fresh copy of the cached root under a new directory of /var/tmp; its path. */
export async function freshDebianRoot(hostname: string): Promise<string> {
  await ok(SCRIPT, [], 900_000);
  const dir = await mkdtemp("/var/tmp/microseg-e2e-");
  const root = join(dir, "root");
  await ok("cp", ["-a", "--reflink=auto", CACHE, root], 300_000);
  await writeFile(join(root, "etc/hostname"), `${hostname}\n`);
  // An empty machine-id: systemd makes a transient one at every boot (a clean first boot).
  await writeFile(join(root, "etc/machine-id"), "");
  return root;
}
