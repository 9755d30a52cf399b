// The native policy language: YAML text -> the model, with every problem reported at once.
//
//   sources ──parseYamlFile──> documents ──collectDefinitions──> Known (names, duplicates)
//                                  ├── Kubernetes NetworkPolicy documents ──k8s/loadKubernetes──> rules, isolation
//                                  │                                 │
//                                  └────────validateDocument <───────┘ (zod + hand checks)
//                                                  │
//                                   valid documents └──normalize──> Policy, Workload[], PolicyTest[]
//
// Core does no I/O: the caller reads files and passes their text.

import type { Diagnostic } from "../diagnostics.js";
import type { Policy, PolicyTest, Workload } from "../model.js";
import { collectDefinitions } from "./definitions.js";
import { isKubernetesDocument, loadKubernetes } from "./k8s/index.js";
import { POLICY_LIMITS, type PolicyLimits } from "./limits.js";
import { normalize, type ValidDocument } from "./normalize.js";
import { policySizeProblem } from "./policy-size.js";
import { validateDocument } from "./validate.js";
import { type ParsedDocument, parseYamlFile } from "./yaml-lines.js";

export interface PolicySource {
  /** Shown in diagnostics; not opened (core does no I/O). */
  readonly file: string;
  readonly text: string;
}

export interface LoadOptions {
  /** Workloads known from elsewhere (e.g. lab hosts) that `tests:` may name. */
  readonly inventory?: readonly Workload[];
  /** Lower (or raise) any of POLICY_LIMITS for this load. */
  readonly limits?: Partial<PolicyLimits>;
}

export interface LoadedPolicy {
  readonly policy: Policy;
  /** Workloads declared in the files' `workloads:` sections. */
  readonly workloads: readonly Workload[];
  readonly tests: readonly PolicyTest[];
  /** Every problem in every file; the policy is usable only when this is empty. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Parses, validates and normalizes policy files; several files form one policy. */
export function loadPolicy(
  sources: readonly PolicySource[],
  options: LoadOptions = {},
): LoadedPolicy {
  const limits: PolicyLimits = { ...POLICY_LIMITS, ...options.limits };
  const diagnostics: Diagnostic[] = [];
  const documents: ParsedDocument[] = [];
  for (const source of sources) {
    const parsed = parseYamlFile(source.file, source.text, limits);
    append(documents, parsed.documents);
    append(diagnostics, parsed.diagnostics);
  }
  const k8s = loadKubernetes(documents.filter((d) => isKubernetesDocument(d.value)));
  append(diagnostics, k8s.diagnostics);
  const native = documents.filter((d) => !isKubernetesDocument(d.value));
  const definitions = collectDefinitions(native, options.inventory ?? []);
  append(diagnostics, definitions.diagnostics);
  const valid: ValidDocument[] = [];
  for (const doc of native) {
    const result = validateDocument(doc, definitions.known);
    append(diagnostics, result.diagnostics);
    if (result.data !== undefined) valid.push({ doc, data: result.data });
  }
  const tooMany = policySizeProblem(valid, k8s.rules, limits);
  if (tooMany !== undefined) {
    diagnostics.push(tooMany);
    return { ...EMPTY, diagnostics: sortDiagnostics(diagnostics, sources) };
  }
  const { policy: nativePolicy, workloads, tests } = normalize(valid);
  const policy: Policy = {
    ...nativePolicy,
    rules: [...nativePolicy.rules, ...k8s.rules],
    isolation: [...nativePolicy.isolation, ...k8s.isolation],
  };
  return { policy, workloads, tests, diagnostics: sortDiagnostics(diagnostics, sources) };
}

const EMPTY = {
  policy: { rules: [], ipLists: {}, isolation: [] },
  workloads: [],
  tests: [],
} as const satisfies Omit<LoadedPolicy, "diagnostics">;

/** push(...items) passes every item as an argument, which overflows the stack past ~100,000. */
function append<T>(to: T[], items: readonly T[]): void {
  for (const item of items) to.push(item);
}

/** In the order of the files given, then by line; problems without a line first. */
function sortDiagnostics(
  list: readonly Diagnostic[],
  sources: readonly PolicySource[],
): Diagnostic[] {
  const order = new Map(sources.map((s, i) => [s.file, i]));
  return list
    .map((d, i) => ({ d, i }))
    .sort(
      (a, b) =>
        (order.get(a.d.file ?? "") ?? 0) - (order.get(b.d.file ?? "") ?? 0) ||
        (a.d.line ?? 0) - (b.d.line ?? 0) ||
        a.i - b.i,
    )
    .map(({ d }) => d);
}

export { canonicalAddress, checkAddress, isAddress } from "./addresses.js";
export { checkHostname, checkInterfaceName, workloadNameOfHost } from "./host.js";
export { checkLabelKey, checkLabelValue } from "./labels.js";
export { POLICY_LIMIT_CODES, POLICY_LIMITS, type PolicyLimits } from "./limits.js";
export { checkName, checkPortName, checkWorkloadName } from "./names.js";
export { NAMESPACE_NAME_LABEL } from "./normalize.js";
export type { Problem } from "./problem.js";
export {
  fileTooLarge,
  type ParsedDocument,
  type ParsedFile,
  type PathSegment,
  parseYamlFile,
} from "./yaml-lines.js";
export { userMap } from "./zod-kit.js";
