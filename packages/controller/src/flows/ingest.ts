// POST /api/v1/agent/flows: one agent batch -> edges in the store -> observations to listeners.
//
//   body ─checkFlowBatch─> records ─resolve ends─> side rules ─EdgeAggregator─> per edge+bucket
//        ─rule attribution─> EdgeDelta[] ─FlowCommits (store.flows.applyBatches)─> ack
//                                                                   ├─> ctx.flows.publish()
//                                                                   └─> ctx.bus.publish() (--bus)
//
// Flows to or from the controller itself (the agents' own channel) and a link's control traffic
// (multicast, broadcast, link-local) are left out of the graph.
//
// Side rules (both ends of a connection may report it; count it once): the destination's
// records count whatever their verdict; the source's count when the destination does not
// report (an address, an unmanaged workload) and, towards a managed workload, only when blocked
// (an egress drop the destination never saw). A source in test mode that would have blocked a
// connection the destination let in turns the destination's record into would-block (explain
// on the active revision tells), so that connection is one would-block edge, not two rows.
//
// Outcome (the record's 12th element; absent from an older agent: established) is part of the
// aggregation key: a delta and an observation carry one outcome, and the store counts each
// delta's connections under it. A blocked record is unanswered whatever it says.

import type { FlowEnd, FlowObservation } from "@microseg/insight";
import { ApiError, checkFlowBatch, type FlowBatchAck, type FlowTuple } from "@microseg/protocol";
import type { AgentRecord, EdgeDelta } from "@microseg/store";
import type { ControllerContext, FlowPublisher } from "../context.js";
import type { FlowEndRef } from "./address-book.js";
import {
  type AggregatedEdge,
  EdgeAggregator,
  OUTCOME_CODE,
  VERDICT_CODE,
} from "./edge-aggregator.js";

const BLOCKED = 1;

export interface IngestOutcome {
  readonly ack: FlowBatchAck;
  /** Records counted (after side rules), edges written, records too old to keep. */
  readonly counted: number;
  readonly edges: number;
  readonly stale: number;
}

export async function ingestFlows(
  ctx: ControllerContext,
  agent: AgentRecord,
  body: unknown,
): Promise<IngestOutcome> {
  const checked = checkFlowBatch(body);
  if (!checked.ok) {
    throw new ApiError("MSEG_API_BAD_REQUEST", `invalid flow batch: ${checked.problem}`, {
      problem: checked.problem,
    });
  }
  const { batch } = checked;
  const now = ctx.clock().getTime();
  const ingest = ctx.flowIngest;
  ingest.refresh(ctx.hub, now);
  const local = ingest.book.workloadEnd(agent.workload);
  const agg = new EdgeAggregator(ingest.bucketMs, now);
  const { counted, stale } = aggregate(ctx, batch.records, agg, now - ingest.retentionMs);

  const deltas: EdgeDelta[] = [];
  /** Per delta: the reporter's side (0: it is the source), and the remote end. */
  const sides: number[] = [];
  const remotes: FlowEndRef[] = [];
  agg.forEach((aggregated) => {
    const [from, to] =
      aggregated.side === 0 ? [local, aggregated.remote] : [aggregated.remote, local];
    const e = sourceWouldBlock(ingest, aggregated, from, to)
      ? { ...aggregated, verdict: "would-block" as const }
      : aggregated;
    const rule = ingest.rules.ruleFor(from, to, e.port, e.verdict);
    deltas.push(delta(e, from, to, rule));
    sides.push(e.side);
    remotes.push(e.remote);
  });
  // Shares a transaction with the other batches of this event-loop turn (flow-commits.ts).
  const { duplicate } = await ingest.commits.apply(agent.id, batch.seq, deltas);
  // Built only now, and only when someone listens: what outlives the commit's wait is kept small.
  // The address book's ends serve as the observations' ends (a FlowEndRef is a FlowEnd).
  const toFeed = !duplicate && ctx.flows.listening;
  if (toFeed || ctx.bus !== undefined) {
    const observations = deltas.map((d, i) => {
      const remote = remotes[i] as FlowEndRef;
      return sides[i] === 0
        ? observation(d, local, remote, "source", agent.workload)
        : observation(d, remote, local, "destination", agent.workload);
    });
    if (toFeed) ctx.flows.publish(observations, now);
    // A duplicate too: its first delivery may have been committed but never published (that
    // replica died, or the bus did not answer); the stream keeps one copy per message id.
    if (ctx.bus !== undefined)
      await publish(ctx, ctx.bus, `${agent.id}/${batch.seq}`, observations, now);
  }
  if ((batch.dropped ?? 0) > 0) {
    ctx.log.warn({ agent: agent.id, dropped: batch.dropped }, "agent dropped flow records");
  }
  return { ack: { seq: batch.seq, duplicate }, counted, edges: deltas.length, stale };
}

async function publish(
  ctx: ControllerContext,
  bus: FlowPublisher,
  key: string,
  observations: readonly FlowObservation[],
  now: number,
): Promise<void> {
  try {
    await bus.publish(key, observations, now);
    ctx.metrics.busPublish("stored");
  } catch (err) {
    ctx.metrics.busPublish("failed");
    throw err;
  }
}

function aggregate(
  ctx: ControllerContext,
  records: readonly FlowTuple[],
  agg: EdgeAggregator,
  oldest: number,
): { counted: number; stale: number } {
  const book = ctx.flowIngest.book;
  let counted = 0;
  let stale = 0;
  for (let i = 0; i < records.length; i++) {
    const r = records[i] as FlowTuple;
    const remote = book.resolve(r[3], r[10]);
    if (remote === undefined) {
      throw new ApiError(
        "MSEG_API_BAD_REQUEST",
        `invalid flow batch: records[${i}][3]: "${r[3]}" is not an IP address`,
        { problem: `records[${i}][3]: not an IP address` },
      );
    }
    if (remote.kind === "address" && ctx.flowIngest.isIgnoredPeer(r[3])) continue;
    const side = r[0] === "out" ? 0 : 1;
    const verdict = VERDICT_CODE[r[5]] as number;
    // No 12th element: an agent from before outcomes, whose records were connections made.
    const outcome = r[11] === undefined ? 0 : (OUTCOME_CODE[r[11]] as number);
    // Towards a workload whose agent reports its own inbound flows, the source counts only what
    // never arrived there: its egress drops.
    if (side === 0 && verdict !== BLOCKED && reports(remote)) continue;
    if (
      r[10] < oldest ||
      !agg.add(remote, side, r[1], r[4], verdict, outcome, r[6], r[7], r[8], r[9], r[10])
    ) {
      stale++;
      continue;
    }
    counted++;
  }
  return { counted, stale };
}

/**
 * A connection the destination let in, from a source in test mode whose policy denies it: the
 * source's agent recorded a would-block attempt (not counted: the destination's record is the
 * connection), so the destination's `allowed` record becomes would-block.
 */
function sourceWouldBlock(
  ingest: ControllerContext["flowIngest"],
  e: AggregatedEdge,
  from: FlowEndRef,
  to: FlowEndRef,
): boolean {
  return e.side === 1 && e.verdict === "allowed" && ingest.rules.sourceWouldBlock(from, to, e.port);
}

/** A managed workload's agent reports its own inbound flows. */
function reports(end: FlowEndRef): boolean {
  return end.kind === "workload" && end.managed;
}

function delta(
  e: AggregatedEdge,
  from: FlowEndRef,
  to: FlowEndRef,
  rule: string | null,
): EdgeDelta {
  return {
    bucket: e.bucket,
    from: from.name,
    fromKind: from.kind,
    to: to.name,
    toKind: to.kind,
    port: e.port,
    verdict: e.verdict,
    outcome: e.outcome,
    rule,
    count: e.count,
    packets: e.packets,
    bytes: e.bytes,
    first: e.first,
    last: e.last,
  };
}

function observation(
  d: EdgeDelta,
  from: FlowEnd,
  to: FlowEnd,
  side: FlowObservation["side"],
  reporter: string,
): FlowObservation {
  const o: Mutable<FlowObservation> = {
    from,
    to,
    port: d.port,
    verdict: d.verdict,
    outcome: d.outcome,
    count: d.count,
    packets: d.packets,
    bytes: d.bytes,
    first: d.first,
    last: d.last,
    reporter,
    side,
  };
  // Set afterwards rather than spread in: this runs once per edge of every batch.
  if (d.rule !== null) o.rule = d.rule;
  return o;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
