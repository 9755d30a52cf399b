// The Debian copyright file of a package: the project and what it bundles.
export function debianCopyright(bundled: readonly string[]): string {
  return [
    "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/",
    "Upstream-Name: microseg",
    "",
    "Files: *",
    "Copyright: 2026 The microseg authors",
    "License: Apache-2.0",
    `Comment: bundles ${bundled.join(", ")} and the Node.js runtime`,
    "",
  ].join("\n");
}
