// For tests of the commands that talk to a controller: a real controller on 127.0.0.1 (SQLite in
// a temp dir), output captured from process.stdout/stderr, and an environment that points
// nowhere (no MICROSEG_* variables, no lab, HOME in a temp dir) unless a test says otherwise.

import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ControllerClient } from "@microseg/client";
import { type RunningController, startController } from "@microseg/controller";
import { afterAll, beforeAll, beforeEach, vi } from "vitest";
import { type Run, runMain } from "./run-main.js";

export interface Online {
  readonly ctl: RunningController;
  readonly url: string;
  readonly token: string;
  readonly dir: string;
  /** The API directly, to arrange state (plain http only). */
  readonly api: ControllerClient;
  /** `--controller URL --token T` */
  readonly flags: string[];
}

/** Starts a controller before the file's tests and stops it after them. */
export function useController(opts: { https?: boolean } = {}): { current: Online } {
  const holder = {} as { current: Online };
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "mseg-cli-online-"));
    const ctl = await startController({
      dataDir: dir,
      listen: "127.0.0.1:0",
      http: opts.https !== true,
      log: "silent",
    });
    const token = ctl.adminToken ?? "";
    holder.current = {
      ctl,
      url: ctl.url,
      token,
      dir,
      api: new ControllerClient({
        url: ctl.url,
        token,
        ...(ctl.caPem && { ca: ctl.caPem, pinned: true }),
      }),
      flags: ["--controller", ctl.url, "--token", token],
    };
  });
  afterAll(async () => {
    await holder.current?.ctl.close();
    if (holder.current !== undefined) rmSync(holder.current.dir, { recursive: true, force: true });
  });
  return holder;
}

export type { Run } from "./run-main.js";

/** Isolates the environment before each test; `run(args)` runs main() and captures output. */
export function useCli(): { run: (args: string[]) => Promise<Run>; home: string } {
  const home = mkdtempSync(join(tmpdir(), "mseg-cli-home-"));
  afterAll(() => {
    vi.unstubAllEnvs();
    rmSync(home, { recursive: true, force: true });
  });
  beforeEach(() => {
    vi.unstubAllEnvs();
    for (const name of ["MICROSEG_CONTROLLER", "MICROSEG_TOKEN", "MICROSEG_CA_FINGERPRINT"]) {
      vi.stubEnv(name, undefined);
    }
    vi.stubEnv("XDG_CONFIG_HOME", undefined);
    vi.stubEnv("HOME", home);
    vi.stubEnv("MICROSEG_LAB_DIR", join(home, "no-lab"));
  });
  return { run: runMain, home };
}

/** Enrols an agent as workload `name` at `address` (its own profile with `labels`): its credential. */
export async function enrolAgent(
  online: Online,
  name: string,
  address: string,
  labels: Record<string, string>,
): Promise<string> {
  const { key } = await online.api.createProfile({ name: `p-${name}`, labels, mode: "enforce" });
  const res = await fetch(`${online.url}/api/v1/enrol`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      key,
      hostname: name,
      interfaces: [{ name: "eth0", addresses: [address] }],
    }),
  });
  return ((await res.json()) as { credential: string }).credential;
}

/** Reports flow records as that agent would: one batch on the agent channel. */
export async function reportFlows(
  online: Online,
  credential: string,
  seq: number,
  records: readonly unknown[],
): Promise<void> {
  const res = await fetch(`${online.url}/api/v1/agent/flows`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${credential}` },
    body: JSON.stringify({ seq, records }),
  });
  if (res.status !== 200) throw new Error(`flows: ${res.status} ${await res.text()}`);
}
