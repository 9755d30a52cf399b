// The whole policy's rule count, checked after validation and before normalization: top-level
// rules, each scope's rules, and the rules Kubernetes NetworkPolicies became. The diagnostic names
// the first rule past the limit, so the user sees where the policy outgrew it.

import type { Diagnostic } from "../diagnostics.js";
import type { Rule } from "../model.js";
import { count } from "./limits.js";
import type { ValidDocument } from "./normalize.js";
import { formatPath } from "./paths.js";
import type { PathSegment } from "./yaml-lines.js";

interface Place {
  readonly file: string;
  readonly path: string;
  readonly line: number | undefined;
}

export function ruleCountProblem(
  valid: readonly ValidDocument[],
  kubernetes: readonly Rule[],
  max: number,
): Diagnostic | undefined {
  let total = 0;
  let first: Place | undefined;
  const add = (n: number, place: (index: number) => Place) => {
    if (first === undefined && total + n > max) first = place(max - total);
    total += n;
  };
  for (const { doc, data } of valid) {
    const at = (path: PathSegment[]): Place => ({
      file: doc.file,
      path: doc.prefix + formatPath(path),
      line: doc.lineAt(path),
    });
    add(data.rules.length, (i) => at(["rules", i]));
    data.scopes.forEach((scope, s) => {
      add(scope.rules.length, (i) => at(["scopes", s, "rules", i]));
    });
  }
  add(kubernetes.length, (i) => {
    const source = kubernetes[i]?.source;
    return { file: source?.file ?? "", path: source?.path ?? "", line: undefined };
  });
  if (first === undefined) return undefined;
  return {
    code: "MSEG_POLICY_TOO_MANY_RULES",
    file: first.file,
    path: first.path,
    ...(first.line === undefined ? {} : { line: first.line }),
    message:
      `the policy has ${count(total)} rules (every rule of every scope and file, and each Kubernetes ingress/egress rule), ` +
      `more than the limit of ${count(max)}, and this is the first past it; merge rules that share peers or ports ` +
      "(a rule takes lists of peers and of services)",
  };
}
