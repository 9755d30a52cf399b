// What a NetworkPolicy export cannot carry, reported before anything is written: native
// workloads (not pods), modes (NetworkPolicy always enforces), and denies where a pod's
// direction is open (NetworkPolicy cannot deny inside an open direction: looser).

import type { Direction, Policy, Workload } from "@microseg/core";
import type { FidelityLog } from "../fidelity.js";
import { boundWorkloads, isIsolated } from "../model-view.js";
import { selectsLabels } from "./k8s-match.js";
import type { NetworkPolicy } from "./k8s-types.js";

const DIRECTIONS: readonly Direction[] = ["inbound", "outbound"];

export function noteK8sLimits(
  policy: Policy,
  workloads: readonly Workload[],
  log: FidelityLog,
): void {
  const natives = workloads
    .filter((w) => w.managed && w.namespace === undefined)
    .map((w) => w.name);
  if (natives.length > 0) {
    log.add(
      "dropped",
      `native workloads ${natives.join(", ")}`,
      "they run outside Kubernetes (no namespace), so a NetworkPolicy cannot enforce their own rules",
      "not exported; export them with --to nft, iptables or aws-sg",
    );
  }
  for (const w of workloads.filter(
    (x) => x.managed && x.namespace !== undefined && x.mode !== "enforce",
  )) {
    if (!DIRECTIONS.some((d) => isIsolated(w, d, policy))) continue;
    log.add(
      "approximated",
      `pod ${w.name} (mode ${w.mode})`,
      `NetworkPolicy has no ${w.mode} mode: it always enforces (stricter: traffic the source would ${w.mode === "test" ? "report as would-block" : "only record"} is blocked)`,
      "enforced",
    );
  }
  for (const rule of policy.rules.filter((r) => r.action !== "allow")) {
    for (const dir of DIRECTIONS) noteDeny(rule, dir, policy, workloads, log);
  }
}

function noteDeny(
  rule: Policy["rules"][number],
  dir: Direction,
  policy: Policy,
  workloads: readonly Workload[],
  log: FidelityLog,
): void {
  const pods = boundWorkloads(rule, dir, workloads).filter((w) => w.namespace !== undefined);
  if (pods.length === 0) return;
  const open = pods.filter((w) => !isIsolated(w, dir, policy)).map((w) => w.name);
  const what = `${rule.action} ${rule.id} (${dir})`;
  if (open.length > 0) {
    log.add(
      "dropped",
      what,
      `NetworkPolicy cannot deny in a direction that no isolation closes, and ${open.join(", ")} ${open.length === 1 ? "is" : "are"} open ${dir} (LOOSER: the target allows what the source denies)`,
      `not expressed; add an isolation for these pods (${dir}) so the deny holds by default`,
      [rule.id],
    );
  } else if (rule.action === "deny") {
    log.add(
      "exact",
      what,
      "every pod it binds is isolated in that direction, and a deny never beats an allow",
      "nothing written: the isolation's default deny says it",
      [rule.id],
    );
  }
}

/**
 * An object whose pod selector matches no pod of its namespace today is still right (it covers
 * pods that match later, as the source does) but does nothing now: say which, so a reader of
 * the artifact is not left to wonder.
 */
export function noteIdleObjects(
  items: readonly NetworkPolicy[],
  workloads: readonly Workload[],
  log: FidelityLog,
): void {
  for (const np of items) {
    const { namespace, name, annotations } = np.metadata;
    const pods = workloads.filter((w) => w.namespace === namespace);
    if (pods.some((w) => selectsLabels(np.spec.podSelector, w.labels))) continue;
    const ids = [annotations?.["microseg.io/rule"], annotations?.["microseg.io/isolation"]];
    log.add(
      "exact",
      `NetworkPolicy ${namespace}/${name}`,
      `its pod selector matches no pod of namespace ${namespace} in the inventory exported`,
      "written all the same: it applies to pods that match it later, as the source does",
      ids.filter((id): id is string => id !== undefined),
    );
  }
}
