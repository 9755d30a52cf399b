// Backoff, management sets, the state directory.
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { createBackoff } from "./backoff.js";
import { withoutSkipped } from "./host-facts.js";
import { controllerChannel, withHosts } from "./management.js";
import { type LastGood, openStateStore } from "./state-store.js";
import { serverRuleSet } from "./testing/index.js";

describe("backoff", () => {
  it("grows exponentially up to the cap, with jitter in [50%, 100%], and resets", () => {
    const low = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0 });
    expect([1, 2, 3, 4, 5, 6].map(() => low.next())).toEqual([50, 100, 200, 400, 500, 500]);
    low.reset();
    expect(low.next()).toBe(50);
    const high = createBackoff({ baseMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5].map(() => high.next())).toEqual([100, 200, 400, 800, 1000]);
  });
});

describe("management access", () => {
  it("the channel is TCP to the controller URL's port (443 / 80 by default)", () => {
    expect(controllerChannel("https://198.18.0.1:8443")).toEqual([
      { proto: "tcp", ranges: [[8443, 8443]] },
    ]);
    expect(controllerChannel("https://ctl.example")).toEqual([
      { proto: "tcp", ranges: [[443, 443]] },
    ]);
    expect(controllerChannel("http://[::1]")).toEqual([{ proto: "tcp", ranges: [[80, 80]] }]);
  });
});

describe("management set", () => {
  it("adds controller hosts not covered by a prefix, once", () => {
    const base = { v4: ["198.18.0.0/24"], v6: ["2001:2::/64"] };
    expect(
      withHosts(base, ["198.18.0.5", "198.18.1.5", "198.18.1.5", "2001:2::1", "2001:3::1"]),
    ).toEqual({ v4: ["198.18.0.0/24", "198.18.1.5/32"], v6: ["2001:2::/64", "2001:3::1/128"] });
    expect(withHosts({ v4: ["198.18.1.5/32"], v6: [] }, ["198.18.1.5"])).toEqual({
      v4: ["198.18.1.5/32"],
      v6: [],
    });
  });
});

describe("state directory", () => {
  it("writes atomically with 0600 in a 0700 directory and reads back", async () => {
    const root = await mkdtemp(join(tmpdir(), "mseg-state-"));
    try {
      const dir = join(root, "state");
      const store = await openStateStore(dir);
      expect((await stat(dir)).mode & 0o777).toBe(0o700);
      expect(await store.readLastGood()).toBeUndefined();
      const lastGood = {
        revision: 7,
        ruleSet: serverRuleSet({ v4: ["198.18.0.2/32"], v6: [] }),
        management: { v4: [], v6: [] },
        appliedAt: "2026-01-01T00:00:00.000Z",
      };
      // An older agent's file (no managementAccess) reads back as it is.
      await store.writeLastGood(lastGood);
      expect(await store.readLastGood()).toEqual(lastGood);
      const managementAccess = { channel: [], services: [{ proto: "tcp", ranges: [[22, 22]] }] };
      await store.writeLastGood({ ...lastGood, revision: 8, managementAccess } as LastGood);
      expect((await store.readLastGood())?.revision).toBe(8);
      expect((await store.readLastGood())?.managementAccess).toEqual(managementAccess);
      expect((await stat(join(dir, "last-good.json"))).mode & 0o777).toBe(0o600);
      expect(await readdir(dir)).toEqual(["last-good.json"]); // no temp file left
      await writeFile(join(dir, "identity.json"), "{}");
      await expect(store.readIdentity()).rejects.toThrow(/expected shape/);
      await store.writeCa("PEM");
      expect(await readFile(join(dir, "ca.pem"), "utf8")).toBe("PEM");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});

describe("host facts", () => {
  it("leaves out the interfaces --skip-interface names, exactly or by a prefix and *", () => {
    const all = ["br-1a2b", "brx", "docker0", "docker1", "eth0"].map((name) => ({
      name,
      addresses: ["198.18.1.1"],
    }));
    const kept = withoutSkipped(all, ["docker0", "br-*"]).map((i) => i.name);
    expect(kept).toEqual(["brx", "docker1", "eth0"]);
    expect(withoutSkipped(all, [])).toEqual(all);
  });
});
