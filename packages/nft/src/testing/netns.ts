// Network namespaces for tests and benchmarks, always deleted again.
// Names are `<prefix>-<pid>-<n>`, unique per process; a veth pair is created directly inside
// the namespaces (never in the root namespace), so deleting the namespaces deletes it too.

import { spawn } from "node:child_process";
import { run } from "../driver/exec.js";

export interface Netns {
  readonly name: string;
  /** Runs a command inside the namespace; rejects on a non-zero exit. */
  exec(cmd: string, args: readonly string[], timeoutMs?: number): Promise<string>;
  /** Starts a long-running process inside the namespace; killed when the namespace is deleted. */
  spawn(cmd: string, args: readonly string[]): import("node:child_process").ChildProcess;
  delete(): Promise<void>;
}

let counter = 0;

export async function sh(
  cmd: string,
  args: readonly string[],
  timeoutMs = 10_000,
): Promise<string> {
  const res = await run(cmd, args, undefined, timeoutMs);
  if (res.code !== 0)
    throw new Error(`${cmd} ${args.join(" ")} failed (${res.code}): ${res.stderr.trim()}`);
  return res.stdout;
}

/** Creates `<prefix>-<pid>-<n>` with lo up. Prefix should start with `msegt-`. */
export async function createNetns(prefix: string): Promise<Netns> {
  counter += 1;
  const name = `${prefix}-${process.pid}-${counter}`;
  await sh("ip", ["netns", "add", name]);
  const children: import("node:child_process").ChildProcess[] = [];
  const ns: Netns = {
    name,
    exec: (cmd, args, timeoutMs) => sh("ip", ["netns", "exec", name, cmd, ...args], timeoutMs),
    spawn(cmd, args) {
      const child = spawn("ip", ["netns", "exec", name, cmd, ...args], { stdio: "pipe" });
      children.push(child);
      return child;
    },
    async delete() {
      for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
      await run("ip", ["netns", "delete", name], undefined, 10_000);
    },
  };
  try {
    await ns.exec("ip", ["link", "set", "lo", "up"]);
  } catch (e) {
    await ns.delete();
    throw e;
  }
  return ns;
}

/** Runs `fn` with a fresh namespace and deletes it afterwards, also when `fn` throws. */
export async function withNetns<T>(prefix: string, fn: (ns: Netns) => Promise<T>): Promise<T> {
  const ns = await createNetns(prefix);
  try {
    return await fn(ns);
  } finally {
    await ns.delete();
  }
}

/** A group of namespaces created together and deleted together (for beforeAll/afterAll). */
export class NetnsGroup {
  private readonly all: Netns[] = [];
  constructor(private readonly prefix: string) {}
  async create(): Promise<Netns> {
    const ns = await createNetns(this.prefix);
    this.all.push(ns);
    return ns;
  }
  async deleteAll(): Promise<void> {
    const all = this.all.splice(0);
    await Promise.all(all.map((ns) => ns.delete()));
  }
}

export interface Link {
  readonly v4: string;
  readonly v6: string;
}

/**
 * Joins two namespaces with a veth pair `mseg0` <-> `mseg0` and gives each end an IPv4
 * (198.18.<net>.1|2/24) and an IPv6 (2001:2:0:<net>::1|2/64) address, DAD off.
 */
export async function joinNamespaces(a: Netns, b: Netns, net = 0): Promise<[Link, Link]> {
  await sh("ip", [
    "-n",
    a.name,
    "link",
    "add",
    "mseg0",
    "type",
    "veth",
    "peer",
    "name",
    "mseg0",
    "netns",
    b.name,
  ]);
  const links: [Link, Link] = [
    { v4: `198.18.${net}.1`, v6: `2001:2:0:${net}::1` },
    { v4: `198.18.${net}.2`, v6: `2001:2:0:${net}::2` },
  ];
  for (const [ns, link] of [
    [a, links[0]],
    [b, links[1]],
  ] as const) {
    await sh("ip", ["-n", ns.name, "addr", "add", `${link.v4}/24`, "dev", "mseg0"]);
    await sh("ip", ["-n", ns.name, "addr", "add", `${link.v6}/64`, "dev", "mseg0", "nodad"]);
    await sh("ip", ["-n", ns.name, "link", "set", "mseg0", "up"]);
  }
  return links;
}
