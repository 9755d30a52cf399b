// explain(): the verdict for one flow and the path to it. Each managed end is judged by
// evaluating its compiled RuleSet (source: outbound chain, destination: inbound chain).

import { parseAddress } from "../addr/index.js";
import { chainDefault } from "../compile/defaults.js";
import { selectingPeer } from "../compile/peers.js";
import { QUARANTINE_PEER_RULE } from "../compile/quarantine.js";
import type { Decision, ExplainStep, FlowQuery, Verdict } from "../decision.js";
import type { Direction, Labels, Policy, Rule, Workload } from "../model.js";
import { labelValue, selectorKeys } from "../selector.js";
import { ExplainContext, type ResolvedEndpoint } from "./context.js";
import { evaluateChain, type Packet } from "./evaluate.js";
import { toPacket } from "./packet.js";

export function explain(
  policy: Policy,
  workloads: readonly Workload[],
  query: FlowQuery,
): Decision {
  return explainWith(new ExplainContext(policy, workloads), query);
}

export function explainWith(ctx: ExplainContext, query: FlowQuery): Decision {
  return explainEndpoints(ctx, ctx.endpoint(query.from), ctx.endpoint(query.to), query.port);
}

export function explainEndpoints(
  ctx: ExplainContext,
  src: ResolvedEndpoint,
  dst: ResolvedEndpoint,
  port: string,
): Decision {
  const packet = toPacket(port, dst.workload);
  const [srcAddr, dstAddr] = flowAddresses(src, dst);
  const steps: ExplainStep[] = [];
  if (src.workload?.managed) {
    steps.push(step(ctx, "source", src.workload, dstAddr, dst.workload, packet));
  }
  if (dst.workload?.managed) {
    steps.push(step(ctx, "destination", dst.workload, srcAddr, src.workload, packet));
  }
  return { verdict: verdict(steps), policy: steps.some(denies) ? "deny" : "allow", steps };
}

function step(
  ctx: ExplainContext,
  at: "source" | "destination",
  w: Workload,
  remoteAddr: string | undefined,
  remote: Workload | undefined,
  packet: Packet,
): ExplainStep {
  const direction: Direction = at === "source" ? "outbound" : "inbound";
  const result = evaluateChain(ctx.ruleSet(w), direction, remoteAddr, packet);
  if (w.quarantine !== undefined) return quarantinedStep(at, w, direction, result.policy);
  const base = { at, workload: w.name, direction, mode: w.mode, policy: result.policy };
  if (result.entry === undefined) {
    const reason = chainDefault(ctx.policy, w, direction).reason;
    return {
      ...base,
      reason:
        remote?.quarantine === undefined
          ? reason
          : `${reason}; ${remote.name} is quarantined, so no selector matches it`,
    };
  }
  if (result.entry.ruleId === QUARANTINE_PEER_RULE) {
    return {
      ...base,
      rule: { id: QUARANTINE_PEER_RULE, action: "deny", source: { path: "quarantine" } },
      reason: `${remote?.name ?? remoteAddr} is quarantined: ${w.name} denies it ahead of every rule that would admit its address`,
    };
  }
  const rule = ctx.res.ruleById.get(result.entry.ruleId)?.rule as Rule;
  const matchedLabels = remote && matched(rule, direction === "outbound" ? "to" : "from", remote);
  return {
    ...base,
    rule: { id: rule.id, action: rule.action, source: rule.source },
    reason: `rule ${rule.id} (${rule.action}) matches`,
    ...(matchedLabels === undefined ? {} : { matchedLabels }),
  };
}

/** A quarantined end enforces whatever its mode: only its forensic addresses pass. */
function quarantinedStep(
  at: "source" | "destination",
  w: Workload,
  direction: Direction,
  policy: "allow" | "deny",
): ExplainStep {
  const reason =
    policy === "allow"
      ? `${w.name} is quarantined; the remote end is one of its forensic addresses`
      : `${w.name} is quarantined: everything but management and forensic addresses is blocked`;
  return { at, workload: w.name, direction, mode: "enforce", policy, reason };
}

/** The remote workload's labels that the rule's selecting peer (and scope) looked at. */
function matched(rule: Rule, side: "from" | "to", remote: Workload): Labels | undefined {
  const peer = selectingPeer(rule, side, remote);
  if (peer === undefined) return undefined;
  const keys = [...selectorKeys(rule.scope)];
  if (peer.kind === "workloads") keys.push(...selectorKeys(peer.selector));
  const out: Record<string, string> = {};
  for (const k of keys.sort()) {
    const v = labelValue(remote.labels, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function denies(s: ExplainStep): boolean {
  return s.policy === "deny";
}

/** Enforce blocks; test reports would-block; learn never blocks. */
function verdict(steps: readonly ExplainStep[]): Verdict {
  if (steps.some((s) => denies(s) && s.mode === "enforce")) return "blocked";
  if (steps.some((s) => denies(s) && s.mode === "test")) return "would-block";
  return "allowed";
}

/**
 * The packet's addresses. A given address is used as is; a workload contributes an address of the
 * family the other end uses (IPv4 preferred when both ends have both).
 */
function flowAddresses(src: ResolvedEndpoint, dst: ResolvedEndpoint): [string?, string?] {
  const fam = (e: ResolvedEndpoint): Set<number> => {
    if (e.address !== undefined) return new Set([parseAddress(e.address)?.family ?? 4]);
    return new Set((e.workload?.addresses ?? []).map((a) => parseAddress(a)?.family ?? 4));
  };
  const fs = fam(src);
  const fd = fam(dst);
  const family = [4, 6].find((f) => fs.has(f) && fd.has(f));
  return [pickAddress(src, family), pickAddress(dst, family)];
}

function pickAddress(e: ResolvedEndpoint, family: number | undefined): string | undefined {
  if (e.address !== undefined) return e.address;
  const addrs = [...(e.workload?.addresses ?? [])].sort();
  return addrs.find((a) => family === undefined || parseAddress(a)?.family === family) ?? addrs[0];
}
