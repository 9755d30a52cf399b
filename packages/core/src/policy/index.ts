// Placeholder signatures; implemented in this folder.
import type { Diagnostic } from "../diagnostics.js";
import type { Policy, PolicyTest, Workload } from "../model.js";

export interface PolicySource {
  /** Shown in diagnostics; not opened (core does no I/O). */
  readonly file: string;
  readonly text: string;
}

export interface LoadOptions {
  /** Workloads known from elsewhere (e.g. lab hosts) that `tests:` may name. */
  readonly inventory?: readonly Workload[];
}

export interface LoadedPolicy {
  readonly policy: Policy;
  /** Workloads declared in the files' `workloads:` sections. */
  readonly workloads: readonly Workload[];
  readonly tests: readonly PolicyTest[];
  /** Every problem in every file; the policy is usable only when this is empty. */
  readonly diagnostics: readonly Diagnostic[];
}

export function loadPolicy(
  _sources: readonly PolicySource[],
  _options?: LoadOptions,
): LoadedPolicy {
  throw new Error("not implemented");
}
