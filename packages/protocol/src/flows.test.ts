// The fast flow-batch check and the zod schema that documents it must accept exactly the same
// batches, and every number on the wire must have a range the store can hold.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  checkFlowBatch,
  FlowBatchSchema,
  type FlowTuple,
  MAX_FLOW_COUNTER,
  MAX_FLOW_TIME_MS,
} from "./flows.js";

const T = Date.parse("2026-03-01T12:00:00Z");
const record = (over: Partial<Record<number, unknown>> = {}): unknown[] => {
  const r: unknown[] = [
    "out",
    "tcp",
    "198.18.0.10",
    "198.18.0.20",
    443,
    "allowed",
    1,
    2,
    300,
    T,
    T,
  ];
  for (const [i, v] of Object.entries(over)) r[Number(i)] = v;
  return r;
};
const batch = (records: unknown[][], extra: object = {}) => ({ seq: 1, records, ...extra });

function bothRefuse(body: unknown, problem: RegExp): void {
  const fast = checkFlowBatch(body);
  expect(fast.ok).toBe(false);
  if (!fast.ok) expect(fast.problem).toMatch(problem);
  expect(FlowBatchSchema.safeParse(body).success).toBe(false);
}

describe("flow batch ranges", () => {
  it("refuses counters no record can carry (1e300, above 2^40) naming the field", () => {
    bothRefuse(batch([record({ 6: 1e300 })]), /^records\[0\]\[6\]: /);
    bothRefuse(batch([record(), record({ 7: MAX_FLOW_COUNTER + 1 })]), /^records\[1\]\[7\]: /);
    bothRefuse(batch([record({ 8: -1 })]), /^records\[0\]\[8\]: /);
    const top = batch([record({ 6: MAX_FLOW_COUNTER, 7: MAX_FLOW_COUNTER, 8: MAX_FLOW_COUNTER })]);
    expect(checkFlowBatch(top).ok).toBe(true);
    expect(FlowBatchSchema.safeParse(top).success).toBe(true);
  });

  it("refuses times outside 1970..9999 and a last time before the first", () => {
    bothRefuse(batch([record({ 9: -1 })]), /^records\[0\]\[9\]: /);
    bothRefuse(batch([record({ 10: MAX_FLOW_TIME_MS + 1 })]), /^records\[0\]\[10\]: /);
    bothRefuse(batch([record({ 9: T + 1, 10: T })]), /^records\[0\]\[10\]: .*first/);
    expect(new Date(MAX_FLOW_TIME_MS).toISOString()).toBe("9999-12-31T23:59:59.999Z");
  });

  it("bounds seq (a safe integer) and dropped", () => {
    bothRefuse(batch([], { seq: 2 ** 53 }), /^seq: /);
    bothRefuse(batch([], { seq: 1e300 }), /^seq: /);
    bothRefuse(batch([], { dropped: 1e300 }), /^dropped: /);
    const ok = batch([], { seq: Number.MAX_SAFE_INTEGER, dropped: MAX_FLOW_COUNTER });
    expect(checkFlowBatch(ok).ok).toBe(true);
    expect(FlowBatchSchema.safeParse(ok).success).toBe(true);
  });

  it("accepts exactly what the schema accepts (property)", () => {
    const num = fc.oneof(
      fc.constantFrom(0, 1, -1, 0.5, 1e300, -0, Number.NaN, Infinity, 2 ** 53, 65535, 65536),
      fc.constantFrom(MAX_FLOW_COUNTER, MAX_FLOW_COUNTER + 1, MAX_FLOW_TIME_MS, T, T + 1),
      fc.integer({ min: -10, max: 70_000 }),
      fc.constantFrom("1", null, undefined, true),
    );
    const text = fc.oneof(
      fc.constantFrom("out", "in", "tcp", "", "allowed", "blocked", "would-block", "198.18.0.1"),
      fc.string({ maxLength: 70 }),
      num,
    );
    const outcome = fc.oneof(
      fc.constantFrom("established", "refused", "unanswered", "allowed", undefined),
      text,
    );
    const tuple = fc.oneof(
      fc.tuple(text, text, text, text, num, text, num, num, num, num, num),
      fc.tuple(text, text, text, text, num, text, num, num, num, num, num, outcome),
      fc.array(fc.oneof(text, num), { maxLength: 12 }),
      fc.constantFrom(null, "x", {}),
    );
    const body = fc.oneof(
      fc.record({
        seq: num,
        records: fc.array(tuple, { maxLength: 3 }),
        dropped: fc.option(num, { nil: undefined }),
      }),
      fc.constantFrom(null, [], "x", { seq: 1 }),
    );
    fc.assert(
      fc.property(body, (b) => {
        expect(checkFlowBatch(b).ok).toBe(FlowBatchSchema.safeParse(b).success);
      }),
      { numRuns: 1500 },
    );
  });

  it("takes an optional 12th element, the outcome, and names it when it is not one", () => {
    for (const outcome of ["established", "refused", "unanswered"]) {
      const ok = batch([record({ 11: outcome })]);
      expect(checkFlowBatch(ok).ok).toBe(true);
      expect(FlowBatchSchema.safeParse(ok).success).toBe(true);
    }
    expect(checkFlowBatch(batch([record()])).ok).toBe(true); // an older agent's 11 elements
    bothRefuse(batch([record({ 11: "allowed" })]), /^records\[0\]\[11\]: established, refused/);
    bothRefuse(batch([record({ 11: null })]), /^records\[0\]\[11\]: /);
    bothRefuse(batch([record({ 11: "refused", 12: "refused" })]), /^records\[0\]\[0\]: /);
  });

  it("keeps a real record valid", () => {
    const r: FlowTuple = ["in", "udp", "fd00::1", "fd00::2", 53, "blocked", 3, 0, 0, T - 5, T];
    expect(checkFlowBatch(batch([[...r]])).ok).toBe(true);
    const answered: FlowTuple = ["out", "tcp", "fd00::1", "fd00::2", 22, "allowed", 1, 0, 0, T, T];
    expect(checkFlowBatch(batch([[...answered, "refused"]])).ok).toBe(true);
  });
});
