// Controller mode pieces that need no root: names, the policy text sent as the draft, and the
// files `lab down` removes from the state dir.
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { policyText } from "./control-plane.js";
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
});
