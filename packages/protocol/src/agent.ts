// The agent channel, v1. HTTPS long-poll (no WebSocket): every exchange is one short request, so
// proxies, restarts and flaky links need no reconnect logic beyond "try again".
//
//   GET  /api/ca.pem                     no auth. The controller's CA certificate (PEM). Agents
//                                        pin its SHA-256 fingerprint (hex of the DER) given on
//                                        the command line and refuse any other.
//   POST /api/v1/enrol                   no token; the body carries the enrolment key.
//                                        EnrolRequest -> 201 EnrolResponse. The credential is
//                                        shown once; the controller keeps only its sha256.
//   GET  /api/v1/agent/policy?known=H&wait=S[&mgmt=V]
//                                        Bearer <credential>. Answers 200 PolicyResponse at once
//                                        when the agent's current RuleSet hash differs from H
//                                        (`none` when the agent has no RuleSet yet), else holds
//                                        the request up to S seconds (default 30, max 60) and
//                                        answers 204 with no body. Also at once when V is not
//                                        the controller's current managementVersion. A controller shutting down
//                                        answers held polls 204.
//   POST /api/v1/agent/status            Bearer <credential>. Heartbeat and acknowledgement in
//                                        one: StatusRequest -> 200 StatusResponse.
//
// An agent reads only its own policy: the credential names the agent, the agent names its
// workload; no parameter selects another. A revoked or unknown credential gets 401 on every
// agent route; a revoked agent's credential never authenticates again.

import { z } from "zod";
import {
  AddressSchema,
  AddressSetSchema,
  HostnameSchema,
  InterfaceNameSchema,
  IsoTime,
  ModeSchema,
  PortMatchSchema,
  RuleSetSchema,
  WorkloadNameSchema,
  WorkloadViewSchema,
} from "./common.js";

/** The `known` value an agent sends while it holds no RuleSet. */
export const NO_RULESET = "none";
/** Long-poll hold time: default and maximum, in seconds. */
export const POLL_WAIT_DEFAULT_S = 30;
export const POLL_WAIT_MAX_S = 60;
/** The longest apply an agent reports (ms): a day. Longer is a broken clock, not an apply. */
export const MAX_APPLY_MS = 86_400_000;

/** Revision numbers count up from 1; 0 and null mean none. Kept exact in the store's integers. */
const RevisionNumber = z.number().int().min(0).max(Number.MAX_SAFE_INTEGER);
/** An ISO-8601 time as agents send it; 64 characters hold any of them. */
const AgentTime = IsoTime.max(64);

export const InterfaceSchema = z.object({
  name: InterfaceNameSchema,
  addresses: z.array(AddressSchema).max(256),
});

/**
 * Who the agent becomes is decided here, not by the agent: a profile bound to a workload gives
 * that one (asking for another is refused, 403 MSEG_ENROL_REFUSED reason `wrong-workload`);
 * otherwise the agent's `workload`, else its hostname in lower case, which must not exist yet.
 * A workload with a live agent, one that exists (stored or declared by the policy) and an address
 * another workload holds answer 409 MSEG_API_CONFLICT naming the holder; nothing is spent.
 */
export const EnrolRequestSchema = z.object({
  /** The enrolment profile's key, as printed once when the profile was created. */
  key: z.string().min(1).max(512),
  hostname: HostnameSchema,
  /**
   * The host's interfaces. The workload's addresses are every address listed here except
   * loopback (127.0.0.0/8, ::1) and link-local (169.254.0.0/16, fe80::/10) ones.
   */
  interfaces: z.array(InterfaceSchema).max(64),
  /** The workload name to ask for; default: the profile's, else the hostname in lower case. */
  workload: WorkloadNameSchema.optional(),
});
export type EnrolRequest = z.infer<typeof EnrolRequestSchema>;

export const EnrolResponseSchema = z.object({
  agentId: z.string(),
  /** 32 random bytes, base64url. Send as `Authorization: Bearer <credential>`; shown once. */
  credential: z.string(),
  workload: WorkloadViewSchema,
  mode: ModeSchema,
  /** How often the controller expects a status report; offline after 3 missed intervals. */
  heartbeatSeconds: z.number().int().positive(),
});
export type EnrolResponse = z.infer<typeof EnrolResponseSchema>;

/** The `mgmt` value of an agent that holds no management version yet (just started). */
export const NO_MANAGEMENT_VERSION = "none";

export const PolicyQuerySchema = z.object({
  known: z.string().max(128).optional(),
  /**
   * The `managementVersion` of the agent's last answer (`none` right after start). A controller
   * whose management or its access differs answers at once even when the RuleSet did not
   * change (e.g. it was restarted with another --management-service). Older controllers ignore it.
   */
  mgmt: z.string().max(128).optional(),
  wait: z.coerce.number().int().min(0).max(POLL_WAIT_MAX_S).optional(),
});

/** core `ManagementAccess`: least privilege for the management addresses. */
export const ManagementAccessSchema = z.object({
  /** The controller's agent-channel ports (TCP); the agent adds its own controller URLs' ports. */
  channel: z.array(PortMatchSchema).max(64),
  /** What the management addresses may reach on the workload (inbound), e.g. tcp/22. */
  services: z.array(PortMatchSchema).max(64),
});

export const PolicyResponseSchema = z.object({
  /** The active policy revision; null before the first provision. */
  revision: RevisionNumber.nullable(),
  /**
   * The agent's RuleSet. null: nothing to enforce yet (no revision is active, or the workload is
   * unmanaged) — the agent keeps its pre-policy default.
   */
  ruleSet: RuleSetSchema.nullable(),
  /**
   * The management addresses (the controller's). What they may do is `managementAccess`; an
   * agent gives them nothing more, whatever the policy.
   */
  management: AddressSetSchema,
  /**
   * Added in v1 compatibly: a controller before it sent only `management`, which its agents
   * allowed on every port both ways. Absent (such a controller): the agent allows only its own
   * channel (the ports of the controller URLs it was given) and no service.
   */
  managementAccess: ManagementAccessSchema.optional(),
  /** A digest of `management` + `managementAccess`; the agent sends it back as `mgmt`. */
  managementVersion: z.string().max(128).optional(),
  issuedAt: IsoTime,
});
export type PolicyResponse = z.infer<typeof PolicyResponseSchema>;

export const AppliedSchema = z.object({
  revision: RevisionNumber.nullable(),
  rulesetHash: z.string().max(128),
  ok: z.boolean(),
  error: z.string().max(4096).optional(),
  /** How long the apply took, in milliseconds (0 to MAX_APPLY_MS). */
  ms: z.number().min(0).max(MAX_APPLY_MS),
});

export const DriftReportSchema = z.object({
  drifted: z.boolean(),
  details: z.string().max(4096).optional(),
  /** Set when the agent restored its table after the drift. */
  repairedAt: AgentTime.optional(),
});

/**
 * What happened on the agent's host. `tamper`: the table drifted, or someone stopped the agent,
 * removed its package or tried to unpair it without a maintenance token (`details` says which);
 * `stopped`, `removed`, `unpaired`: the same done within a maintenance window or with the token.
 * The last three were added in v1 compatibly for agents; a controller older than them refuses a
 * report that carries one, so upgrade controllers first.
 */
export const AGENT_EVENT_KINDS = [
  "tamper",
  "apply-failed",
  "restored",
  "stopped",
  "removed",
  "unpaired",
] as const;

export const AgentEventSchema = z.object({
  kind: z.enum(AGENT_EVENT_KINDS),
  at: AgentTime,
  details: z.string().max(4096),
});
export type AgentEvent = z.infer<typeof AgentEventSchema>;

/** Heartbeat + acknowledgement. An empty body is a plain heartbeat. */
export const StatusRequestSchema = z.object({
  /** What the agent applied last (ok) or failed to apply (ok: false, the previous one stays). */
  applied: AppliedSchema.optional(),
  drift: DriftReportSchema.optional(),
  events: z.array(AgentEventSchema).max(100).optional(),
});
export type StatusRequest = z.infer<typeof StatusRequestSchema>;

export const StatusResponseSchema = z.object({
  /** The hash of the RuleSet the agent should have; `none` when it has none. */
  currentHash: z.string(),
  heartbeatSeconds: z.number().int().positive(),
  /**
   * sha256 (hex) of the agent's maintenance token, once an admin issued one (POST
   * /api/v1/agents/{id}/maintenance-token); the agent keeps it to verify the token offline. Added
   * in v1 compatibly: older controllers never send it, older agents ignore it.
   */
  maintenanceHash: z
    .string()
    .regex(/^[0-9a-f]{64}$/)
    .optional(),
});
export type StatusResponse = z.infer<typeof StatusResponseSchema>;
