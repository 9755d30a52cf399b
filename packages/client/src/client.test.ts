// The client against a tiny stand-in server: answers that are not protocol v1, error bodies with
// codes the registry does not know, and bodies missing altogether all become coded errors.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { ApiError } from "@microseg/protocol";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ControllerClient } from "./client.js";
import { policyDiagnostics } from "./diagnostics.js";

let server: Server;
let url = "";
const seen: { method?: string; url?: string; auth?: string; type?: string; body: string }[] = [];

const ANSWERS: Record<string, [number, string]> = {
  "/api/v1/workloads": [200, JSON.stringify({ workloads: "nope" })],
  "/api/v1/agents": [
    418,
    JSON.stringify({ error: { code: "MSEG_FROM_THE_FUTURE", message: "?" } }),
  ],
  "/api/v1/status": [401, ""],
  "/api/v1/policy/draft": [
    422,
    JSON.stringify({
      error: {
        code: "MSEG_POLICY_INVALID",
        message: "the policy has 1 problem",
        details: { diagnostics: [{ code: "MSEG_YAML_SYNTAX", path: "", line: 2, message: "bad" }] },
      },
    }),
  ],
};

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      seen.push({
        method: req.method,
        url: req.url,
        auth: req.headers.authorization,
        type: req.headers["content-type"],
        body,
      });
      const [status, text] = ANSWERS[req.url?.split("?")[0] ?? ""] ?? [404, ""];
      res.writeHead(status, { "content-type": "application/json" }).end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("ControllerClient", () => {
  const client = () => new ControllerClient({ url, token: "tok" });

  it("rejects an answer that is not protocol v1 as MSEG_INTERNAL naming the route", async () => {
    await expect(client().listWorkloads()).rejects.toMatchObject({
      code: "MSEG_INTERNAL",
      message: expect.stringMatching(
        /GET \/api\/v1\/workloads answered something that is not protocol v1/,
      ),
    });
    expect(seen.at(-1)?.auth).toBe("Bearer tok");
  });

  it("maps an unknown error code to MSEG_INTERNAL and a bare 401 to MSEG_API_UNAUTHENTICATED", async () => {
    await expect(client().listAgents()).rejects.toMatchObject({
      code: "MSEG_INTERNAL",
      message: "?",
    });
    await expect(client().status()).rejects.toMatchObject({ code: "MSEG_API_UNAUTHENTICATED" });
  });

  it("sends the draft as YAML and exposes a refusal's diagnostics", async () => {
    const err = await client()
      .putDraft("rules: [")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(policyDiagnostics(err)).toEqual([
      { code: "MSEG_YAML_SYNTAX", path: "", line: 2, message: "bad" },
    ]);
    expect(seen.at(-1)).toMatchObject({
      method: "PUT",
      type: "application/yaml",
      body: "rules: [",
    });
    expect(policyDiagnostics(new Error("x"))).toBeUndefined();
  });

  it("encodes path parameters and query strings", async () => {
    await client()
      .getWorkload("a b/c")
      .catch(() => undefined);
    expect(seen.at(-1)?.url).toBe("/api/v1/workloads/a%20b%2Fc");
    await client()
      .audit({ afterSeq: 3, target: "workload:x" })
      .catch(() => undefined);
    expect(seen.at(-1)?.url).toBe("/api/v1/audit?afterSeq=3&target=workload%3Ax");
  });
});
