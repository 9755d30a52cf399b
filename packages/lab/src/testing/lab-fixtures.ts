// Helpers for the lab's privileged tests (not part of the built package).
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect } from "vitest";
import { listAgents } from "../control-plane.js";
import { labDown } from "../down.js";
import type { LabApiTarget } from "../lab-api.js";
import { labProbe, type ProbeOptions } from "../probe.js";
import type { ProbeResult } from "../probe-plan.js";
import { readState } from "../state.js";
import { labNamespaces } from "../topology.js";
import type { UpOptions } from "../up.js";
import { labUp } from "../up.js";
import { apiOf } from "../up-control-plane.js";

export const SCENARIOS = join(import.meta.dirname, "../../testdata/scenarios");

export function scenario(name: string): string {
  return join(SCENARIOS, `${name}.yaml`);
}

/**
 * A probe for a test that knows what it expects: one wave first, and the full waves only when
 * that differs (a late echo in a loaded wave answers then). A silent path is the only verdict a
 * retry can change, so the outcome is the full probe's; a case that matches costs one timeout
 * instead of three.
 */
export async function probeExpecting(
  opts: ProbeOptions,
  matches: (results: readonly ProbeResult[]) => boolean,
): Promise<ProbeResult[]> {
  const first = (await labProbe({ ...opts, attempts: 1 })).results;
  return matches(first) ? first : (await labProbe(opts)).results;
}

/** A private state directory, so tests never read or write a developer's running lab state. */
export function tempStateDir(): string {
  return mkdtempSync(join(tmpdir(), "mseg-lab-state-"));
}

/** `from -> to port` for every allowed result, sorted: the readable shape of a probe matrix. */
export function allowed(results: readonly ProbeResult[]): string[] {
  return results
    .filter((r) => r.verdict === "allowed")
    .map((r) => `${r.from} -> ${r.to} ${r.port}`)
    .sort();
}

/**
 * Brings `scenarioFile`'s lab up (state in `dir`) before the enclosing describe's tests, and
 * after them takes it down and checks no namespace is left. `cliEnv`: point MICROSEG_LAB_DIR at
 * `dir` meanwhile, so `microseg` commands run in process find this lab. `beforeEnforce`: see
 * UpOptions.
 */
export function useLab(
  scenarioFile: string,
  dir: string,
  opts: { cliEnv?: boolean; beforeEnforce?: UpOptions["beforeEnforce"] } = {},
): void {
  beforeAll(async () => {
    if (opts.cliEnv === true) process.env.MICROSEG_LAB_DIR = dir;
    await labDown({ dir });
    await labUp(scenarioFile, { dir, beforeEnforce: opts.beforeEnforce });
  }, 90_000);
  afterAll(async () => {
    await labDown({ dir });
    if (opts.cliEnv === true) delete process.env.MICROSEG_LAB_DIR;
    expect(await labNamespaces()).toEqual([]);
  });
}

/** The running lab's controller API (after useLab's beforeAll). */
export function labControllerApi(dir: string): LabApiTarget {
  const controller = readState(dir)?.controller;
  if (controller === undefined) throw new Error("lab up recorded no controller");
  return apiOf(controller);
}

/** Polls until the agent of `host` applied what the controller holds for it; answers the ms. */
export async function agentConverged(api: LabApiTarget, host: string, ms: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    const row = (await listAgents(api)).find((a) => a.workload === host && !a.revoked);
    if (row?.converged === true && row.appliedHash === row.currentHash) return Date.now() - started;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`the agent of ${host} did not converge within ${ms} ms`);
}

/** Polls until `check` holds, at most `ms`, every `pollMs`; resolves to the time it took. */
export async function eventually(
  check: () => Promise<boolean>,
  ms: number,
  what: string,
  pollMs = 100,
): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (await check()) return Date.now() - started;
    await new Promise((r) => setTimeout(r, pollMs));
  }
  throw new Error(`not within ${ms} ms: ${what}`);
}
