// `since` / `until` of the flow queries: an ISO time, or a duration back from now (`90s`, `15m`,
// `24h`, `7d`, `2w`).

import { parseDuration } from "@microseg/core";
import { ApiError } from "@microseg/protocol";

/** The time `text` names (ms); 400 naming the field when it is neither form. */
export function parseTimeParam(field: string, text: string, now: number): number {
  const ago = parseDuration(text);
  if (ago !== undefined) return now - ago;
  const at = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(at)) {
    throw new ApiError(
      "MSEG_API_BAD_REQUEST",
      `${field}: "${text}" is neither an ISO time (2026-01-31T12:00:00Z) nor a duration back from now (15m, 24h, 7d)`,
    );
  }
  return at;
}

export interface TimeRange {
  readonly since?: number;
  readonly until?: number;
}

export function timeRange(q: { since?: string; until?: string }, now: number): TimeRange {
  return {
    ...(q.since !== undefined && { since: parseTimeParam("since", q.since, now) }),
    ...(q.until !== undefined && { until: parseTimeParam("until", q.until, now) }),
  };
}
