// The shapes the client returns, inferred from the protocol's schemas (so callers need no zod).
import type {
  AgentViewSchema,
  AuditEntrySchema,
  AuditVerdictSchema,
  ControllerStatusSchema,
  PolicyDiffSchema,
  ProfileSchema,
  ProvisionResponseSchema,
  RevisionSummarySchema,
  WorkloadRecordSchema,
} from "@microseg/protocol";
import type { z } from "zod";

export type WorkloadRecord = z.infer<typeof WorkloadRecordSchema>;
export type PolicyDiff = z.infer<typeof PolicyDiffSchema>;
export type RevisionSummary = z.infer<typeof RevisionSummarySchema>;
export type ProvisionResponse = z.infer<typeof ProvisionResponseSchema>;
export type Profile = z.infer<typeof ProfileSchema>;
export type AgentView = z.infer<typeof AgentViewSchema>;
export type AuditEntry = z.infer<typeof AuditEntrySchema>;
export type AuditVerdict = z.infer<typeof AuditVerdictSchema>;
export type ControllerStatus = z.infer<typeof ControllerStatusSchema>;
