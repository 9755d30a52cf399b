// Wire shapes shared by the agent channel and the admin API: the model's Workload and the
// compiler's RuleSet as JSON. They mirror @microseg/core's types exactly (a type test checks
// that a parsed value is assignable to the core type), so the controller can send what the
// compiler produced and the agent can hand what it received to the renderer unchanged.

import { z } from "zod";

export const ModeSchema = z.enum(["learn", "test", "enforce"]);
export const LabelsSchema = z.record(z.string(), z.string());

/** Plain IPv4/IPv6 address, no prefix length. Checked loosely here; core validates workloads. */
export const AddressSchema = z.string().min(2).max(64);

export const PortRangeSchema = z.object({
  proto: z.enum(["tcp", "udp", "sctp"]),
  from: z.number().int().min(1).max(65535),
  to: z.number().int().min(1).max(65535),
});

/** A workload as the API shows and accepts it (core `Workload`). */
export const WorkloadSchema = z.object({
  name: z.string().min(1).max(253),
  labels: LabelsSchema,
  addresses: z.array(AddressSchema),
  mode: ModeSchema,
  managed: z.boolean(),
  namespace: z.string().optional(),
  namespaceLabels: LabelsSchema.optional(),
  namedPorts: z.record(z.string(), PortRangeSchema).optional(),
});
export type WorkloadWire = z.infer<typeof WorkloadSchema>;

/** A workload's quarantine: only management and the forensic addresses reach it, both ways. */
export const QuarantineSchema = z.object({
  since: z.string(),
  reason: z.string(),
  forensic: z.array(AddressSchema),
  actor: z.string(),
});
export type QuarantineWire = z.infer<typeof QuarantineSchema>;

/** A stored workload: the workload plus bookkeeping timestamps (ISO-8601 UTC). */
export const WorkloadRecordSchema = WorkloadSchema.extend({
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Present while the workload is quarantined. */
  quarantine: QuarantineSchema.optional(),
});

/** Normalized CIDRs per family (core `AddressSet`). */
export const AddressSetSchema = z.object({
  v4: z.array(z.string()),
  v6: z.array(z.string()),
});

export const PortMatchSchema = z.union([
  z.object({
    proto: z.enum(["tcp", "udp", "sctp"]),
    ranges: z.array(z.tuple([z.number().int(), z.number().int()])),
  }),
  z.object({
    proto: z.enum(["icmp", "icmpv6"]),
    types: z.array(z.number().int()).optional(),
  }),
  z.object({ proto: z.literal("any") }),
]);

export const RuleEntrySchema = z.object({
  ruleId: z.string(),
  action: z.enum(["override-deny", "allow", "deny"]),
  peer: z.union([z.object({ set: z.string() }), z.object({ any: z.literal(true) })]),
  ports: z.array(PortMatchSchema),
});

export const ChainSchema = z.object({
  default: z.enum(["allow", "deny"]),
  entries: z.array(RuleEntrySchema),
});

/** One workload's compiled policy (core `RuleSet`); `hash` is its content hash. */
export const RuleSetSchema = z.object({
  workload: z.string(),
  mode: ModeSchema,
  addresses: z.array(z.string()),
  inbound: ChainSchema,
  outbound: ChainSchema,
  sets: z.record(z.string(), AddressSetSchema),
  hash: z.string(),
});

export const IsoTime = z.string().describe("ISO-8601 UTC timestamp");
