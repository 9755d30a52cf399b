// What goes where in the two packages. A tarball holds the same tree as its .deb (without
// DEBIAN/), so `tar -xzf … -C /` installs the same files on a distribution without dpkg.
import { VERSION } from "../../packages/core/src/version.js";

export const ARCH = "amd64";

export interface PackageSpec {
  readonly name: string;
  readonly summary: string;
  readonly description: string;
  readonly depends: string;
  /** Files under /etc that dpkg keeps across upgrades (edited by the operator). */
  readonly conffiles: readonly string[];
}

export const AGENT: PackageSpec = {
  name: "microseg-agent",
  summary: "microseg host agent: label-based micro-segmentation enforced with nftables",
  description:
    "Enforces this server's policy from a microseg controller in its own nftables table,\n" +
    "restores it at boot before the network comes up, watches it for tampering and\n" +
    "reports the server's flows. Carries its own Node.js runtime.",
  depends: "nftables, conntrack, libc6 (>= 2.28), libstdc++6",
  conffiles: ["/etc/default/microseg-agent"],
};

export const CONTROLLER: PackageSpec = {
  name: "microseg",
  summary: "microseg controller and command line: micro-segmentation policy control centre",
  description:
    "The microseg controller (API, web console, agent channel, embedded SQLite database)\n" +
    "and the `microseg` command. Serves the agent packages and the one-line installer.\n" +
    "Carries its own Node.js runtime.",
  depends: "libc6 (>= 2.28), libstdc++6, passwd",
  conffiles: ["/etc/default/microseg-controller"],
};

export const debName = (p: PackageSpec) => `${p.name}_${VERSION}_${ARCH}.deb`;
export const tarName = (p: PackageSpec) => `${p.name}_${VERSION}_linux-${ARCH}.tar.gz`;

/** The control file of `p`; `size` is the installed size in KiB. */
export function control(p: PackageSpec, size: number): string {
  const body = p.description
    .split("\n")
    .map((line) => ` ${line}`)
    .join("\n");
  return [
    `Package: ${p.name}`,
    `Version: ${VERSION}`,
    `Architecture: ${ARCH}`,
    "Maintainer: The microseg authors <security@microseg.dev>",
    `Installed-Size: ${size}`,
    `Depends: ${p.depends}`,
    "Section: net",
    "Priority: optional",
    "Homepage: https://github.com/microseg/microseg",
    `Description: ${p.summary}`,
    body,
    "",
  ].join("\n");
}

/** The command a package installs: its own runtime on its own bundle, found relative to itself. */
export function wrapper(libDir: string, program: string): string {
  return `#!/bin/sh
# ${program}: the bundled program on the Node.js runtime it ships with (no system Node.js needed).
here=$(dirname "$(readlink -f "$0")")
exec "$here/../lib/${libDir}/node" "$here/../lib/${libDir}/${program}.mjs" "$@"
`;
}
