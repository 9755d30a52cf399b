// The typed admin API client: one method per route of protocol v1, every answer validated with
// the protocol's zod schemas. An error answer `{error: {code, message, details}}` becomes an
// ApiError with that code, so a CLI maps it to the registry's exit code; an answer that is not
// protocol v1 becomes MSEG_INTERNAL naming the route.
import { ERROR_CODES, type ErrorCode } from "@microseg/core";
import * as Learn from "@microseg/protocol";
import {
  AgentListSchema,
  AgentViewSchema,
  AlertAckResponseSchema,
  AlertListSchema,
  type AlertQuery,
  ApiError,
  AuditListSchema,
  AuditVerdictSchema,
  ControllerStatusSchema,
  DraftSavedSchema,
  DraftSchema,
  FlowEdgeListSchema,
  type FlowQueryWire,
  HistorySchema,
  IncidentListSchema,
  MaintenanceTokenSchema,
  type MapQueryWire,
  MapSchema,
  PATHS,
  PolicyDiffSchema,
  type ProfileCreate,
  ProfileCreatedSchema,
  ProfileListSchema,
  ProfileSchema,
  ProvisionResponseSchema,
  parseErrorBody,
  pathFor,
  type QuarantineRequest,
  QuarantineResponseSchema,
  ReleaseResponseSchema,
  RevisionSchema,
  WorkloadChangeSchema,
  WorkloadListSchema,
  type WorkloadPatch,
  type WorkloadPut,
  WorkloadRecordSchema,
} from "@microseg/protocol";
import { z } from "zod";
import type { Failover } from "./failover.js";
import { createTransport, type RawRequest, type Transport } from "./transport.js";

export interface ClientOptions {
  readonly url: string;
  readonly token: string;
  /** PEM of the CA to trust (https). */
  readonly ca?: string;
  /** The CA was checked by fingerprint: trust it alone, skip the host-name check. */
  readonly pinned?: boolean;
  readonly timeoutMs?: number;
  /**
   * Several controllers (replicas): requests go where this sends them, and `url` is the one in
   * use. `ca`, `pinned` and `timeoutMs` are then the endpoints' business (failover.ts).
   */
  readonly failover?: Failover;
}

export interface ProvisionInput {
  readonly comment?: string;
  readonly expectedActive?: number | null;
}

export class ControllerClient {
  readonly #url: string;
  readonly #failover: Failover | undefined;
  readonly #token: string;
  readonly #send: Transport;

  constructor(opts: ClientOptions) {
    this.#url = opts.url.replace(/\/+$/, "");
    this.#token = opts.token;
    this.#failover = opts.failover;
    this.#send = opts.failover?.send ?? createTransport({ ...opts, baseUrl: this.#url });
  }

  /** The controller's URL (with several, the one in use). */
  get url(): string {
    return this.#failover?.url ?? this.#url;
  }

  status = () => this.#call(ControllerStatusSchema, { method: "GET", path: PATHS.status });

  // ── workloads ──
  listWorkloads = () => this.#call(WorkloadListSchema, { method: "GET", path: PATHS.workloads });
  getWorkload = (name: string) =>
    this.#call(WorkloadRecordSchema, { method: "GET", path: pathFor(PATHS.workload, { name }) });
  putWorkload = (name: string, body: WorkloadPut) =>
    this.#call(WorkloadChangeSchema, {
      method: "PUT",
      path: pathFor(PATHS.workload, { name }),
      body,
    });
  deleteWorkload = (name: string) =>
    this.#call(z.unknown(), { method: "DELETE", path: pathFor(PATHS.workload, { name }) });
  patchWorkload = (name: string, body: WorkloadPatch) =>
    this.#call(WorkloadChangeSchema, {
      method: "PATCH",
      path: pathFor(PATHS.workload, { name }),
      body,
    });

  // ── policy ──
  putDraft = (text: string) =>
    this.#call(DraftSavedSchema, {
      method: "PUT",
      path: PATHS.policyDraft,
      body: text,
      contentType: "application/yaml",
    });
  diff = () => this.#call(PolicyDiffSchema, { method: "GET", path: PATHS.policyDiff });
  provision = (body: ProvisionInput = {}) =>
    this.#call(ProvisionResponseSchema, { method: "POST", path: PATHS.policyProvision, body });
  rollback = (to: number, body: ProvisionInput = {}) =>
    this.#call(ProvisionResponseSchema, {
      method: "POST",
      path: PATHS.policyRollback,
      body: { ...body, to },
    });
  draft = () => this.#call(DraftSchema, { method: "GET", path: PATHS.policyDraft });
  active = () => this.#call(RevisionSchema, { method: "GET", path: PATHS.policyActive });
  history = () => this.#call(HistorySchema, { method: "GET", path: PATHS.policyHistory });
  revision = (number: number) =>
    this.#call(RevisionSchema, { method: "GET", path: pathFor(PATHS.policyRevision, { number }) });

  // ── enrolment profiles ──
  createProfile = (body: ProfileCreate) =>
    this.#call(ProfileCreatedSchema, { method: "POST", path: PATHS.profiles, body });
  listProfiles = () => this.#call(ProfileListSchema, { method: "GET", path: PATHS.profiles });
  revokeProfile = (id: string) =>
    this.#call(ProfileSchema, { method: "POST", path: pathFor(PATHS.profileRevoke, { id }) });

  // ── agents ──
  listAgents = () => this.#call(AgentListSchema, { method: "GET", path: PATHS.agents });
  revokeAgent = (id: string) =>
    this.#call(AgentViewSchema, { method: "POST", path: pathFor(PATHS.agentRevoke, { id }) });
  /** A fresh maintenance token for the agent (shown once; the previous one stops working). */
  maintenanceToken = (id: string) =>
    this.#call(MaintenanceTokenSchema, {
      method: "POST",
      path: pathFor(PATHS.agentMaintenanceToken, { id }),
    });

  // ── audit ──
  /** One page (the controller caps `limit` at 1,000); `next` is the path of the following one. */
  audit = (q: { afterSeq?: number; limit?: number; target?: string } = {}) =>
    this.#call(AuditListSchema, { method: "GET", path: withQuery(PATHS.audit, q) });
  /** Follows a `next` path an audit page answered. */
  auditPage = (next: string) => {
    if (!next.startsWith(`${PATHS.audit}?`)) throw new Error(`not an audit page path: ${next}`);
    return this.#call(AuditListSchema, { method: "GET", path: next });
  };
  /** The chain, and each anchor against it (several go in a POST body, at most 10,000). */
  verifyAudit = (anchors: readonly { seq: number; hash: string }[] = []) =>
    anchors.length <= 1
      ? this.#call(AuditVerdictSchema, {
          method: "GET",
          path: withQuery(PATHS.auditVerify, anchors[0] && { ...anchors[0], at: undefined }),
        })
      : this.#call(AuditVerdictSchema, {
          method: "POST",
          path: PATHS.auditVerify,
          body: { anchors: anchors.map((a) => ({ seq: a.seq, hash: a.hash })) },
        });

  // ── flows and the map ──
  flows = (q: FlowQueryWire = {}) =>
    this.#call(FlowEdgeListSchema, { method: "GET", path: withQuery(PATHS.flows, q) });
  map = (q: MapQueryWire = {}) =>
    this.#call(MapSchema, { method: "GET", path: withQuery(PATHS.map, q) });

  // ── learning: suggestions, recommendation, replay, explain, blast radius ──
  labelSuggestions = (q: { since?: string; until?: string } = {}) =>
    this.#call(Learn.SuggestionsSchema, {
      method: "GET",
      path: withQuery(PATHS.suggestions, q),
    });
  acceptLabels = (body: Learn.AcceptLabels) =>
    this.#call(Learn.AcceptedLabelsSchema, { method: "POST", path: PATHS.acceptLabels, body });
  recommend = (q: { since?: string; until?: string; save?: boolean } = {}) =>
    this.#call(Learn.RecommendationSchema, {
      method: "GET",
      path: withQuery(PATHS.recommend, {
        ...q,
        save: q.save === undefined ? undefined : String(q.save),
      }),
    });
  replay = (body: Learn.ReplayRequest = {}) =>
    this.#call(Learn.ReplayReportSchema, { method: "POST", path: PATHS.replay, body });
  explainFlow = (q: { from: string; to: string; port: string; at?: string }) =>
    this.#call(Learn.FlowExplainSchema, { method: "GET", path: withQuery(PATHS.explainFlow, q) });
  blastRadius = (q: { workload: string; hops?: number; draft?: boolean }) =>
    this.#call(Learn.BlastRadiusSchema, {
      method: "GET",
      path: withQuery(PATHS.blastRadius, { ...q, draft: q.draft === true ? "true" : undefined }),
    });

  // ── alerts, incidents, quarantine ──
  alerts = (q: AlertQuery = {}) =>
    this.#call(AlertListSchema, { method: "GET", path: withQuery(PATHS.alerts, q) });
  ackAlert = (id: string) =>
    this.#call(AlertAckResponseSchema, { method: "POST", path: pathFor(PATHS.alertAck, { id }) });
  incidents = () => this.#call(IncidentListSchema, { method: "GET", path: PATHS.incidents });
  quarantine = (name: string, body: QuarantineRequest) =>
    this.#call(QuarantineResponseSchema, {
      method: "POST",
      path: pathFor(PATHS.quarantine, { name }),
      body,
    });
  release = (name: string) =>
    this.#call(ReleaseResponseSchema, {
      method: "DELETE",
      path: pathFor(PATHS.quarantine, { name }),
    });

  async #call<S extends z.ZodType>(schema: S, req: RawRequest): Promise<z.infer<S>> {
    const res = await this.#send({ ...req, token: this.#token });
    const json = parseJson(res.text);
    if (res.status < 200 || res.status > 299) throw errorOf(res.status, json, req);
    const parsed = schema.safeParse(json);
    if (!parsed.success) {
      throw new ApiError(
        "MSEG_INTERNAL",
        `${req.method} ${req.path} answered something that is not protocol v1 ` +
          `(${parsed.error.issues[0]?.message ?? "unexpected shape"}); are client and controller the same version?`,
      );
    }
    return parsed.data;
  }
}

function errorOf(status: number, json: unknown, req: RawRequest): ApiError {
  const body = parseErrorBody(json);
  if (body === undefined) {
    return new ApiError(
      status === 401 ? "MSEG_API_UNAUTHENTICATED" : "MSEG_INTERNAL",
      `${req.method} ${req.path} answered HTTP ${status} without an error body`,
    );
  }
  const code: ErrorCode = isErrorCode(body.error.code) ? body.error.code : "MSEG_INTERNAL";
  return new ApiError(code, body.error.message, body.error.details);
}

function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CODES, code);
}

function parseJson(text: string): unknown {
  if (text === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function withQuery(path: string, q: Record<string, string | number | undefined> = {}): string {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) params.set(k, String(v));
  const s = params.toString();
  return s === "" ? path : `${path}?${s}`;
}
