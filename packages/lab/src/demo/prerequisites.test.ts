// The demo's missing-prerequisites message, with the machine's checks faked.
import { describe, expect, it } from "vitest";
import {
  missingPrerequisites,
  type PrerequisiteChecks,
  prerequisitesMessage,
} from "./prerequisites.js";

const machine = (root: boolean, programs: string[]): PrerequisiteChecks => ({
  isRoot: () => root,
  hasProgram: (name) => programs.includes(name),
});

describe("demo prerequisites", () => {
  it("finds nothing missing on a ready machine, and says nothing", () => {
    const missing = missingPrerequisites(machine(true, ["nft", "conntrack", "ip"]));
    expect(missing).toEqual([]);
    expect(prerequisitesMessage(missing)).toBe("");
  });

  it("names each missing tool, its package and one install command", () => {
    const missing = missingPrerequisites(machine(true, ["ip"]));
    expect(missing.map((p) => p.need)).toEqual(["nft", "conntrack"]);
    const text = prerequisitesMessage(missing);
    expect(text).toContain("`nft` (package nftables)");
    expect(text).toContain("`conntrack` (package conntrack)");
    expect(text).toContain("sudo apt-get install -y nftables conntrack\n");
    expect(text).not.toContain("iproute2");
    expect(text).toContain("Nothing was changed on this machine.");
  });

  it("asks for root with the command to run, and lists tools as well", () => {
    const text = prerequisitesMessage(missingPrerequisites(machine(false, ["nft", "conntrack"])));
    expect(text).toContain("root privileges: the demo creates network namespaces");
    expect(text).toContain("`ip` (package iproute2)");
    expect(text).toContain("sudo apt-get install -y iproute2\n  sudo npx microseg demo\n");
  });

  it("asks only for root when every tool is there", () => {
    const text = prerequisitesMessage(
      missingPrerequisites(machine(false, ["nft", "conntrack", "ip"])),
    );
    expect(text).not.toContain("apt-get");
    expect(text).toContain("sudo npx microseg demo");
  });
});
