// The size of the whole policy, checked after validation and before normalization: its rules
// (top-level, each scope's, and the rules Kubernetes NetworkPolicies became) and their ports once
// named services are expanded (each rule repeats every port of every service it names, which is
// what normalization and compilation then walk). A diagnostic names the first rule past a limit,
// so the user sees where the policy outgrew it.

import type { Diagnostic } from "../diagnostics.js";
import type { ErrorCode } from "../errors.js";
import type { Rule } from "../model.js";
import { count, type PolicyLimits } from "./limits.js";
import type { ValidDocument } from "./normalize.js";
import { formatPath } from "./paths.js";
import { looksLikePort } from "./ports.js";
import type { RuleDocument } from "./schema.js";
import type { PathSegment } from "./yaml-lines.js";

interface Place {
  readonly file: string;
  readonly path: string;
  readonly line: number | undefined;
}

class Tally {
  total = 0;
  first: Place | undefined;
  constructor(private readonly max: number) {}

  add(n: number, place: () => Place): void {
    this.total += n;
    if (this.first === undefined && this.total > this.max) this.first = place();
  }
}

export function policySizeProblem(
  valid: readonly ValidDocument[],
  kubernetes: readonly Rule[],
  limits: Pick<PolicyLimits, "maxRules" | "maxRulePorts">,
): Diagnostic | undefined {
  const services = new Map<string, number>();
  for (const { data } of valid) for (const s of data.services) services.set(s.name, s.ports.length);
  const ports = (r: RuleDocument) =>
    (r.services ?? []).reduce((n, e) => n + (looksLikePort(e) ? 1 : (services.get(e) ?? 0)), 0);
  const rules = new Tally(limits.maxRules);
  const rulePorts = new Tally(limits.maxRulePorts);
  for (const { doc, data } of valid) {
    const at = (path: PathSegment[]) => (): Place => ({
      file: doc.file,
      path: doc.prefix + formatPath(path),
      line: doc.lineAt(path),
    });
    const lists: [PathSegment[], readonly RuleDocument[]][] = [
      [["rules"], data.rules],
      ...data.scopes.map((s, i): [PathSegment[], RuleDocument[]] => [
        ["scopes", i, "rules"],
        s.rules,
      ]),
    ];
    for (const [path, list] of lists) {
      list.forEach((r, i) => {
        rules.add(1, at([...path, i]));
        rulePorts.add(ports(r), at([...path, i]));
      });
    }
  }
  for (const r of kubernetes) {
    const place = () => ({ file: r.source.file ?? "", path: r.source.path, line: undefined });
    rules.add(1, place);
    rulePorts.add(r.services.length, place);
  }
  if (rules.first !== undefined) {
    return problem("MSEG_POLICY_TOO_MANY_RULES", rules.first, tooManyRules(rules.total, limits));
  }
  if (rulePorts.first !== undefined) {
    return problem(
      "MSEG_POLICY_TOO_MANY_PORTS",
      rulePorts.first,
      tooManyPorts(rulePorts.total, limits),
    );
  }
  return undefined;
}

function problem(code: ErrorCode, at: Place, message: string): Diagnostic {
  return {
    code,
    file: at.file,
    path: at.path,
    ...(at.line === undefined ? {} : { line: at.line }),
    message,
  };
}

function tooManyRules(total: number, limits: Pick<PolicyLimits, "maxRules">): string {
  return (
    `the policy has ${count(total)} rules (every rule of every scope and file, and each Kubernetes ingress/egress rule), ` +
    `more than the limit of ${count(limits.maxRules)}, and this is the first past it; merge rules that share peers or ports ` +
    "(a rule takes lists of peers and of services)"
  );
}

function tooManyPorts(total: number, limits: Pick<PolicyLimits, "maxRulePorts">): string {
  return (
    `the rules list ${count(total)} ports once each named service is counted with all its ports, ` +
    `more than the limit of ${count(limits.maxRulePorts)}, and this rule passes it; ` +
    "write port ranges (`tcp/8000-8100` is one port here), or let fewer rules name the long services"
  );
}
