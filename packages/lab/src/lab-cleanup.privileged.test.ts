// Failure paths: a broken policy creates nothing; an agent that cannot start ends `lab up` with
// everything removed; a crashed `lab up` and namespaces left without any state file are removed
// by `lab down`.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describePrivileged } from "@microseg/nft/testing";
import { afterEach, beforeAll, expect, it } from "vitest";
import { labDown, labNamespaces, labProbe, labUp, readState } from "./index.js";
import { isAlive } from "./sys/procs.js";
import { run } from "./sys/run.js";
import { scenario, tempStateDir } from "./testing/lab-fixtures.js";

const dir = tempStateDir();
const root = join(import.meta.dirname, "../../..");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describePrivileged("lab: cleanup after failures", () => {
  beforeAll(async () => {
    await labDown({ dir });
  });
  afterEach(async () => {
    await labDown({ dir });
    expect(await labNamespaces()).toEqual([]);
  });

  it("a broken policy fails before anything is created", async () => {
    await expect(labUp(scenario("broken-policy"), { dir })).rejects.toMatchObject({
      code: "MSEG_POLICY_INVALID_PORT",
      message: expect.stringMatching(/broken-policy-policy\.yaml:\d+: rules\[0\]\.services\[0\]/),
    });
    expect(await labNamespaces()).toEqual([]);
    expect(readState(dir)).toBeUndefined();
  });

  it("an agent that cannot start ends lab up at once, with its log, and nothing is left", async () => {
    // a file where the agent of `web` keeps its state: that agent exits at start
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "agent-web"), "not a directory\n");
    const started = Date.now();
    const err = await labUp(scenario("control-plane"), { dir }).catch((e: Error) => e);
    expect(err).toMatchObject({
      code: "MSEG_LAB_SETUP_FAILED",
      message: expect.stringMatching(/the agent of web exited: .+/),
    });
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(await labNamespaces()).toEqual([]);
    expect(readState(dir)).toBeUndefined();
    expect(existsSync(join(dir, "agent-web"))).toBe(false);
  });

  it("lab down removes what a lab up killed midway left behind", async () => {
    const child = spawn(
      process.execPath,
      [
        "--conditions=source",
        "--import",
        "tsx",
        join(root, "packages/lab/testdata/up-child.mts"),
        scenario("labels"),
        dir,
      ],
      { cwd: root, stdio: "ignore" },
    );
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && (readState(dir)?.servers.length ?? 0) < 2) await sleep(10);
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const state = readState(dir);
    expect(state?.phase).toBe("creating");
    expect((await labNamespaces()).length).toBeGreaterThan(0);
    await expect(labProbe({ dir })).rejects.toMatchObject({ code: "MSEG_LAB_NOT_UP" });

    const report = await labDown({ dir });
    expect(report.leftovers).toEqual([]);
    expect(await labNamespaces()).toEqual([]);
    for (const s of state?.servers ?? []) expect(isAlive(s.pid)).toBe(false);
    expect(existsSync(join(dir, "state.json"))).toBe(false);
  });

  it("lab down sweeps lab namespaces that no state file knows, and their processes", async () => {
    await run("ip", ["netns", "add", "mseg-crashed-x"]);
    const sleeper = spawn("ip", ["netns", "exec", "mseg-crashed-x", "sleep", "60"], {
      stdio: "ignore",
    });
    await sleep(200);
    await expect(labUp(scenario("modes"), { dir })).rejects.toMatchObject({
      code: "MSEG_LAB_ALREADY_UP",
      message: expect.stringContaining("mseg-crashed-x"),
    });
    const report = await labDown({ dir });
    expect(report.namespaces).toEqual(["mseg-crashed-x"]);
    expect(report.processes).toBe(1);
    expect(sleeper.pid !== undefined && isAlive(sleeper.pid)).toBe(false);
  });

  it("lab down with nothing up succeeds and does nothing", async () => {
    expect(await labDown({ dir })).toEqual({ namespaces: [], processes: 0, leftovers: [] });
  });
});
