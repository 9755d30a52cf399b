// Alerts, incidents and quarantine, v1 (admin API).
//
//   GET  /api/v1/alerts                   AlertQuery -> AlertList  ({ alerts: [...] }, newest
//                                         lastAt first). The CONTRACT fields (id, kind, severity,
//                                         source, targets, at, summary) stay; the rest is ours.
//   POST /api/v1/alerts/:id/ack           -> { alert } (status acknowledged; audited)
//   GET  /api/v1/incidents                -> IncidentList (alerts grouped by incident id)
//   POST /api/v1/workloads/:name/quarantine  QuarantineRequest -> { quarantine } (audited)
//   DELETE /api/v1/workloads/:name/quarantine -> { released } (audited)

import { z } from "zod";
import { AddressSchema, IsoTime, QuarantineSchema } from "./common.js";

export const AlertKindSchema = z
  .string()
  .describe(
    "scan | lateral-movement | ransomware-spread | decoy | enforcement-gap (more may come)",
  );
export const AlertSeveritySchema = z.enum(["low", "medium", "high", "critical"]);
export const AlertStatusSchema = z.enum(["open", "acknowledged", "resolved"]);
export type AlertSeverityWire = z.infer<typeof AlertSeveritySchema>;
export type AlertStatusWire = z.infer<typeof AlertStatusSchema>;

export const AlertSchema = z.object({
  id: z.string(),
  kind: AlertKindSchema,
  severity: AlertSeveritySchema,
  /** A workload's name, or an address. */
  source: z.string(),
  targets: z.array(z.string()),
  at: IsoTime,
  summary: z.string(),
  incident: z.string(),
  /** Detector-specific: flows (with the deciding rule when known), ports, chain, gap. */
  evidence: z.unknown(),
  status: AlertStatusSchema,
  /** How many times the detector re-raised it. */
  count: z.number().int(),
  lastAt: IsoTime,
});
export type AlertWire = z.infer<typeof AlertSchema>;

export const AlertListSchema = z.object({ alerts: z.array(AlertSchema) });
export type AlertList = z.infer<typeof AlertListSchema>;

/** GET /api/v1/alerts query (all optional). */
export const AlertQuerySchema = z.object({
  kind: z.string().min(1).optional(),
  status: AlertStatusSchema.optional(),
  source: z.string().min(1).optional(),
  /** ISO time: only alerts with lastAt at or after it. */
  since: IsoTime.optional(),
  limit: z.coerce.number().int().min(1).max(10_000).optional(),
});
export type AlertQuery = z.infer<typeof AlertQuerySchema>;

export const AlertAckResponseSchema = z.object({ alert: AlertSchema });

export const IncidentSchema = z.object({
  id: z.string(),
  severity: AlertSeveritySchema,
  /** Every source and target the incident's alerts name. */
  sources: z.array(z.string()),
  targets: z.array(z.string()),
  kinds: z.array(z.string()),
  at: IsoTime,
  lastAt: IsoTime,
  /** open while any of its alerts is open. */
  status: AlertStatusSchema,
  alerts: z.array(z.string()),
});
export type IncidentWire = z.infer<typeof IncidentSchema>;
export const IncidentListSchema = z.object({ incidents: z.array(IncidentSchema) });

export const QuarantineRequestSchema = z.object({
  reason: z.string().min(1).max(500).default("quarantined by an operator"),
  forensic: z.array(AddressSchema).max(16).default([]),
});
export type QuarantineRequest = z.input<typeof QuarantineRequestSchema>;

export const QuarantineResponseSchema = z.object({
  workload: z.string(),
  quarantine: QuarantineSchema,
});
export const ReleaseResponseSchema = z.object({
  workload: z.string(),
  released: QuarantineSchema.nullable(),
});
