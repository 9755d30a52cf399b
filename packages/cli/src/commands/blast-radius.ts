// `microseg blast-radius W [--hops 3] [--draft] [--json]`: what an attacker who holds workload W
// could reach in up to k hops under the active policy (or the draft), with the path and the
// services of each hop, and the estate-wide figure before/after the draft.
import { MicrosegError } from "@microseg/core";
import type { BlastRadiusWire } from "@microseg/protocol";
import { connect } from "../api/connect.js";
import { apiCommand, CONNECTION_HELP, type WithConnection } from "../api/options.js";
import { plural, printJson, shown, write } from "../api/output.js";

type Flags = WithConnection<{ json?: boolean; hops: string; draft?: boolean }>;

export function blastRadiusCommand() {
  return apiCommand(
    "blast-radius",
    "Show what an attacker on a workload could reach in k hops under the policy.",
  )
    .argument("<workload>", "the workload assumed taken")
    .option("--hops <k>", "how many hops to follow (1-10)", "3")
    .option("--draft", "under the saved draft instead of the active policy (and compare)")
    .addHelpText(
      "after",
      `
A hop A -> B exists when the policy lets A open a connection to B on some service (both ends'
rules, whatever the modes: what enforcement would allow). Each reachable workload is shown with
the fewest hops, one shortest path and the services that open each hop. The estate line gives,
for every workload, how many others it reaches within k hops (mean and max), under the active
policy and, with --draft, under the draft.

Examples:
  $ npx microseg blast-radius web-1
  $ npx microseg blast-radius web-1 --hops 1 --json
  $ npx microseg blast-radius db-1 --draft
${CONNECTION_HELP}`,
    )
    .action(async (workload: string, opts: Flags) => {
      const hops = Number(opts.hops);
      if (!Number.isInteger(hops) || hops < 1 || hops > 10) {
        throw new MicrosegError("MSEG_USAGE", `--hops "${opts.hops}" must be a whole number 1-10`);
      }
      const r = await (await connect(opts)).blastRadius({
        workload,
        hops,
        ...(opts.draft === true && { draft: true }),
      });
      if (opts.json === true) return printJson(r);
      write(formatBlast(r));
    });
}

export function formatBlast(r: BlastRadiusWire): string {
  const lines = [
    `${shown(r.workload)} reaches ${plural(r.reachable.length, "workload")} within ${plural(r.hops, "hop")} ` +
      `under the ${r.policy} policy (per hop: ${r.perHop.join(", ")})`,
  ];
  for (const t of r.reachable) {
    const via = t.via.map((h) => `${shown(h.to)} [${shown(h.services.join(","))}]`).join(" -> ");
    lines.push(`  ${t.hops}  ${shown(t.workload)}: ${shown(r.workload)} -> ${via}`);
  }
  const e = (x: BlastRadiusWire["estate"]["active"]) =>
    `mean ${x.mean}, max ${x.max}${x.worst.length > 0 ? ` (${shown(x.worst.slice(0, 3).join(", "))})` : ""}, ${x.reachablePairs} reachable pairs`;
  lines.push(`estate, active policy: ${e(r.estate.active)}`);
  if (r.estate.draft !== undefined) lines.push(`estate, draft:         ${e(r.estate.draft)}`);
  return `${lines.join("\n")}\n`;
}
