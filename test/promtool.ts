// `promtool check metrics` (Debian package prometheus) for the agent's and the controller's metrics
// tests: Prometheus's own parser and linter of the text exposition format. Missing under CI=true
// is a failure (.ci/run installs it); elsewhere the tests that need it are skipped, saying why.
import { spawnSync } from "node:child_process";

export const HAVE_PROMTOOL = spawnSync("promtool", ["--version"]).error === undefined;
if (!HAVE_PROMTOOL && process.env.CI === "true") {
  throw new Error("promtool is missing: apt-get install --no-install-recommends prometheus");
}
export const PROMTOOL_SKIPPED = HAVE_PROMTOOL
  ? ""
  : " (skipped: no promtool here; apt-get install --no-install-recommends prometheus)";

/** promtool's verdict on an exposition text: exit status and what it printed. */
export function promtoolCheck(text: string): { status: number | null; output: string } {
  const out = spawnSync("promtool", ["check", "metrics"], { input: text, encoding: "utf8" });
  if (out.error !== undefined) throw out.error;
  return { status: out.status, output: `${out.stdout}${out.stderr}`.trim() };
}
