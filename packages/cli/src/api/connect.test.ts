// TLS trust of the commands that talk to a controller, against a real HTTPS controller: the CA
// pinned by fingerprint, a CA file, a remembered fingerprint (HOME in a temp dir), and the refusal
// of an unknown CA when no one is at a terminal to confirm it; with several URLs, each pinned or
// remembered on its own.
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { createServer } from "node:net";
import { join } from "node:path";
import { colonFingerprint } from "@microseg/protocol";
import { describe, expect, it } from "vitest";
import { useCli, useController } from "../testing/online.js";
import { rememberFingerprint } from "./known-controllers.js";

const online = useController({ https: true });
const { run, home } = useCli();
const known = () => join(home, ".config", "microseg", "known-controllers.json");
const fp = () => online.current.ctl.caFingerprint ?? "";

describe("controller CA trust", () => {
  it("pins the CA by fingerprint (--ca-fingerprint, or MICROSEG_CA_FINGERPRINT in colon form)", async () => {
    const r = await run(["status", "--ca-fingerprint", fp(), ...online.current.flags]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`CA fingerprint   ${fp()}`);
    expect(r.err).toBe("");
    process.env.MICROSEG_CA_FINGERPRINT = colonFingerprint(fp());
    expect((await run(["workloads", ...online.current.flags])).code).toBe(0);
  });

  it("enrol-profiles create over HTTPS names the CA fingerprint in the agent command line", async () => {
    const r = await run([
      "enrol-profiles",
      "create",
      "--name",
      "tls",
      "--ca-fingerprint",
      fp(),
      ...online.current.flags,
    ]);
    expect(r.code).toBe(0);
    // The one-liner checks the CA before it fetches the installer; the enrol line pins it too.
    const hex = fp().replace(/:/g, "").toLowerCase();
    expect(r.out).toContain(`sha256sum | cut -c1-64)" = ${hex} ] && curl -fsS --cacert "$ca" '`);
    expect(r.out).toContain(`--ca-fingerprint ${hex}\n`);
    expect(r.out).toContain(
      `microseg-agent enrol --controller ${online.current.url} --ca-fingerprint ${fp()} --enrol-key`,
    );
  });

  it("refuses a controller whose CA does not match the pin (exit 3) and remembers nothing", async () => {
    const other = "ab".repeat(32);
    const r = await run(["status", "--ca-fingerprint", other, ...online.current.flags]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      new RegExp(`fingerprint ${fp()}, not the pinned ${other}.*\\[MSEG_CONTROLLER_UNREACHABLE\\]`),
    );
    const bad = await run(["status", "--ca-fingerprint", "xyz", ...online.current.flags]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/"xyz" is not a SHA-256 fingerprint/);
  });

  it("trusts a CA given as a PEM file (--ca)", async () => {
    const pem = join(home, "ca.pem");
    writeFileSync(pem, online.current.ctl.caPem ?? "");
    const r = await run(["status", "--json", "--ca", pem, ...online.current.flags]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out).caFingerprint).toBe(fp());
  });

  it("without a pin and not on a terminal: refuses before sending the token, naming the flag", async () => {
    // The prompt itself (a terminal) is tested in trust-prompt.test.ts.
    Object.defineProperty(process.stdin, "isTTY", { value: false, configurable: true });
    const r = await run(["status", ...online.current.flags]);
    expect(r.code).toBe(3);
    expect(r.err).toContain(colonFingerprint(fp()));
    expect(r.err).toContain(`--ca-fingerprint ${fp()}`);
    expect(r.err).toContain("MICROSEG_CA_FINGERPRINT");
    expect(r.err).toMatch(/\[MSEG_CONTROLLER_UNTRUSTED\]/);
    expect(r.out).toBe("");
    expect(existsSync(known())).toBe(false);
  });

  it("a remembered fingerprint needs no question; a changed CA is refused", async () => {
    rememberFingerprint(online.current.url, fp(), known());
    expect(statSync(known()).mode & 0o777).toBe(0o600);
    const second = await run(["status", ...online.current.flags]);
    expect(second.code).toBe(0);
    expect(second.err).toBe("");

    const file = JSON.parse(readFileSync(known(), "utf8"));
    file.controllers[online.current.url].fingerprint = "cd".repeat(32);
    writeFileSync(known(), JSON.stringify(file));
    const changed = await run(["status", ...online.current.flags]);
    expect(changed.code).toBe(3);
    expect(changed.err).toMatch(
      /now presents CA .* but (cd){32} was remembered.*\[MSEG_CONTROLLER_UNREACHABLE\]/s,
    );
    expect(changed.out).toBe("");
  });

  it("a broken known-controllers file is reported, not overwritten", async () => {
    writeFileSync(known(), "not json");
    const r = await run(["status", ...online.current.flags]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/is not a known-controllers file.*\[MSEG_FILE_UNREADABLE\]/);
    expect(readFileSync(known(), "utf8")).toBe("not json");
  });

  it("several URLs: a stopped first is passed over, the next pinned with the one fingerprint", async () => {
    const list = `${await stoppedHttpsUrl()},${online.current.url}`;
    const r = await run([
      "status",
      "--controller",
      list,
      "--token",
      online.current.token,
      "--ca-fingerprint",
      fp(),
    ]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`controller       ${online.current.url} `);
    const other = "ab".repeat(32);
    const bad = await run([
      "status",
      "--controller",
      list,
      "--token",
      online.current.token,
      "--ca-fingerprint",
      other,
    ]);
    expect(bad.code).toBe(3);
    expect(bad.err).toMatch(new RegExp(`fingerprint ${fp()}, not the pinned ${other}`));
  });

  it("several URLs: the remembered fingerprint is per URL, and nothing is remembered for a stopped one", async () => {
    rmSync(known(), { force: true });
    Object.defineProperty(process.stdin, "isTTY", { value: false, configurable: true });
    const stopped = await stoppedHttpsUrl();
    const list = `${stopped},${online.current.url}`;
    const unknown = await run(["status", "--controller", list, "--token", online.current.token]);
    expect(unknown.code).toBe(3);
    expect(unknown.err).toMatch(/\[MSEG_CONTROLLER_UNTRUSTED\]/);
    rememberFingerprint(online.current.url, fp(), known());
    const r = await run(["status", "--controller", list, "--token", online.current.token]);
    expect(r.code).toBe(0);
    expect(Object.keys(JSON.parse(readFileSync(known(), "utf8")).controllers)).toEqual([
      online.current.url,
    ]);
  });
});

/** An https URL nothing listens on (a port that was free a moment ago). */
async function stoppedHttpsUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `https://127.0.0.1:${port}`;
}
