// The map, v1: the flow graph drawn for people. GET /api/v1/map answers nodes (workloads, or
// groups of workloads sharing a label value, and the addresses no workload owns) and the edges
// between them, merged per (from node, to node, port, verdict) over the time range.

import { z } from "zod";
import { IsoTime } from "./common.js";
import { FLOW_OUTCOMES, FlowOutcomesSchema } from "./flows.js";

/**
 * `groupBy`: a label key (`app`): workloads with the same value become one group node
 * (`app=shop`); workloads without the key stay workload nodes. None: one node per workload.
 * `since`/`until`/`verdict`: as for GET /api/v1/flows.
 */
export const MapQuerySchema = z.object({
  groupBy: z.string().min(1).max(63).optional(),
  since: z.string().max(64).optional(),
  until: z.string().max(64).optional(),
  verdict: z.enum(["allowed", "blocked", "would-block"]).optional(),
});
export type MapQueryWire = z.infer<typeof MapQuerySchema>;

export const MapNodeSchema = z.object({
  /** A workload's name, `key=value` for a group, or the address. */
  id: z.string(),
  kind: z.enum(["workload", "group", "address"]),
  /** What to print: the workload's name, the group's label value, the address. */
  label: z.string(),
  /** A workload's labels; a group's shared label. */
  labels: z.record(z.string(), z.string()).optional(),
  /** A group's workloads, by name. */
  members: z.array(z.string()).optional(),
  /** A workload's mode. */
  mode: z.enum(["learn", "test", "enforce"]).optional(),
});
export type MapNodeWire = z.infer<typeof MapNodeSchema>;

export const MapEdgeSchema = z.object({
  /** Node ids. */
  from: z.string(),
  to: z.string(),
  port: z.string(),
  verdict: z.enum(["allowed", "blocked", "would-block"]),
  /** established when any merged edge is, else refused when any is, else unanswered. */
  outcome: z.enum(FLOW_OUTCOMES),
  /** The merged edges' connections by outcome (summed). */
  outcomes: FlowOutcomesSchema,
  count: z.number().int(),
  lastSeen: IsoTime,
});
export type MapEdgeWire = z.infer<typeof MapEdgeSchema>;

export const MapSchema = z.object({
  nodes: z.array(MapNodeSchema),
  edges: z.array(MapEdgeSchema),
});
export type MapWire = z.infer<typeof MapSchema>;
