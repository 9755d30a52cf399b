// `--to k8s`: NetworkPolicy objects for the workloads that run in Kubernetes (those with a
// namespace), computed from the model's selectors, not from addresses:
//   isolation I          -> per known namespace it covers: a policy selecting I's pods with
//                           I's policyTypes and no rules (deny by default, as in microseg)
//   allow A, direction d -> per local peer x namespace x isolation I covering d:
//                           podSelector = peer ∧ scope ∧ I.selector, one rule: remote peers + ports
// A pod that no isolation covers is open in that direction, in both worlds, so an allow only
// matters (and is only written) together with an isolation. Denies: see deny-plan.ts.
// Every object is labelled app.kubernetes.io/managed-by=microseg and microseg.io/export-set=<set>,
// so `kubectl apply --prune -l microseg.io/export-set=<set>` owns exactly one export's objects.

import type { Direction, Policy, Rule, Workload } from "@microseg/core";
import { NO_RANGES } from "../cidr.js";
import { type AllowPlan, planOverrideDenies } from "../deny-plan.js";
import { FidelityLog } from "../fidelity.js";
import { namespacesOf } from "../model-view.js";
import {
  DEFAULT_EXPORT_SET,
  type ExportInput,
  type ExportOptions,
  type ExportResult,
  ExportUsageError,
} from "../types.js";
import { isolationObjects, type NamespaceScope, scopesFor } from "./k8s-isolation.js";
import { objectName } from "./k8s-names.js";
import { noteIdleObjects, noteK8sLimits } from "./k8s-notes.js";
import { networkPolicyPeers } from "./k8s-peers.js";
import { networkPolicyPorts } from "./k8s-ports.js";
import { labelSelector } from "./k8s-selector.js";
import type { NetworkPolicy } from "./k8s-types.js";

/** The labels every exported object carries: who manages it, and which export set owns it. */
export const MANAGED_BY = "app.kubernetes.io/managed-by";
export const EXPORT_SET = "microseg.io/export-set";

export function exportK8s(input: ExportInput, options: ExportOptions = {}): ExportResult {
  const log = new FidelityLog();
  const { policy } = input;
  const workloads = [...input.workloads].sort((a, b) => (a.name < b.name ? -1 : 1));
  const namespaces = namespacesOf(workloads);
  noteK8sLimits(policy, workloads, log);
  const plans = planOverrideDenies(policy, workloads, log, "NetworkPolicy");
  const items: NetworkPolicy[] = [...isolationObjects(policy, namespaces, log)];
  for (const rule of policy.rules.filter((r) => r.action === "allow")) {
    for (const dir of ["inbound", "outbound"] as const) {
      const plan = plans.get(rule.id)?.[dir] ?? {
        services: rule.services,
        except: NO_RANGES,
        drop: false,
      };
      if (!plan.drop)
        items.push(...allowObjects(rule, dir, plan, policy, workloads, namespaces, log));
    }
  }
  noteIdleObjects(items, workloads, log);
  const labels = {
    [MANAGED_BY]: "microseg",
    [EXPORT_SET]: exportSetName(options.exportSet),
  };
  const owned = items.map((np) => {
    const { name, namespace, annotations } = np.metadata;
    return {
      ...np,
      metadata: { name, namespace, labels, ...(annotations ? { annotations } : {}) },
    };
  });
  const list = { apiVersion: "v1", kind: "List", items: owned };
  return { output: `${JSON.stringify(list, null, 2)}\n`, fidelity: log.entries() };
}

/** A Kubernetes label value: at most 63 characters, alphanumeric at both ends, `-_.` inside. */
function exportSetName(name = DEFAULT_EXPORT_SET): string {
  if (!/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(name)) {
    throw new ExportUsageError(
      `--export-set ${JSON.stringify(name)} is not a Kubernetes label value: use up to 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit (e.g. shop-prod)`,
    );
  }
  return name;
}

function allowObjects(
  rule: Rule,
  dir: Direction,
  plan: AllowPlan,
  policy: Policy,
  inventory: readonly Workload[],
  namespaces: ReadonlyMap<string, Readonly<Record<string, string>>>,
  log: FidelityLog,
): NetworkPolicy[] {
  const ports = networkPolicyPorts(plan.services, rule.id, log);
  if (ports !== undefined && ports.length === 0) return [];
  const remote = networkPolicyPeers(dir === "inbound" ? rule.from : rule.to, {
    rule,
    policy,
    inventory,
    except: plan.except,
    log,
  });
  if (remote !== undefined && remote.length === 0) return [];
  const body = {
    ...(remote ? { [dir === "inbound" ? "from" : "to"]: remote } : {}),
    ...(ports ? { ports } : {}),
  };
  const out: NetworkPolicy[] = [];
  for (const local of dir === "inbound" ? rule.to : rule.from) {
    for (const s of scopesFor(local, dir, policy, namespaces)) {
      const o = allowObject(rule, dir, s, body);
      if (o !== undefined) out.push(o);
    }
  }
  return out;
}

/** undefined: no pod is both the local peer and isolated by this isolation, nothing to write. */
function allowObject(
  rule: Rule,
  dir: Direction,
  s: NamespaceScope,
  body: object,
): NetworkPolicy | undefined {
  const podSelector = labelSelector(s.selector, rule.scope, s.isolation.selector);
  if (podSelector === undefined) return undefined;
  const type = dir === "inbound" ? "Ingress" : "Egress";
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: objectName(rule.id, type, `${s.key}|${s.isolation.id}`),
      namespace: s.namespace,
      annotations: { "microseg.io/rule": rule.id, "microseg.io/isolation": s.isolation.id },
    },
    spec: { podSelector, policyTypes: [type], [dir === "inbound" ? "ingress" : "egress"]: [body] },
  };
}
