// Wire shapes shared by the agent channel and the admin API: the model's Workload and the
// compiler's RuleSet as JSON. They mirror @microseg/core's types exactly (a type test checks
// that a parsed value is assignable to the core type), so the controller can send what the
// compiler produced and the agent can hand what it received to the renderer unchanged.
//
// Names, labels and addresses a caller sends are checked with core's checks, the same ones the
// policy language uses: one definition each, whichever route a value comes in by. What the API
// answers is checked for shape only (WorkloadRecordSchema), so a record stored before a rule
// tightened still lists, and can be fixed or deleted.

import {
  canonicalAddress,
  checkAddress,
  checkHostname,
  checkInterfaceName,
  checkLabelKey,
  checkLabelValue,
  checkName,
  checkPortName,
  checkWorkloadName,
  type Problem,
} from "@microseg/core/checks";
import { z } from "zod";

export const ModeSchema = z.enum(["learn", "test", "enforce"]);

/** A string one of core's checks accepts; a refusal carries the check's message. */
function checked(check: (text: string) => Problem | undefined) {
  return z.string().superRefine((text, ctx) => {
    const bad = check(text);
    if (bad !== undefined) ctx.addIssue({ code: "custom", message: bad.message });
  });
}

export const WorkloadNameSchema = checked(checkWorkloadName);
export const HostnameSchema = checked(checkHostname);
export const InterfaceNameSchema = checked(checkInterfaceName);
export const NamespaceNameSchema = checked((text) => checkName("namespace", text));

/**
 * A JSON object whose every own key passes `key` and every value `value`, then `entry` (the
 * value's check, which needs the key for its message). JSON.parse makes `"__proto__"` an own key,
 * but a zod record drops it without a word (assigning it sets the prototype): the keys are checked
 * on the object as sent, so it is refused like any other key the grammar refuses.
 */
function keyedRecord<V extends z.ZodType>(
  key: (k: string) => Problem | undefined,
  value: V,
  entry: (k: string, v: z.output<V>) => Problem | undefined = () => undefined,
) {
  const record = z.record(z.string(), value).superRefine((map, ctx) => {
    for (const [k, v] of Object.entries(map)) {
      const bad = entry(k, v as z.output<V>);
      if (bad !== undefined) ctx.addIssue({ code: "custom", message: bad.message, path: [k] });
    }
  });
  return z.preprocess((raw, ctx) => {
    if (raw === null || typeof raw !== "object") return raw;
    for (const k of Object.keys(raw)) {
      const bad = key(k);
      if (bad !== undefined)
        ctx.addIssue({ code: "custom", message: bad.message, path: [k], input: raw });
    }
    return raw;
  }, record);
}

/** Labels: keys and values in core's label grammar (Kubernetes syntax). */
export const LabelsSchema = keyedRecord(checkLabelKey, z.string(), checkLabelValue);

/** A label change: a value sets the label, null removes it. */
export const LabelChangesSchema = keyedRecord(checkLabelKey, z.string().nullable(), (k, v) =>
  v === null ? undefined : checkLabelValue(k, v),
);

/** Plain IPv4/IPv6 address, no prefix length. Checked loosely here (answers, reports). */
export const AddressSchema = z.string().min(2).max(64);

/** A plain IPv4 or IPv6 address a caller gives, kept as its one text (`2001:DB8:0::1` -> `2001:db8::1`). */
export const IpAddressSchema = checked(checkAddress).overwrite(canonicalAddress);

/** An ISO-8601 time a caller gives (with `Z` or an offset), kept as UTC (`…T00:00:00.000Z`). */
export const IsoTimeInput = z.iso.datetime({ offset: true }).overwrite((text) => {
  // Runs after a failed check too (zod goes on to report every issue): leave such text alone.
  const t = Date.parse(text);
  return Number.isNaN(t) ? text : new Date(t).toISOString();
});

export const PortRangeSchema = z.object({
  proto: z.enum(["tcp", "udp", "sctp"]),
  from: z.number().int().min(1).max(65535),
  to: z.number().int().min(1).max(65535),
});

/** A workload as the API accepts it (core `Workload`): every name, label and address checked. */
export const WorkloadSchema = z.object({
  name: WorkloadNameSchema,
  labels: LabelsSchema,
  addresses: z.array(IpAddressSchema),
  mode: ModeSchema,
  managed: z.boolean(),
  namespace: NamespaceNameSchema.optional(),
  namespaceLabels: LabelsSchema.optional(),
  namedPorts: keyedRecord(checkPortName, PortRangeSchema).optional(),
});
export type WorkloadWire = z.infer<typeof WorkloadSchema>;

/** A workload as the API shows it (core `Workload`), shapes only: see the note at the top. */
export const WorkloadViewSchema = z.object({
  name: z.string(),
  labels: z.record(z.string(), z.string()),
  addresses: z.array(z.string()),
  mode: ModeSchema,
  managed: z.boolean(),
  namespace: z.string().optional(),
  namespaceLabels: z.record(z.string(), z.string()).optional(),
  namedPorts: z.record(z.string(), PortRangeSchema).optional(),
});

/** A workload's quarantine: only management and the forensic addresses reach it, both ways. */
export const QuarantineSchema = z.object({
  since: z.string(),
  reason: z.string(),
  forensic: z.array(AddressSchema),
  actor: z.string(),
});
export type QuarantineWire = z.infer<typeof QuarantineSchema>;

/** A stored workload: the workload plus bookkeeping timestamps (ISO-8601 UTC). */
export const WorkloadRecordSchema = WorkloadViewSchema.extend({
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
