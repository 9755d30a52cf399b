// Gate for tests that need the real kernel: root, `nft` and `ip`.
// Outside CI, missing prerequisites skip the suite with a message naming what is missing;
// with CI=true they FAIL it, so a misconfigured runner cannot silently skip enforcement tests.

import { spawnSync } from "node:child_process";
import { describe, it } from "vitest";

/** What is missing for privileged tests on this machine (empty: all there). */
export function missingPrerequisites(): string[] {
  const missing: string[] = [];
  if (process.getuid?.() !== 0) missing.push("root (uid 0)");
  for (const [tool, args] of [
    ["nft", ["--version"]],
    ["ip", ["-V"]],
  ] as const) {
    if (!runs(tool, args)) missing.push(`the \`${tool}\` command`);
  }
  return missing;
}

function runs(tool: string, args: readonly string[]): boolean {
  const res = spawnSync(tool, args, { stdio: "ignore" });
  return !res.error && res.status === 0;
}

let cached: string[] | undefined;

/**
 * A suite that needs root, nft and ip, and the commands of `tools` (each run with `--version`):
 * skipped with the reason when they are missing, failed instead on CI.
 */
export function describePrivileged(name: string, fn: () => void, tools: string[] = []): void {
  cached ??= missingPrerequisites();
  const missing = [
    ...cached,
    ...tools.filter((t) => !runs(t, ["--version"])).map((t) => `the \`${t}\` command`),
  ];
  if (missing.length === 0) {
    describe(name, fn);
    return;
  }
  const reason = `privileged test needs ${missing.join(", ")}`;
  if (process.env.CI === "true") {
    describe(name, () => {
      it("has its prerequisites (CI=true: missing ones fail)", () => {
        throw new Error(`${reason}; on CI this is a failure, not a skip`);
      });
    });
    return;
  }
  console.warn(`skipping "${name}": ${reason}`);
  describe.skip(`${name} (skipped: ${reason})`, fn);
}
