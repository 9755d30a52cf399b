// The agent's side of the controller API (see wire.ts for the messages).
//
//   enrol   POST /api/v1/enrol                      (enrolment key in the body)
//   policy  GET  /api/v1/agent/policy?known&wait    long-poll: 200 new policy | 204 nothing new
//   status  POST /api/v1/agent/status               heartbeat + acknowledgement
//   flows   POST /api/v1/agent/flows                one FlowBatch -> FlowBatchAck
//
// Every non-2xx answer becomes a ControllerError carrying the status, so callers can tell
// "controller says no" (4xx) from "controller away" (network errors, 5xx) and "controller says
// not now" (429: wait Retry-After, then send the same again; nothing is dropped).

import {
  type FlowBatch,
  type FlowBatchAck,
  FlowBatchAckSchema,
  PATHS,
  StatusResponseSchema,
} from "@microseg/protocol/agent";
import type { HttpResponse, HttpTransport } from "./http-transport.js";
import type { EnrolRequest, EnrolResponse, PolicyResponse, StatusRequest } from "./wire.js";
import { parseEnrolResponse, parsePolicyResponse } from "./wire-check.js";

export interface ControllerClient {
  enrol(request: EnrolRequest): Promise<EnrolResponse>;
  /**
   * undefined when nothing newer than `known` (and, with `mgmt`, than that management version)
   * arrived within `waitS` seconds.
   */
  policy(
    known: string | undefined,
    waitS: number,
    signal?: AbortSignal,
    mgmt?: string,
  ): Promise<PolicyResponse | undefined>;
  /**
   * Resolves with the controller's expected heartbeat period (s) and the agent's maintenance token
   * hash, when it names them. `timeoutMs` bounds the whole request (default 15 s) on each
   * controller; `signal` ends it (and any failover to another controller) altogether.
   */
  status(
    report: StatusRequest,
    options?: { timeoutMs?: number; signal?: AbortSignal },
  ): Promise<{ heartbeatSeconds?: number; maintenanceHash?: string }>;
  /** Resolves on a 2xx answer (applied now or already before: `duplicate`). */
  sendFlows(batch: FlowBatch): Promise<FlowBatchAck>;
}

export class ControllerError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** From `Retry-After`, when the answer carried one. */
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = "ControllerError";
  }

  /**
   * The controller refused (bad key, revoked credential, bad request): retrying will not help
   * soon. A 429 is no refusal: the same request is taken after Retry-After.
   */
  get refused(): boolean {
    return this.status >= 400 && this.status < 500 && this.status !== 429;
  }
}

/** Bounds on a Retry-After wait: at least a second, at most five minutes (whatever was sent). */
const RETRY_AFTER_MIN_MS = 1000;
const RETRY_AFTER_MAX_MS = 300_000;

/** How long to wait before asking again when `e` is a 429; undefined for any other error. */
export function retryAfter(e: unknown): number | undefined {
  if (!(e instanceof ControllerError) || e.status !== 429) return undefined;
  const ms = e.retryAfterMs ?? RETRY_AFTER_MIN_MS;
  return Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, ms));
}

/** `credential()` is read on every call, so enrolment can set it after construction. */
export function createControllerClient(
  transport: HttpTransport,
  credential: () => string | undefined,
): ControllerClient {
  const token = () => credential();
  return {
    async enrol(request) {
      const res = await transport("POST", PATHS.enrol, { body: request });
      expectOk(res, "enrol");
      return parseEnrolResponse(res.body);
    },
    async policy(known, waitS, signal, mgmt) {
      const query = new URLSearchParams({ wait: String(waitS) });
      if (known !== undefined) query.set("known", known);
      if (mgmt !== undefined) query.set("mgmt", mgmt);
      const res = await transport("GET", `${PATHS.agentPolicy}?${query}`, {
        token: token(),
        signal,
        timeoutMs: (waitS + 15) * 1000,
      });
      if (res.status === 204) return undefined;
      expectOk(res, "policy");
      return parsePolicyResponse(res.body);
    },
    async status(report, options = {}) {
      const res = await transport("POST", PATHS.agentStatus, {
        body: report,
        token: token(),
        ...(options.timeoutMs !== undefined && { timeoutMs: options.timeoutMs }),
        ...(options.signal !== undefined && { signal: options.signal }),
      });
      expectOk(res, "status");
      const parsed = StatusResponseSchema.safeParse(res.body);
      if (!parsed.success) return {};
      const { heartbeatSeconds, maintenanceHash } = parsed.data;
      return maintenanceHash === undefined
        ? { heartbeatSeconds }
        : { heartbeatSeconds, maintenanceHash };
    },
    async sendFlows(batch) {
      const res = await transport("POST", PATHS.agentFlows, { body: batch, token: token() });
      expectOk(res, "flows");
      const parsed = FlowBatchAckSchema.safeParse(res.body);
      return parsed.success ? parsed.data : { seq: batch.seq, duplicate: false };
    },
  };
}

function expectOk(res: HttpResponse, what: string): void {
  const { status, body } = res;
  if (status >= 200 && status < 300) return;
  const error = (body as { error?: { message?: string; code?: string } } | undefined)?.error;
  const detail = error?.message ?? (typeof body === "string" ? body.slice(0, 200) : "");
  const message = `${what}: controller answered ${status} ${detail}`.trim();
  const retryMs = res.retryAfterS === undefined ? undefined : res.retryAfterS * 1000;
  throw new ControllerError(status, message, retryMs);
}
