// `--controller URL1,URL2` against a real controller: a stopped first URL (nothing listens) or
// one answering 503, and a live second. Two real controllers would not be one estate (each has
// its own store and CA), so the second controller's part is played by a stand-in.

import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { useCli, useController } from "../testing/online.js";

const online = useController();
const { run } = useCli();

let failing: Server;
let failingUrl = "";
let failingHits = 0;
beforeAll(async () => {
  failing = createServer((_req, res) => {
    failingHits += 1;
    res.writeHead(503, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { code: "MSEG_INTERNAL", message: "starting" } }));
  });
  await new Promise<void>((resolve) => failing.listen(0, "127.0.0.1", resolve));
  failingUrl = `http://127.0.0.1:${(failing.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => failing.close(() => resolve())));

/** A URL nothing listens on (a port that was free a moment ago). */
async function stoppedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const token = () => ["--token", online.current.token];

describe("several controllers (--controller URL1,URL2)", () => {
  it("a stopped first URL: the command talks to the second and says so on stderr", async () => {
    const stopped = await stoppedUrl();
    const r = await run(["status", "--controller", `${stopped},${online.current.url}`, ...token()]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`controller       ${online.current.url} `);
    expect(r.err).toContain(`the controller at ${stopped} did not answer`);
    expect(r.err).toContain(`using ${online.current.url}`);
  });

  it("a 5xx moves on, and the command stays on the one that answered (MICROSEG_CONTROLLER)", async () => {
    process.env.MICROSEG_CONTROLLER = `${failingUrl}, ${online.current.url}`;
    failingHits = 0;
    // Two requests: creating the profile, then the status its text names the CA from.
    const r = await run(["enrol-profiles", "create", "--name", "two-replicas", ...token()]);
    expect(r.code).toBe(0);
    expect(failingHits).toBe(1);
    expect(r.err).toContain("answered HTTP 503");
    expect(r.out).toContain(`--controller ${failingUrl},${online.current.url} --enrol-key`);
    expect(r.out).toContain(`curl -fsS '${online.current.url}/install.sh'`);
  });

  it("a single URL works as before; a 4xx answer is final", async () => {
    const one = await run(["status", "--controller", online.current.url, ...token()]);
    expect(one.code).toBe(0);
    expect(one.err).toBe("");
    const stopped = await stoppedUrl();
    const wrong = await run([
      "workloads",
      "--controller",
      `${online.current.url},${stopped}`,
      "--token",
      "not-the-token",
    ]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.err).toMatch(/MSEG_API_UNAUTHENTICATED/);
    expect(wrong.err).not.toContain("did not answer");
  });

  it("none answers: exit 3, MSEG_CONTROLLER_UNREACHABLE naming the last tried", async () => {
    const [a, b] = [await stoppedUrl(), await stoppedUrl()];
    const r = await run(["status", "--controller", `${a},${b}`, ...token()]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(
      new RegExp(`cannot reach the controller at ${b}.*MSEG_CONTROLLER_UNREACHABLE`),
    );
  });

  it("a lab with replicas: with no --controller the command uses every replica the state lists", async () => {
    const stopped = await stoppedUrl();
    const dir = mkdtempSync(join(tmpdir(), "mseg-cli-lab-"));
    vi.stubEnv("MICROSEG_LAB_DIR", dir);
    const replica = (url: string, pid: number) => ({ url, agentUrl: url, pid });
    const controller = {
      ...replica(stopped, 11),
      token: online.current.token,
      caFingerprint: "",
      caPem: "",
      netns: "mseg-x.ctl",
      dataDir: dir,
    };
    writeFileSync(
      join(dir, "state.json"),
      JSON.stringify({
        version: 1,
        phase: "up",
        lab: "x",
        scenario: "x.yaml",
        startedAt: new Date().toISOString(),
        upPid: 1,
        namespaces: [],
        hosts: [],
        servers: [],
        controller,
        controllers: [replica(stopped, 11), replica(online.current.url, 12)],
      }),
    );
    const r = await run(["status"]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(`controller       ${online.current.url} `);
    expect(r.err).toContain(`the controller at ${stopped} did not answer`);
  });

  it("names the item of the list that is not a URL (exit 2)", async () => {
    const r = await run(["status", "--controller", `${online.current.url},ctl:x:y`, ...token()]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('controller URL "ctl:x:y" is not http(s)://HOST:PORT');
  });
});
