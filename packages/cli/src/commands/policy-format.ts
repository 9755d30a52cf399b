// Human-readable text for decisions, test results and RuleSets (the --json forms print the
// objects themselves).

import type {
  Chain,
  Decision,
  ExplainStep,
  PolicyTest,
  PolicyTestResult,
  PortMatch,
  RuleSet,
  SourceRef,
} from "@microseg/core";

export function where(source: SourceRef): string {
  return source.file === undefined ? source.path : `${source.file} ${source.path}`;
}

/** The decision path: one line per enforcement point. */
export function formatSteps(decision: Decision, indent: string): string[] {
  if (decision.steps.length === 0) {
    return [`${indent}neither end is a managed workload, so nothing enforces this flow`];
  }
  const width = Math.max(...decision.steps.map((s) => s.workload.length));
  return decision.steps.map((s) => `${indent}${formatStep(s, width)}`);
}

function formatStep(s: ExplainStep, width: number): string {
  const head = `${s.at.padEnd(11)} ${s.workload.padEnd(width)}  ${s.direction.padEnd(8)} ${s.mode.padEnd(7)} ${s.policy.padEnd(5)}`;
  if (s.rule === undefined) return `${head}  default: ${s.reason}`;
  const labels = Object.entries(s.matchedLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  const matched = labels.length === 0 ? "" : `; matched ${labels.join(",")}`;
  const id = s.rule.id.includes("#") ? s.rule.id : `${s.rule.id} (${where(s.rule.source)})`;
  return `${head}  by ${s.rule.action} rule ${id}${matched}`;
}

export function formatTest(t: PolicyTest): string {
  return `${t.from} -> ${t.to} ${t.port} expect ${t.expect}`;
}

export function formatTestResult(r: PolicyTestResult): string[] {
  const at = `(${where(r.test.source)})`;
  if (r.passed) return [`ok    ${formatTest(r.test)}  ${at}`];
  if (r.decision === undefined) {
    return [
      `FAIL  ${formatTest(r.test)}  ${at}`,
      `      could not be evaluated: ${r.error ?? "unknown reason"}`,
    ];
  }
  return [
    `FAIL  ${formatTest(r.test)}, but policy says ${r.decision.policy}  ${at}`,
    ...formatSteps(r.decision, "      "),
  ];
}

export function formatRuleSet(rs: RuleSet): string[] {
  const lines = [
    `${rs.workload} (${rs.mode}) ${rs.addresses.join(" ")}  hash ${rs.hash.slice(0, 12)}`,
  ];
  lines.push(...formatChain("inbound", rs.inbound), ...formatChain("outbound", rs.outbound));
  const sets = Object.entries(rs.sets);
  if (sets.length > 0) lines.push("  sets");
  for (const [name, set] of sets) {
    const members = [...set.v4, ...set.v6];
    lines.push(`    ${name}  ${members.length === 0 ? "(empty)" : members.join(" ")}`);
  }
  return lines;
}

function formatChain(name: string, chain: Chain): string[] {
  const lines = [`  ${name} (default ${chain.default})`];
  const peerWord = name === "inbound" ? "from" : "to";
  for (const e of chain.entries) {
    const peer = "set" in e.peer ? `${peerWord} @${e.peer.set}` : `${peerWord} any`;
    const ports = e.ports.length === 0 ? "any port" : e.ports.map(formatPortMatch).join(" ");
    lines.push(`    ${e.action.padEnd(13)} ${peer}  ${ports}  rule ${e.ruleId}`);
  }
  return lines;
}

function formatPortMatch(p: PortMatch): string {
  switch (p.proto) {
    case "any":
      return "any";
    case "icmp":
    case "icmpv6":
      return p.types === undefined ? p.proto : `${p.proto}/${p.types.join(",")}`;
    default:
      return `${p.proto}/${p.ranges.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(",")}`;
  }
}
