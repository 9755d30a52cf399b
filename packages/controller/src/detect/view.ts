// What the detection engine asks about the estate, answered from the hub: does the active policy
// allow an edge (explain on the compiled state, memoized per edge until the hub changes), was the
// edge seen before (the baseline: stored allowed edges plus what learn-mode workloads report — only
// what the network answered, never a declared scanner's, never a suspect's), is the destination a
// decoy (--decoy targets, and workloads labelled decoy=true), and is the source a declared scanner
// (label microseg.io/scanner=true, or the active policy's `scanners` IP list).
import { type Endpoint, ExplainContext, explainWith, type Workload } from "@microseg/core";
import {
  answered,
  Baseline,
  type Decoy,
  DecoyList,
  type DetectionView,
  type FlowEnd,
  type FlowObservation,
  type FlowOutcome,
  Scanners,
} from "@microseg/insight";
import type { PolicyHub } from "../hub/policy-hub.js";

/** A workload carrying this label (value "true") is a decoy. */
export const DECOY_LABEL = "decoy";
const MAX_MEMO = 100_000;
/** A busy inventory rebuilds the explain context at most this often. */
const REBUILD_MS = 2_000;

export class HubView implements DetectionView {
  readonly baseline = new Baseline();
  private explainCtx: ExplainContext | undefined;
  private decoyList = new DecoyList();
  private scanners = new Scanners();
  /**
   * Is the source under an open attack alert (the engine answers; the service wires it)? Its
   * traffic is then not learned, so an attacker in a learn-mode estate does not teach the
   * baseline the access it found.
   */
  suspect: (source: string, at: number) => boolean = () => false;
  private workloadsByName = new Map<string, Workload>();
  private readonly memo = new Map<string, boolean>();
  private builtAt = -1;
  private builtGeneration = -1;
  private builtRevision: number | null = null;
  private readonly labelledDecoys: ReadonlySet<string>;

  constructor(
    private readonly hub: PolicyHub,
    private readonly decoys: readonly Decoy[],
    private readonly now: () => number,
  ) {
    this.labelledDecoys = hub.trackLabel(DECOY_LABEL, "true");
  }

  allows(obs: FlowObservation): boolean {
    this.refresh();
    if (this.hub.activeRevision === null) return false;
    const key = Baseline.key(obs.from.name, obs.to.name, obs.port);
    const hit = this.memo.get(key);
    if (hit !== undefined) return hit;
    const allowed = this.explainAllows(obs);
    if (this.memo.size >= MAX_MEMO) this.memo.clear();
    this.memo.set(key, allowed);
    return allowed;
  }

  known(obs: FlowObservation): boolean {
    return this.baseline.has(obs);
  }

  isDecoy(to: FlowEnd, port: string): boolean {
    this.refresh();
    if (this.decoyList.matches(to, port)) return true;
    // The label is read live (the hub keeps the set current): a workload labelled a moment ago
    // is a decoy for the next flow, even while a busy inventory holds back the rebuild above.
    return (
      this.labelledDecoys.size > 0 && to.kind === "workload" && this.labelledDecoys.has(to.name)
    );
  }

  isScanner(from: FlowEnd): boolean {
    this.refresh();
    return this.scanners.isScanner(from);
  }

  /** Allowed flows a learn-mode workload reported and the network answered join the baseline. */
  learn(batch: readonly FlowObservation[]): void {
    this.refresh();
    // A batch comes from one agent: its reporter's mode is looked up once per run of it.
    let reporter: string | undefined;
    let learning = false;
    for (const o of batch) {
      if (o.verdict !== "allowed" || !answered(o)) continue;
      if (o.reporter !== reporter) {
        reporter = o.reporter;
        learning = this.workloadsByName.get(reporter)?.mode === "learn";
      }
      if (learning && this.learnable(o.from, o.last)) {
        this.baseline.add(o.from.name, o.to.name, o.port);
      }
    }
  }

  /** Stored history (allowed edges) into the baseline: what was answered, not a scanner's. */
  learnStored(edges: readonly StoredAllowedEdge[]): void {
    // Today's scanners, built here: a refresh() now would hold back the next rebuild.
    const scanners = new Scanners(this.hub.workloads(), this.hub.activePolicy);
    for (const e of edges) {
      if (!answered(e)) continue;
      if (scanners.isScanner({ name: e.from, kind: e.fromKind })) continue;
      this.baseline.add(e.from, e.to, e.port);
    }
  }

  private learnable(from: FlowEnd, at: number): boolean {
    return !this.scanners.isScanner(from) && !this.suspect(from.name, at);
  }

  private explainAllows(obs: FlowObservation): boolean {
    const ctx = this.explainCtx;
    if (ctx === undefined) return false;
    try {
      const d = explainWith(ctx, {
        from: endpoint(obs.from),
        to: endpoint(obs.to),
        port: obs.port,
      });
      return d.policy === "allow";
    } catch {
      return false;
    }
  }

  private refresh() {
    const gen = this.hub.generation;
    const rev = this.hub.activeRevision;
    if (gen === this.builtGeneration && rev === this.builtRevision) return;
    const t = this.now();
    if (this.builtAt >= 0 && t - this.builtAt < REBUILD_MS && rev === this.builtRevision) return;
    const workloads = this.hub.workloads();
    this.workloadsByName = new Map(workloads.map((w) => [w.name, w]));
    this.explainCtx = new ExplainContext(this.hub.activePolicy, workloads);
    this.decoyList = buildDecoys(this.decoys, workloads);
    this.scanners = new Scanners(workloads, this.hub.activePolicy);
    this.memo.clear();
    this.builtAt = t;
    this.builtGeneration = gen;
    this.builtRevision = rev;
  }
}

/** A stored edge as the baseline reads it (`outcome`: the edge's, where the store keeps one). */
export interface StoredAllowedEdge {
  readonly from: string;
  readonly fromKind: FlowEnd["kind"];
  readonly to: string;
  readonly port: string;
  readonly outcome?: FlowOutcome;
}

function endpoint(e: FlowEnd): Endpoint {
  return e.kind === "workload" ? { workload: e.name } : { address: e.name };
}

/**
 * The `--decoy` list; a decoy address also matches the workload owning it (flows name workloads
 * by name). Workloads labelled decoy=true are looked up live, not listed here.
 */
export function buildDecoys(decoys: readonly Decoy[], workloads: readonly Workload[]): DecoyList {
  const list = new DecoyList(decoys);
  const owner = new Map<string, string>();
  for (const w of workloads) {
    for (const a of w.addresses) owner.set(a, w.name);
  }
  for (const d of decoys) {
    const name = owner.get(d.target);
    if (name !== undefined)
      list.add({ target: name, ...(d.port === undefined ? {} : { port: d.port }) });
  }
  return list;
}
