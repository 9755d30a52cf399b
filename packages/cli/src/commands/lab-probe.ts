import { labProbe, type ProbeResult } from "@microseg/lab";
import { Command, InvalidArgumentError, Option } from "commander";
import { printJson, write } from "../api/output.js";

export function labProbeCommand(): Command {
  return new Command("probe")
    .description(
      "Try every probe of the running lab with real connections: every ordered pair of " +
        "distinct hosts, every port the destination listens on (TCP connect, UDP echo).",
    )
    .option("--json", 'print {"results":[{"from","to","port","verdict"}]} on stdout')
    .option("--ipv6", "probe the hosts' IPv6 addresses (2001:2::/48) instead of IPv4")
    .addOption(
      new Option("--timeout <ms>", "how long one attempt may take before it counts as blocked")
        .default(1000)
        .argParser((v) => positiveInt(v)),
    )
    .addHelpText(
      "after",
      `
verdict is "allowed" when the TCP connection or the UDP echo completed, "blocked" when it did
not, three times: what the first try finds blocked is tried again after every host finished,
and what is still silent once more, waiting two and then three timeouts, so a host too busy to
answer in time is not mistaken for a blocked path. All probes run in parallel; the whole probe
takes about one timeout, six when anything is blocked. Exits 0 when the probe ran, whatever
it found.

Examples:
  $ sudo npx microseg lab probe
  $ sudo npx microseg lab probe --json | jq '.results[] | select(.verdict == "allowed")'
  $ sudo npx microseg lab probe --ipv6`,
    )
    .action(async (opts: { json?: boolean; ipv6?: boolean; timeout: number }) => {
      const { results } = await labProbe({
        family: opts.ipv6 === true ? 6 : 4,
        timeoutMs: opts.timeout,
      });
      if (opts.json === true) {
        printJson({ results });
        return;
      }
      write(humanProbe(results));
    });
}

/** One line per source/destination pair: which ports were allowed and which blocked. */
export function humanProbe(results: readonly ProbeResult[]): string {
  const pairs = new Map<string, { allowed: string[]; blocked: string[] }>();
  for (const r of results) {
    const key = `${r.from} -> ${r.to}`;
    const entry = pairs.get(key) ?? { allowed: [], blocked: [] };
    entry[r.verdict].push(r.port);
    pairs.set(key, entry);
  }
  const width = Math.max(0, ...[...pairs.keys()].map((k) => k.length));
  const lines = [...pairs].map(([key, v]) => {
    const allowed = v.allowed.length > 0 ? `allowed ${v.allowed.join(" ")}` : "";
    const blocked = v.blocked.length > 0 ? `blocked ${v.blocked.join(" ")}` : "";
    return `${key.padEnd(width)}  ${[allowed, blocked].filter((s) => s !== "").join(" · ")}`;
  });
  const allowedCount = results.filter((r) => r.verdict === "allowed").length;
  lines.push(
    "",
    `${results.length} probes: ${allowedCount} allowed, ${results.length - allowedCount} blocked`,
  );
  return `${lines.join("\n")}\n`;
}

function positiveInt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 50 || n > 10_000) {
    throw new InvalidArgumentError(`give milliseconds from 50 to 10000, not "${v}".`);
  }
  return n;
}
