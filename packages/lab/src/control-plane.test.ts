// Controller mode pieces that need no root: names, the policy text sent as the draft, the files
// `lab down` removes from the state dir, and the wait for agents to converge (against a plain HTTP
// server that answers GET /api/v1/agents as a controller would).
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type AgentRow, policyText, waitConverged } from "./control-plane.js";
import { bridgeNamespace, controllerNamespace, hostNamespace } from "./naming.js";
import { NAME_RE } from "./scenario/schema.js";
import { clearState } from "./state.js";

describe("lab controller mode", () => {
  it("the controller's namespace cannot be a host's or the bridge's", () => {
    const ctl = controllerNamespace("shop");
    expect(ctl).toBe("mseg-shop.ctl");
    expect(NAME_RE.test("ctl")).toBe(true);
    expect(ctl).not.toBe(hostNamespace("shop", "ctl"));
    // only a lab called "shop.ctl" would have that bridge namespace, and no lab can be called so
    expect(NAME_RE.test("shop.ctl")).toBe(false);
    expect(bridgeNamespace("shop")).not.toBe(ctl);
  });

  it("sends the policy files as one YAML text, a document separator between files", () => {
    const dir = mkdtempSync(join(tmpdir(), "mseg-cp-"));
    writeFileSync(join(dir, "a.yaml"), "apiVersion: microseg/v1\nrules: []\n\n");
    writeFileSync(join(dir, "b.yaml"), "kind: NetworkPolicy\n");
    expect(policyText([join(dir, "a.yaml"), join(dir, "b.yaml")])).toBe(
      "apiVersion: microseg/v1\nrules: []\n---\nkind: NetworkPolicy",
    );
  });

  it("lab down removes the controller's data and the agents' state, nothing else", () => {
    const dir = mkdtempSync(join(tmpdir(), "mseg-cp-"));
    for (const d of ["controller-data/tls", "agent-web-1"])
      mkdirSync(join(dir, d), { recursive: true });
    for (const f of ["state.json", "controller.log", "agent-web-1.log", "notes.txt"]) {
      writeFileSync(join(dir, f), "");
    }
    clearState(dir);
    expect(existsSync(join(dir, "notes.txt"))).toBe(true);
    for (const gone of ["controller-data", "agent-web-1", "controller.log", "agent-web-1.log"]) {
      expect(existsSync(join(dir, gone))).toBe(false);
    }
  });

  it("waits for agents as long as they keep converging, and names the ones that stall", async () => {
    const hosts = ["h0", "h1", "h2", "h3", "h4", "h5"];
    // h0..h4 converge one every 120 ms (600 ms in all, past the 300 ms bound); h5 never does
    const started = Date.now();
    const converged = (h: string) =>
      h !== "h5" && Date.now() - started >= 120 * (Number(h.slice(1)) + 1);
    const rows = (): AgentRow[] =>
      hosts.map((h) => ({
        id: `agent-${h}`,
        workload: h,
        revoked: false,
        converged: converged(h),
        appliedHash: converged(h) ? "b" : "a",
        appliedRevision: 1,
        currentHash: "b",
        drift: "none",
        lastError: null,
      }));
    const server = createServer((_req, res) => {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ agents: rows() }));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const api = {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      token: "t",
      caPem: "",
    };
    try {
      const told: number[] = [];
      await waitConverged(api, hosts.slice(0, 5), 300, undefined, (n) => told.push(n));
      expect(Date.now() - started).toBeGreaterThanOrEqual(600);
      expect(told.at(-1)).toBe(5);
      const stalled = waitConverged(api, hosts, 300);
      await expect(stalled).rejects.toThrow(
        "agents did not converge (none for 300 ms): h5 (applied a, expected b)",
      );
    } finally {
      server.close();
    }
  });
});
