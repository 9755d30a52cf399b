// Brings a scenario's policy into force, without a controller:
//   policy files ──loadPolicy(inventory = lab hosts)──> Policy ──compile──> RuleSet per managed host
//   RuleSet ──NftDriver({ netns: host namespace }).apply──> kernel ──drift()──> verified
// Compilation happens before anything is created, so a broken policy leaves nothing behind.
// The driver is always given the host's namespace: nothing is ever loaded into the root one.
import { readFileSync } from "node:fs";
import {
  compile,
  formatDiagnostic,
  loadPolicy,
  MicrosegError,
  type RuleSet,
  type Workload,
} from "@microseg/core";
import { NftDriver } from "@microseg/nft";
import type { Scenario } from "./scenario/types.js";

/** Kubernetes gives every namespace this label with its own name. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** The lab hosts as the policy model sees them. */
export function workloadsOf(scenario: Scenario): Workload[] {
  return scenario.hosts.map((h) => {
    const w: Workload = {
      name: h.name,
      labels: h.labels,
      addresses: [h.address, h.address6],
      mode: h.mode,
      managed: h.managed,
      namedPorts: h.namedPorts,
    };
    if (h.namespace === undefined) return w;
    const nsLabels = scenario.namespaces[h.namespace]?.labels ?? {};
    return {
      ...w,
      namespace: h.namespace,
      namespaceLabels: { ...nsLabels, [NAMESPACE_NAME_LABEL]: h.namespace },
    };
  });
}

/** Loads and compiles the scenario's policy; throws with every diagnostic when it is invalid. */
export function compileScenario(scenario: Scenario): Map<string, RuleSet> {
  const sources = scenario.policy.map((file) => {
    try {
      return { file, text: readFileSync(file, "utf8") };
    } catch (err) {
      throw new MicrosegError(
        "MSEG_FILE_UNREADABLE",
        `cannot read policy ${file}: ${(err as Error).message}`,
      );
    }
  });
  const inventory = workloadsOf(scenario);
  const loaded = loadPolicy(sources, { inventory });
  const first = loaded.diagnostics[0];
  if (first !== undefined) {
    const lines = loaded.diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n");
    throw new MicrosegError(first.code, `the policy of ${scenario.file} is invalid:\n${lines}`);
  }
  const names = new Set(inventory.map((w) => w.name));
  const extra = loaded.workloads.filter((w) => !names.has(w.name));
  return compile(loaded.policy, [...inventory, ...extra]);
}

export function ruleCount(rs: RuleSet): number {
  return rs.inbound.entries.length + rs.outbound.entries.length;
}

/** Applies one host's RuleSet in its namespace and checks the kernel now holds exactly that. */
export async function enforceHost(netns: string, ruleSet: RuleSet): Promise<void> {
  const driver = new NftDriver({ netns });
  await driver.apply(ruleSet);
  const drift = await driver.drift();
  if (drift.drifted) {
    throw new Error(`the rules in ${netns} differ from its RuleSet: ${drift.details.join("; ")}`);
  }
}
