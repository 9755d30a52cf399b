// The jobs a policy worker runs, and the messages between the pool and a worker thread:
//
//   pool -> worker   { id, kind, input }                        (structured clone)
//   worker -> pool   { ready: true }                             once, when the modules loaded
//                    { id, ok: true, value } | { id, ok: false, error: { code, message, details } }
//
// An error a job throws on purpose (ApiError, MicrosegError) crosses as its registry code and is
// thrown again by the pool; anything else becomes MSEG_INTERNAL with the worker's stack logged.
import { ERROR_CODES, type ErrorCode, MicrosegError } from "@microseg/core";
import { ApiError } from "@microseg/protocol";
import { checkDraft } from "./check.js";
import { diffPolicies } from "./diff.js";
import { blastRadiusJob, replayDraft } from "./insight-jobs.js";

export const JOBS = {
  check: checkDraft,
  diff: diffPolicies,
  replay: replayDraft,
  blast: blastRadiusJob,
};

export type JobKind = keyof typeof JOBS;
export type JobInput<K extends JobKind> = Parameters<(typeof JOBS)[K]>[0];
export type JobOutput<K extends JobKind> = ReturnType<(typeof JOBS)[K]>;

export interface JobRequest {
  readonly id: number;
  readonly kind: JobKind;
  readonly input: unknown;
}

export interface WireError {
  readonly code: string;
  readonly message: string;
  readonly details?: unknown;
  readonly stack?: string;
}

export type WorkerMessage =
  | { readonly ready: true }
  | { readonly id: number; readonly ok: true; readonly value: unknown }
  | { readonly id: number; readonly ok: false; readonly error: WireError };

/** Runs one job (in the worker thread) and answers it as a message. */
export function answer(req: JobRequest): WorkerMessage {
  try {
    const run = JOBS[req.kind] as (input: unknown) => unknown;
    return { id: req.id, ok: true, value: run(req.input) };
  } catch (err) {
    return { id: req.id, ok: false, error: wireError(err) };
  }
}

function wireError(err: unknown): WireError {
  if (err instanceof ApiError) {
    return { code: err.code, message: err.message, details: err.details };
  }
  if (err instanceof MicrosegError) return { code: err.code, message: err.message };
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    code: "MSEG_INTERNAL",
    message: e.message,
    ...(e.stack !== undefined && { stack: e.stack }),
  };
}

/** The error a job answered, as the use case throws it. */
export function errorOf(e: WireError): ApiError {
  const code: ErrorCode = e.code in ERROR_CODES ? (e.code as ErrorCode) : "MSEG_INTERNAL";
  return new ApiError(code, e.message, e.details);
}
