// The one-line install: what it checks before it trusts anything, and what it refuses to print.
import { describe, expect, it } from "vitest";
import { installCommand } from "./install.js";

const fp = `${"AB:".repeat(31)}AB`;
const hex = "ab".repeat(32);

describe("installCommand", () => {
  it("checks the CA's fingerprint before it fetches the installer over that CA", () => {
    const line = installCommand({
      controller: "https://[2001:db8::1]:8443/",
      caFingerprint: fp,
      enrolKey: "mse_a-b_c",
    });
    const check = line.indexOf(`= ${hex} ] &&`);
    const fetch = line.indexOf(`curl -fsS --cacert "$ca" 'https://[2001:db8::1]:8443/install.sh'`);
    expect(check).toBeGreaterThan(
      line.indexOf("curl -fsSk 'https://[2001:db8::1]:8443/api/ca.pem'"),
    );
    expect(fetch).toBeGreaterThan(check);
    expect(line.endsWith(`--enrol-key mse_a-b_c --ca-fingerprint ${hex}`)).toBe(true);
  });

  it("pins nothing for a plain-HTTP controller (tests, development)", () => {
    const line = installCommand({
      controller: "http://198.18.0.1:8080",
      caFingerprint: null,
      enrolKey: "k",
    });
    expect(line).toBe(
      "curl -fsS 'http://198.18.0.1:8080/install.sh' | sh -s -- --controller 'http://198.18.0.1:8080' --enrol-key k",
    );
  });

  it("refuses what a shell would read as more than text, and a bad fingerprint", () => {
    const base = { caFingerprint: hex, enrolKey: "k" };
    for (const controller of ["https://x';rm -rf /;'", "https://x$(id)", "https://x y"]) {
      expect(() => installCommand({ ...base, controller })).toThrow(/shell command/);
    }
    expect(() => installCommand({ ...base, controller: "https://x", enrolKey: "k;id" })).toThrow();
    expect(() => installCommand({ ...base, controller: "https://x", caFingerprint: "12" })).toThrow(
      /SHA-256/,
    );
  });
});
