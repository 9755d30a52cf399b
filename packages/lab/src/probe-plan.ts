// What a probe tries and how its answers become the contract's result list (pure).
// One probe per ordered pair of distinct hosts and per port the destination listens on.
import type { StateHost } from "./state.js";

export type Verdict = "allowed" | "blocked";
export type Family = 4 | 6;

export interface ProbeResult {
  readonly from: string;
  readonly to: string;
  /** `tcp/80` */
  readonly port: string;
  readonly verdict: Verdict;
}

/** What a prober process is given (see programs/probe.js). */
export interface ProbeTarget {
  readonly to: string;
  readonly address: string;
  readonly proto: "tcp" | "udp";
  readonly port: number;
}

export interface SourcePlan {
  readonly from: string;
  readonly netns: string;
  readonly targets: readonly ProbeTarget[];
}

export function planProbes(hosts: readonly StateHost[], family: Family = 4): SourcePlan[] {
  return hosts.map((src) => ({
    from: src.name,
    netns: src.netns,
    targets: hosts
      .filter((dst) => dst.name !== src.name)
      .flatMap((dst) =>
        dst.listen.map((spec) => {
          const [proto, port] = spec.split("/");
          return {
            to: dst.name,
            address: family === 4 ? dst.address : dst.address6,
            proto: proto === "udp" ? ("udp" as const) : ("tcp" as const),
            port: Number(port),
          };
        }),
      ),
  }));
}

/** Pairs each source's verdicts (same order as its targets) with what was tried; sorted. */
export function assembleResults(
  plans: readonly SourcePlan[],
  verdicts: readonly (readonly Verdict[])[],
): ProbeResult[] {
  const results = plans.flatMap((plan, i) =>
    plan.targets.map((t, j) => ({
      from: plan.from,
      to: t.to,
      port: `${t.proto}/${t.port}`,
      verdict: verdicts[i]?.[j] ?? ("blocked" as const),
    })),
  );
  return results.sort(compareResults);
}

/** By source, destination, protocol, then port number. */
export function compareResults(a: ProbeResult, b: ProbeResult): number {
  return (
    cmp(a.from, b.from) ||
    cmp(a.to, b.to) ||
    cmp(a.port.split("/")[0] ?? "", b.port.split("/")[0] ?? "") ||
    Number(a.port.split("/")[1]) - Number(b.port.split("/")[1])
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
