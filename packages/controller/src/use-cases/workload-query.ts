// GET /api/v1/workloads filtering and paging, over the list the inventory answers. Without a
// limit every match is answered (the list's original answer); `total` counts every match.
import { labelValue } from "@microseg/core";
import type { WorkloadQuery } from "@microseg/protocol";
import type { WorkloadRecord } from "@microseg/store";

export function pageWorkloads(
  all: readonly WorkloadRecord[],
  query: WorkloadQuery,
): { workloads: WorkloadRecord[]; total: number } {
  const matches = all.filter(workloadMatcher(query));
  const offset = query.offset ?? 0;
  const end = query.limit === undefined ? undefined : offset + query.limit;
  return { workloads: matches.slice(offset, end), total: matches.length };
}

/** `q`: part of the name, an address or a `key=value` (any case); `label`: all must hold. */
export function workloadMatcher(query: WorkloadQuery): (w: WorkloadRecord) => boolean {
  const text = query.q?.trim().toLowerCase() ?? "";
  const wanted = (query.label ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map((s) => {
      const eq = s.indexOf("=");
      return eq < 0 ? { key: s } : { key: s.slice(0, eq).trim(), value: s.slice(eq + 1).trim() };
    });
  const hasLabels = (w: WorkloadRecord) =>
    wanted.every((l) => {
      const value = labelValue(w.labels, l.key);
      return l.value === undefined ? value !== undefined : value === l.value;
    });
  const hasText = (w: WorkloadRecord) =>
    text === "" ||
    w.name.toLowerCase().includes(text) ||
    w.addresses.some((a) => a.toLowerCase().includes(text)) ||
    Object.entries(w.labels).some(([k, v]) => `${k}=${v}`.toLowerCase().includes(text));
  return (w) => hasLabels(w) && hasText(w);
}
