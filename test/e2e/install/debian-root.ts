// A Debian 12 root file system for systemd-nspawn: made once with debootstrap (minbase plus
// systemd, nftables, conntrack, iproute2 and curl; about a minute and 260 MB) and kept under
// /var/cache/microseg-test, then copied for every run so each starts from a clean system.
import { existsSync, readFileSync } from "node:fs";
import { mkdtemp, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ok } from "./sh.js";

const CACHE = "/var/cache/microseg-test/bookworm";
const PACKAGES = "systemd,systemd-sysv,dbus,nftables,conntrack,iproute2,curl";

/** A fresh copy of the cached root under a new directory of /var/tmp; its path. */
export async function freshDebianRoot(hostname: string): Promise<string> {
  await cachedRoot();
  const dir = await mkdtemp("/var/tmp/microseg-e2e-");
  const root = join(dir, "root");
  await ok("cp", ["-a", "--reflink=auto", CACHE, root], 300_000);
  await writeFile(join(root, "etc/hostname"), `${hostname}\n`);
  // An empty machine-id: systemd makes a transient one at every boot (a clean first boot).
  await writeFile(join(root, "etc/machine-id"), "");
  return root;
}

async function cachedRoot(): Promise<void> {
  if (existsSync(join(CACHE, "usr/lib/systemd/systemd"))) return;
  const partial = `${CACHE}.partial`;
  await rm(partial, { recursive: true, force: true });
  process.stderr.write(`debootstrap of Debian 12 into ${CACHE} (about a minute, once)\n`);
  await ok(
    "debootstrap",
    ["--variant=minbase", `--include=${PACKAGES}`, "bookworm", partial, mirror()],
    900_000,
  );
  await rename(partial, CACHE);
}

/** This machine's Debian mirror (its apt sources), else deb.debian.org. */
function mirror(): string {
  for (const file of ["/etc/apt/sources.list.d/debian.sources", "/etc/apt/sources.list"]) {
    if (!existsSync(file)) continue;
    const text = readFileSync(file, "utf8");
    const uri =
      /^URIs:\s*(\S+)/m.exec(text)?.[1] ?? /^deb\s+(?:\[[^\]]*\]\s+)?(\S+)/m.exec(text)?.[1];
    if (uri && !uri.includes("security")) return uri;
  }
  return "http://deb.debian.org/debian";
}
