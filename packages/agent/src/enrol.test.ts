// `microseg-agent enrol` (enrolHost) against a fake controller on HTTPS with a throwaway CA, and
// the one-liner's shell fingerprint check against the agent's own pin.
import { spawnSync } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { installCommand } from "@microseg/protocol";
import { pino } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caFingerprint } from "./ca-pin.js";
import { enrolHost } from "./enrol.js";
import { openStateStore } from "./state-store.js";
import { type FakeController, startFakeController } from "./testing/index.js";
import { makeTestCa, type TestCa } from "./testing/test-ca.js";

let tls: TestCa;
let controller: FakeController;
let dir: string;
const log = pino({ level: "silent" });

beforeAll(async () => {
  tls = makeTestCa();
  controller = await startFakeController({ tls, keys: ["key-1"] });
  dir = await mkdtemp(join(tmpdir(), "mseg-enrol-"));
});
afterAll(async () => {
  await controller.close();
  await rm(dir, { recursive: true, force: true });
});

describe("enrolHost", () => {
  it("pins, enrols and stores the identity once; a second run changes nothing", async () => {
    const o = {
      controller: controller.url,
      caFingerprint: caFingerprint(tls.ca),
      enrolKey: "key-1",
      stateDir: join(dir, "ok"),
      workload: "db-1",
    };
    const first = await enrolHost(o, log);
    expect(first.fresh).toBe(true);
    expect(first.identity).toMatchObject({ controller: controller.url, workload: "db-1" });
    const store = await openStateStore(o.stateDir);
    expect(await store.readCa()).toBe(tls.ca);
    const again = await enrolHost({ ...o, enrolKey: "not-used" }, log);
    expect(again).toEqual({ identity: first.identity, fresh: false });
    expect(controller.enrols).toHaveLength(1);
  });

  it("refuses a CA that is not the pinned one, and a key the controller refuses", async () => {
    const other = caFingerprint(makeTestCa().ca);
    const base = { controller: controller.url, enrolKey: "key-1" };
    await expect(
      enrolHost({ ...base, caFingerprint: other, stateDir: join(dir, "pin") }, log),
    ).rejects.toMatchObject({ code: "MSEG_CONTROLLER_UNREACHABLE" });
    const refused = { ...base, caFingerprint: caFingerprint(tls.ca), enrolKey: "wrong" };
    await expect(enrolHost({ ...refused, stateDir: join(dir, "key") }, log)).rejects.toMatchObject({
      code: "MSEG_ENROL_REFUSED",
    });
    const store = await openStateStore(join(dir, "key"));
    expect(await store.readIdentity()).toBeUndefined();
  });
});

describe("the one-liner's fingerprint check", () => {
  it("computes, with sed, base64 and sha256sum, the fingerprint the agent pins", () => {
    const fp = caFingerprint(tls.ca);
    const line = installCommand({
      controller: "https://ctl:8443",
      caFingerprint: fp,
      enrolKey: "k",
    });
    const check = /\[ "\$\((sed .*? \| cut -c1-64)\)" = /.exec(line)?.[1];
    expect(check).toBeDefined();
    const ran = spawnSync("sh", ["-c", (check as string).replace(' "$ca"', "")], {
      input: tls.ca,
    });
    expect(String(ran.stdout).trim()).toBe(fp);
  });
});
