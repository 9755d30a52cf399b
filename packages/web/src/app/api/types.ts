// The answers the console reads, as the protocol's schemas infer them (types only: nothing of
// the protocol or zod is bundled).
import type * as P from "@microseg/protocol";
import type { z } from "zod";

export type ControllerStatus = z.infer<typeof P.ControllerStatusSchema>;
export type WorkloadRecord = z.infer<typeof P.WorkloadRecordSchema>;
export type WorkloadList = z.infer<typeof P.WorkloadListSchema> & { total?: number };
export type WorkloadChange = z.infer<typeof P.WorkloadChangeSchema>;
export type Mode = z.infer<typeof P.ModeSchema>;
export type Draft = z.infer<typeof P.DraftSchema>;
export type DraftSaved = z.infer<typeof P.DraftSavedSchema>;
export type PolicyDiagnostic = z.infer<typeof P.PolicyDiagnosticSchema>;
export type PolicyDiff = z.infer<typeof P.PolicyDiffSchema>;
export type History = z.infer<typeof P.HistorySchema>;
export type Revision = z.infer<typeof P.RevisionSchema>;
export type ProvisionResponse = z.infer<typeof P.ProvisionResponseSchema>;
export type Profile = z.infer<typeof P.ProfileSchema>;
export type ProfileList = z.infer<typeof P.ProfileListSchema>;
export type ProfileCreated = z.infer<typeof P.ProfileCreatedSchema>;
export type AgentView = z.infer<typeof P.AgentViewSchema>;
export type AgentList = z.infer<typeof P.AgentListSchema>;
export type AuditEntry = z.infer<typeof P.AuditEntrySchema>;
export type AuditList = z.infer<typeof P.AuditListSchema>;
export type AuditVerdict = z.infer<typeof P.AuditVerdictSchema>;
export type FlowEdge = z.infer<typeof P.FlowEdgeSchema>;
export type FlowEdgeList = z.infer<typeof P.FlowEdgeListSchema>;
export type Verdict = FlowEdge["verdict"];
export type MapWire = z.infer<typeof P.MapSchema>;
export type MapNode = z.infer<typeof P.MapNodeSchema>;
export type MapEdge = z.infer<typeof P.MapEdgeSchema>;
export type Alert = z.infer<typeof P.AlertSchema>;
export type AlertList = z.infer<typeof P.AlertListSchema>;
export type Incident = z.infer<typeof P.IncidentSchema>;
export type IncidentList = z.infer<typeof P.IncidentListSchema>;
export type QuarantineResponse = z.infer<typeof P.QuarantineResponseSchema>;
