// A Debian system booted with systemd-nspawn as PID 1 inside a lab network namespace.
//
// nspawn runs under a pseudo-terminal (`script`): without one it prints nothing and the boot
// output is lost. --register=no and --keep-unit because no system bus of the host is assumed;
// so machinectl cannot reach the guest, and commands enter it with nsenter on its PID 1.
// A reboot inside the guest ends nspawn; booting again is a new nspawn on the same root.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { background, type Ran, sh, until } from "./sh.js";

export class Container {
  private run: ReturnType<typeof background> | undefined;
  private leader = 0;

  constructor(
    readonly root: string,
    readonly netns: string,
  ) {}

  /** Boots and waits until systemd says the system is up (running or degraded). */
  async boot(): Promise<void> {
    const nspawn = [
      "systemd-nspawn",
      `--directory=${this.root}`,
      "--boot",
      "--keep-unit",
      "--register=no",
      // nspawn keeps CAP_NET_ADMIN only for a private network it made itself; the agent needs
      // it, and here it reaches no further than the lab namespace the guest is given.
      "--capability=CAP_NET_ADMIN",
      `--network-namespace-path=/run/netns/${this.netns}`,
    ].join(" ");
    this.run = background("script", ["-qfec", nspawn, "/dev/null"]);
    this.leader = await until("the guest's systemd", async () => guestInit(this.netns), 60_000);
    const state = await until(
      "the guest to finish booting",
      async () => {
        const r = await this.exec("systemctl is-system-running");
        const s = r.out.trim();
        return s === "running" || s === "degraded" ? s : undefined;
      },
      120_000,
    );
    if (state === "degraded") {
      const failed = await this.exec("systemctl --failed --no-legend");
      process.stderr.write(`guest booted degraded: ${failed.out}\n`);
    }
  }

  /** `sh -c command` inside the guest (all its namespaces), as root. */
  exec(command: string, timeoutMs = 120_000): Promise<Ran> {
    return sh(
      "nsenter",
      ["-t", String(this.leader), "-a", "--", "/bin/sh", "-c", command],
      timeoutMs,
    );
  }

  /** Reboots the guest: `systemctl reboot` inside, nspawn exits, a new one boots the same root. */
  async reboot(): Promise<void> {
    await this.exec("systemctl reboot");
    await this.exited(60_000);
    await this.boot();
  }

  /** Powers the guest off (or kills it when it does not go within the time). */
  async stop(): Promise<void> {
    if (!this.run) return;
    await this.exec("systemctl poweroff", 10_000);
    if (!(await this.exited(30_000))) this.run.child.kill("SIGKILL");
    this.run = undefined;
  }

  /** What nspawn printed (the boot log), for failure messages. */
  get console(): string {
    return this.run?.log.join("") ?? "";
  }

  private async exited(timeoutMs: number): Promise<boolean> {
    const run = this.run;
    if (!run) return true;
    const timer = new Promise<"late">((r) => setTimeout(() => r("late"), timeoutMs).unref());
    return (await Promise.race([run.exited, timer])) !== "late";
  }
}

/** The PID (on this side) of a systemd that runs in `netns` in a PID namespace of its own. */
function guestInit(netns: string): number | undefined {
  const target = statSync(`/run/netns/${netns}`).ino;
  const ours = statSync("/proc/self/ns/pid").ino;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, "utf8").trim() !== "systemd") continue;
      if (statSync(`/proc/${entry}/ns/net`).ino !== target) continue;
      if (statSync(`/proc/${entry}/ns/pid`).ino === ours) continue;
      return Number(entry);
    } catch {
      // The process went away while we looked.
    }
  }
  return undefined;
}
