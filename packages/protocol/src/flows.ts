// Flows, v1: what agents report and what the admin API answers about the flow graph.
//
//   POST /api/v1/agent/flows             Bearer <credential>. FlowBatch -> 200 FlowBatchAck.
//                                        Batches carry a per-agent sequence number starting at 1
//                                        and are sent in order; the controller applies a batch
//                                        at most once (seq <= the last applied seq answers
//                                        duplicate: true and changes nothing), so an agent
//                                        retries until acknowledged: at-least-once delivery,
//                                        exactly-once effect.
//   GET  /api/v1/flows                   admin. FlowQuery -> FlowEdgeList (the flow graph's
//                                        edges over a time range, merged across reporters).
//
// A flow record is a tuple, not an object: batches are large and this is the controller's
// hottest path (decoded with checkFlowBatch, not zod; FlowBatchSchema documents it).

import { z } from "zod";
import { AddressSchema, IsoTime } from "./common.js";

/** Which end the reporting agent is: `out` it opened the connection, `in` it received it. */
export type FlowSide = "out" | "in";
export type FlowVerdictWire = "allowed" | "blocked" | "would-block";
/**
 * What the network answered a connection: `established` a reply was seen (TCP: the handshake
 * completed; UDP: a datagram came back; ICMP echo: a reply), `refused` the first packet was
 * answered by a TCP reset or an ICMP error (port, host or admin unreachable), `unanswered` no
 * reply before the agent's hold time ran out or the conntrack entry ended.
 */
export type FlowOutcomeWire = "established" | "refused" | "unanswered";
export const FLOW_OUTCOMES = ["established", "refused", "unanswered"] as const;

/**
 * [side, proto, local, remote, port, verdict, count, packets, bytes, firstMs, lastMs, outcome?]
 * proto: `tcp` `udp` `icmp` `icmpv6` or an IP protocol number as a string. port: the server's
 * port (the destination port of the connection); for ICMP the type; 0 when none.
 * count: connections (allowed, would-block) or attempts (blocked: packets the ruleset dropped).
 * packets/bytes: both directions, 0 when the kernel did not count them.
 * outcome: what the network answered the record's connections (a record aggregates connections
 * with the same outcome); `unanswered` for blocked records (dropped here). Absent (an 11-element
 * tuple, from an agent older than the outcome): established.
 */
export type FlowTuple = readonly [
  side: FlowSide,
  proto: string,
  local: string,
  remote: string,
  port: number,
  verdict: FlowVerdictWire,
  count: number,
  packets: number,
  bytes: number,
  firstMs: number,
  lastMs: number,
  outcome?: FlowOutcomeWire,
];

export const MAX_FLOW_RECORDS = 50_000;
/**
 * The largest count, packets or bytes one record may carry (2^40: a terabyte in one record of
 * one flush interval is already beyond any link). Bounded so that sums stay exact integers in
 * the store's 64-bit columns: a batch's records summed into one edge stay below 2^56.
 */
export const MAX_FLOW_COUNTER = 2 ** 40;
/** Record times are ms since the epoch, from 1970 to the end of the year 9999. */
export const MAX_FLOW_TIME_MS = 253_402_300_799_999;

const Counter = z.number().int().min(0).max(MAX_FLOW_COUNTER);
const TimeMs = z.number().int().min(0).max(MAX_FLOW_TIME_MS);

export const FlowTupleSchema = z
  .tuple([
    z.enum(["out", "in"]),
    z.string().min(1).max(16),
    AddressSchema,
    AddressSchema,
    z.number().int().min(0).max(65535),
    z.enum(["allowed", "blocked", "would-block"]),
    Counter,
    Counter,
    Counter,
    TimeMs,
    TimeMs,
    z.enum(FLOW_OUTCOMES).optional(),
  ])
  .refine((r) => r[10] >= r[9], { message: "lastMs must not be before firstMs", path: [10] });

export const FlowBatchSchema = z.object({
  seq: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  records: z.array(FlowTupleSchema).max(MAX_FLOW_RECORDS),
  /** Flow records the agent had to drop (its buffer was full); counted, never hidden. */
  dropped: Counter.optional(),
});
export interface FlowBatch {
  readonly seq: number;
  readonly records: readonly FlowTuple[];
  readonly dropped?: number;
}

export const FlowBatchAckSchema = z.object({
  seq: z.number().int(),
  duplicate: z.boolean(),
});
export type FlowBatchAck = z.infer<typeof FlowBatchAckSchema>;

const SIDES = new Set(["out", "in"]);
const VERDICTS = new Set(["allowed", "blocked", "would-block"]);
const OUTCOMES = new Set<unknown>(FLOW_OUTCOMES);
/** An integer in [min, max]; false for NaN, infinities, fractions and non-numbers. */
const inRange = (v: unknown, min: number, max: number) =>
  typeof v === "number" && Number.isInteger(v) && v >= min && v <= max;
const isText = (v: unknown, min: number, max: number) =>
  typeof v === "string" && v.length >= min && v.length <= max;

/**
 * The fast check of a decoded batch, equivalent to FlowBatchSchema (flows.test.ts holds them
 * to the same answers): answers the batch, or the first problem as `records[i][j]: why`.
 */
export function checkFlowBatch(
  body: unknown,
): { ok: true; batch: FlowBatch } | { ok: false; problem: string } {
  if (typeof body !== "object" || body === null || Array.isArray(body))
    return { ok: false, problem: "body: not an object" };
  const b = body as { seq?: unknown; records?: unknown; dropped?: unknown };
  if (!inRange(b.seq, 1, Number.MAX_SAFE_INTEGER))
    return { ok: false, problem: `seq: an integer 1-${Number.MAX_SAFE_INTEGER}` };
  if (b.dropped !== undefined && !inRange(b.dropped, 0, MAX_FLOW_COUNTER))
    return { ok: false, problem: `dropped: an integer 0-${MAX_FLOW_COUNTER}` };
  if (!Array.isArray(b.records)) return { ok: false, problem: "records: an array" };
  if (b.records.length > MAX_FLOW_RECORDS)
    return { ok: false, problem: `records: at most ${MAX_FLOW_RECORDS}` };
  // No closure per record: this loop runs for every record of every batch.
  for (let i = 0; i < b.records.length; i++) {
    const problem = recordProblem(b.records[i]);
    if (problem !== undefined) return { ok: false, problem: `records[${i}]${problem}` };
  }
  return { ok: true, batch: b as unknown as FlowBatch };
}

/** undefined for a valid record, else `[j]: why`. */
function recordProblem(r: unknown): string | undefined {
  if (!Array.isArray(r) || r.length < 11 || r.length > 12) return "[0]: a tuple of 11 or 12 values";
  if (!SIDES.has(r[0] as string)) return "[0]: out or in";
  if (!isText(r[1], 1, 16)) return "[1]: a protocol";
  if (!isText(r[2], 2, 64)) return "[2]: an address";
  if (!isText(r[3], 2, 64)) return "[3]: an address";
  if (!inRange(r[4], 0, 65535)) return "[4]: a port 0-65535";
  if (!VERDICTS.has(r[5] as string)) return "[5]: allowed, blocked or would-block";
  for (let j = 6; j < 9; j++) {
    if (!inRange(r[j], 0, MAX_FLOW_COUNTER)) return `[${j}]: an integer 0-${MAX_FLOW_COUNTER}`;
  }
  if (!inRange(r[9], 0, MAX_FLOW_TIME_MS)) return `[9]: ms since the epoch 0-${MAX_FLOW_TIME_MS}`;
  if (!inRange(r[10], 0, MAX_FLOW_TIME_MS)) return `[10]: ms since the epoch 0-${MAX_FLOW_TIME_MS}`;
  if ((r[10] as number) < (r[9] as number)) return "[10]: lastMs must not be before firstMs";
  if (r.length === 12 && r[11] !== undefined && !OUTCOMES.has(r[11]))
    return "[11]: established, refused or unanswered";
  return undefined;
}

// ── admin: the flow graph ─────────────────────────────────────────────────────────────────────

/**
 * GET /api/v1/flows. Every filter is optional; filters combine with AND.
 * `workload`: either end is this workload. `label`: `key=value`, either end carries it
 * (repeatable, comma-separated in the query). `since`/`until`: ISO time or a duration back from
 * now (`15m`, `24h`, `7d`); default: the whole retention.
 */
export const FlowQuerySchema = z.object({
  from: z.string().max(253).optional(),
  to: z.string().max(253).optional(),
  workload: z.string().max(253).optional(),
  label: z.string().max(1024).optional(),
  port: z.string().max(32).optional(),
  verdict: z.enum(["allowed", "blocked", "would-block"]).optional(),
  since: z.string().max(64).optional(),
  until: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});
export type FlowQueryWire = z.infer<typeof FlowQuerySchema>;

export const FlowEdgeSchema = z.object({
  /** A workload's name, or the address of a peer no workload owns. */
  from: z.string(),
  to: z.string(),
  fromKind: z.enum(["workload", "address"]),
  toKind: z.enum(["workload", "address"]),
  port: z.string(),
  verdict: z.enum(["allowed", "blocked", "would-block"]),
  count: z.number().int(),
  packets: z.number().int(),
  bytes: z.number().int(),
  firstSeen: IsoTime,
  lastSeen: IsoTime,
  /** The rule that decided (blocked/would-block: the deny rule, or absent for the default). */
  rule: z.string().optional(),
});
export type FlowEdgeWire = z.infer<typeof FlowEdgeSchema>;

export const FlowEdgeListSchema = z.object({ edges: z.array(FlowEdgeSchema) });
