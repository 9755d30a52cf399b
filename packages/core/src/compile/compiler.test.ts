import { describe, expect, it } from "vitest";
import type { Policy, Workload } from "../model.js";
import type { RuleSet } from "../ruleset.js";
import {
  pickOne,
  prng,
  type Rnd,
  randomPolicy,
  randomWorkload,
  randomWorkloads,
} from "../testing/random.js";
import { compile } from "./compile.js";
import { type Change, Compiler } from "./compiler.js";

/** Canonical text of a compile result (string comparison keeps hundreds of runs fast). */
const sorted = (m: ReadonlyMap<string, RuleSet>) =>
  JSON.stringify([...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));

function randomChange(rnd: Rnd, state: Map<string, Workload>): Change {
  const r = rnd();
  const names = [...state.keys()];
  if (r < 0.05) return { kind: "set-policy", policy: randomPolicy(rnd, 8) };
  if (r < 0.15 && names.length > 0) return { kind: "remove-workload", name: pickOne(rnd, names) };
  if (r < 0.25)
    return { kind: "upsert-workload", workload: randomWorkload(rnd, `w${Math.floor(rnd() * 40)}`) };
  const name = names.length > 0 ? pickOne(rnd, names) : "w0";
  const old = state.get(name) ?? randomWorkload(rnd, name);
  const fresh = randomWorkload(rnd, name);
  // Change one facet, as real updates do.
  const facet = pickOne(rnd, [
    "labels",
    "addresses",
    "mode",
    "managed",
    "namedPorts",
    "namespace",
    "quarantine",
  ]);
  const next: Workload =
    facet === "quarantine"
      ? toggleQuarantine(rnd, old)
      : facet === "labels"
        ? { ...old, labels: fresh.labels }
        : facet === "addresses"
          ? { ...old, addresses: fresh.addresses }
          : facet === "mode"
            ? { ...old, mode: fresh.mode }
            : facet === "managed"
              ? { ...old, managed: !old.managed }
              : facet === "namedPorts"
                ? { ...old, namedPorts: fresh.namedPorts ?? {} }
                : { ...old, namespace: fresh.namespace ?? "ns3", namespaceLabels: { team: "a" } };
  return { kind: "upsert-workload", workload: next };
}

/** Quarantines (with or without a forensic address) or releases the workload. */
function toggleQuarantine(rnd: Rnd, w: Workload): Workload {
  if (w.quarantine !== undefined) {
    const { quarantine: _released, ...rest } = w;
    return rest;
  }
  const forensic = rnd() < 0.5 ? [] : [`198.18.9.${Math.floor(rnd() * 4)}`];
  return { ...w, quarantine: { forensic } };
}

/** Applies changes to a plain model of the state: the oracle's input. */
function applyToState(policy: Policy, state: Map<string, Workload>, changes: readonly Change[]) {
  let p = policy;
  for (const c of changes) {
    if (c.kind === "set-policy") p = c.policy;
    else if (c.kind === "remove-workload") state.delete(c.name);
    else state.set(c.workload.name, c.workload);
  }
  return p;
}

function batches<T>(rnd: Rnd, xs: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < xs.length; ) {
    const n = 1 + Math.floor(rnd() * 4);
    out.push(xs.slice(i, i + n));
    i += n;
  }
  return out;
}

describe("incremental Compiler", () => {
  it("equals a from-scratch compile after random change sequences", () => {
    for (let seed = 1; seed <= 200; seed++) {
      const rnd = prng(seed);
      const policy0 = randomPolicy(rnd, 10);
      const workloads0 = randomWorkloads(rnd, 20);
      const state = new Map(workloads0.map((w) => [w.name, w]));
      const changes: Change[] = [];
      let policy = policy0;
      for (let i = 0; i < 25; i++) {
        const c = randomChange(rnd, state);
        changes.push(c);
        policy = applyToState(policy, state, [c]);
      }
      const expected = sorted(compile(policy, [...state.values()]));

      // One by one; the RuleSets seen through the deltas must track the state (checked after
      // every change for the first seeds, at the end for the rest).
      const single = new Compiler(policy0, workloads0);
      const view = new Map(single.all());
      const oracleState = new Map(workloads0.map((w) => [w.name, w]));
      let oraclePolicy = policy0;
      for (const c of changes) {
        const delta = single.apply([c]);
        for (const [n, rs] of delta.changed) view.set(n, rs);
        for (const n of delta.removed) view.delete(n);
        if (seed > 25) continue;
        oraclePolicy = applyToState(oraclePolicy, oracleState, [c]);
        const want = sorted(compile(oraclePolicy, [...oracleState.values()]));
        expect(sorted(view), `seed ${seed}: delta view`).toBe(want);
        expect(sorted(single.all()), `seed ${seed}`).toBe(want);
      }
      expect(sorted(view), `seed ${seed}: delta view`).toBe(expected);
      // Random batches, and everything squashed into one batch.
      const batched = new Compiler(policy0, workloads0);
      for (const b of batches(rnd, changes)) batched.apply(b);
      expect(sorted(batched.all()), `seed ${seed}: batches`).toBe(expected);
      const squashed = new Compiler(policy0, workloads0);
      squashed.apply(changes);
      expect(sorted(squashed.all()), `seed ${seed}: squashed`).toBe(expected);
    }
  });

  it("equals a from-scratch compile when the same changes arrive reordered", () => {
    for (let seed = 1000; seed < 1100; seed++) {
      const rnd = prng(seed);
      const policy0 = randomPolicy(rnd, 10);
      const workloads0 = randomWorkloads(rnd, 20);
      const state = new Map(workloads0.map((w) => [w.name, w]));
      const changes = Array.from({ length: 20 }, () => randomChange(rnd, state));
      const shuffled = [...changes].sort(() => rnd() - 0.5);
      const final = new Map(state);
      const policy = applyToState(policy0, final, shuffled);
      const c = new Compiler(policy0, workloads0);
      for (const b of batches(rnd, shuffled)) c.apply(b);
      expect(sorted(c.all()), `seed ${seed}`).toBe(sorted(compile(policy, [...final.values()])));
    }
  });

  it("reports only changed RuleSets and removed workloads", () => {
    const rnd = prng(42);
    const policy = randomPolicy(rnd, 10);
    const workloads = randomWorkloads(rnd, 20).map((w) => ({ ...w, managed: true }));
    const c = new Compiler(policy, workloads);
    const w = workloads[0] as Workload;
    expect(c.apply([{ kind: "upsert-workload", workload: w }]).changed.size).toBe(0);
    const gone = c.apply([{ kind: "remove-workload", name: w.name }]);
    expect(gone.removed).toEqual([w.name]);
    expect(c.get(w.name)).toBeUndefined();
    const back = c.apply([{ kind: "upsert-workload", workload: w }]);
    expect(back.changed.get(w.name)).toStrictEqual(compile(policy, workloads).get(w.name));
    expect(c.apply([{ kind: "set-policy", policy }]).changed.size).toBe(0);
  });
});
