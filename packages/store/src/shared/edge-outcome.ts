// An edge's outcome from its per-outcome counts, the same in every adapter (the SQLite adapter's
// outcome filter, flow-tables.ts OUTCOME_HAVING, states the same rule in SQL).

import type { EdgeDelta, EdgeOutcome, EdgeOutcomes } from "../flow-records.js";

/** A delta's outcome as stored: absent is established; blocked is always unanswered. */
export function deltaOutcome(d: EdgeDelta): EdgeOutcome {
  return d.verdict === "blocked" ? "unanswered" : (d.outcome ?? "established");
}

/** The counts by outcome of an edge whose `count` connections hold `refused` and `unanswered`. */
export function outcomesOf(count: number, refused: number, unanswered: number): EdgeOutcomes {
  return { established: Math.max(0, count - refused - unanswered), refused, unanswered };
}

/**
 * established when any connection got an answer (or none failed: an edge that counted nothing),
 * else refused when any was refused, else unanswered.
 */
export function outcomeOf(o: EdgeOutcomes): EdgeOutcome {
  if (o.established > 0 || (o.refused === 0 && o.unanswered === 0)) return "established";
  return o.refused > 0 ? "refused" : "unanswered";
}
