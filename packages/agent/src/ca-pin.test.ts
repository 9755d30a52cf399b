// TLS pinning against a fake controller serving HTTPS with a throwaway CA.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PATHS } from "@microseg/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caFingerprint, pinnedCa } from "./ca-pin.js";
import { createControllerClient } from "./controller-client.js";
import { createHttpTransport } from "./http-transport.js";
import { openStateStore } from "./state-store.js";
import { type FakeController, startFakeController } from "./testing/index.js";
import { makeTestCa, type TestCa } from "./testing/test-ca.js";

let tls: TestCa;
let other: TestCa;
let controller: FakeController;
let dir: string;

beforeAll(async () => {
  tls = makeTestCa();
  other = makeTestCa();
  controller = await startFakeController({ tls });
  dir = await mkdtemp(join(tmpdir(), "mseg-pin-"));
});
afterAll(async () => {
  await controller.close();
  await rm(dir, { recursive: true, force: true });
});

const fetchCa = () =>
  createHttpTransport({ baseUrl: controller.url, insecure: true })("GET", PATHS.caPem);

describe("CA pinning", () => {
  it("accepts the CA whose fingerprint matches (colons and case ignored) and stores it", async () => {
    const store = await openStateStore(join(dir, "ok"));
    const colons = (caFingerprint(tls.ca).toUpperCase().match(/.{2}/g) ?? []).join(":");
    const ca = await pinnedCa(fetchCa, colons, store);
    expect(ca).toBe(tls.ca);
    expect(await store.readCa()).toBe(tls.ca);
    // The pinned CA is the only trust anchor: requests over it work.
    const client = createControllerClient(
      createHttpTransport({ baseUrl: controller.url, ca }),
      () => undefined,
    );
    await expect(
      client.enrol({ key: "key-1", hostname: "h", interfaces: [] }),
    ).resolves.toMatchObject({ agentId: "agent-1" });
  });

  it("refuses a CA with another fingerprint, with both fingerprints in the message", async () => {
    const store = await openStateStore(join(dir, "bad"));
    const wrong = caFingerprint(other.ca);
    await expect(pinnedCa(fetchCa, wrong, store)).rejects.toMatchObject({
      code: "MSEG_CONTROLLER_UNREACHABLE",
      message: expect.stringContaining(caFingerprint(tls.ca)),
    });
    expect(await store.readCa()).toBeUndefined();
  });

  it("does not trust the server when another CA is pinned", async () => {
    const client = createControllerClient(
      createHttpTransport({ baseUrl: controller.url, ca: other.ca }),
      () => undefined,
    );
    await expect(client.enrol({ key: "key-1", hostname: "h", interfaces: [] })).rejects.toThrow(
      /certificate/,
    );
  });
});
