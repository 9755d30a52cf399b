// The stored shape of a workload: only the model's fields, optional ones present only when set,
// so equality (and the "unchanged" outcome of upsert) does not depend on how a caller built it.

import type { Workload } from "@microseg/core";
import type { WorkloadRecord } from "../records.js";
import { canonicalJson } from "./canonical-json.js";

export function workloadFields(w: Workload): Workload {
  return {
    name: w.name,
    labels: { ...w.labels },
    addresses: [...w.addresses],
    mode: w.mode,
    managed: w.managed,
    ...(w.namespace !== undefined && { namespace: w.namespace }),
    ...(w.namespaceLabels !== undefined && { namespaceLabels: { ...w.namespaceLabels } }),
    ...(w.namedPorts !== undefined && { namedPorts: { ...w.namedPorts } }),
  };
}

export function sameWorkload(a: Workload, b: Workload): boolean {
  return canonicalJson(workloadFields(a)) === canonicalJson(workloadFields(b));
}

export function workloadRecord(w: Workload, createdAt: string, updatedAt: string): WorkloadRecord {
  return { ...workloadFields(w), createdAt, updatedAt };
}
