// Hostile drafts: no policy text stalls the API, and nothing is stored that did not compile
// within the controller's budgets (compile-worker/pool.ts). Each refusal leaves the previous draft
// as it was, and the controller keeps answering admin and agent requests meanwhile.
import { openMemoryStore } from "@microseg/store/memory";
import { describe, expect, it } from "vitest";
import {
  aliasBomb,
  compileBomb,
  latenciesWhile,
  manyDocuments,
} from "./compile-worker/hostile.test-helpers.js";
import type { ControllerSettings } from "./context.js";
import { testController } from "./test-helpers.js";

const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;

type Controller = Awaited<ReturnType<typeof testController>>;

/** A controller with a saved draft (POLICY) and an enrolled agent; the policy worker is warm. */
async function withDraft(settings: Partial<ControllerSettings> = {}, store = openMemoryStore()) {
  // The probes report status far faster than a real agent: lift its quota.
  const limits = { statusBurst: 100_000, statusPerSecond: 100_000 };
  const t = await testController({
    store,
    settings: { compileTimeoutMs: 3000, ...settings, limits },
  });
  await t.call("PUT", "/api/v1/workloads/db-1", {
    labels: { role: "db" },
    addresses: ["198.18.1.20"],
  });
  const agent = await t.enrol("web-1", "198.18.1.10", { role: "web" });
  expect((await t.call("PUT", "/api/v1/policy/draft", POLICY)).status).toBe(200);
  return { t, agent };
}

/** Sends `text` as the draft while probing GET /status and an agent's status report. */
async function putWhileProbing(t: Controller, credential: string, text: string) {
  const t0 = performance.now();
  const put = t.call("PUT", "/api/v1/policy/draft", text);
  const latencies = await latenciesWhile(put, async () => {
    expect((await t.call("GET", "/api/v1/status")).status).toBe(200);
    expect((await t.call("POST", "/api/v1/agent/status", {}, credential)).status).toBe(200);
  });
  const res = await put;
  return { res, latencies, ms: performance.now() - t0 };
}

async function draftText(t: Controller) {
  return (await t.call("GET", "/api/v1/policy/draft")).body.text;
}

describe("hostile drafts", () => {
  it("refuses an alias bomb (1,000,000 rules from 166 KB) on the parser's node limit, serving meanwhile", async () => {
    const { t, agent } = await withDraft();
    const bomb = aliasBomb(2000, 499);
    expect(bomb.length).toBeLessThan(190_000);
    const { res, latencies, ms } = await putWhileProbing(t, agent.credential, bomb);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("MSEG_YAML_TOO_MANY_NODES");
    expect(res.body.error.message).toMatch(/nothing was saved/);
    expect(latencies.length).toBeGreaterThanOrEqual(5);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(await draftText(t)).toBe(POLICY);
    console.info(`alias bomb refused in ${Math.round(ms)} ms; probes: ${summary(latencies)}`);
  }, 60_000);

  it("refuses 5,000 YAML documents without saving, serving meanwhile", async () => {
    const { t, agent } = await withDraft();
    const { res, latencies, ms } = await putWhileProbing(t, agent.credential, manyDocuments(5000));
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("MSEG_YAML_TOO_MANY_DOCUMENTS");
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(await draftText(t)).toBe(POLICY);
    console.info(`5,000 documents refused in ${Math.round(ms)} ms; probes: ${summary(latencies)}`);
  }, 60_000);

  it("refuses a text over the parser's byte limit with 413 and its own code", async () => {
    const { t } = await withDraft();
    const big = `${POLICY}# ${"x".repeat(1_100_000)}\n`;
    const res = await t.call("PUT", "/api/v1/policy/draft", big);
    expect([res.status, res.body.error.code]).toEqual([413, "MSEG_YAML_TOO_LARGE"]);
    expect(res.body.error.details.diagnostics[0].code).toBe("MSEG_YAML_TOO_LARGE");
    expect(await draftText(t)).toBe(POLICY);
  });

  it("refuses a draft within every parser limit that compiles past the time budget", async () => {
    const { t, agent } = await withDraft();
    const { res, latencies } = await putWhileProbing(t, agent.credential, compileBomb());
    expect([res.status, res.body.error.code]).toEqual([422, "MSEG_POLICY_TOO_COMPLEX"]);
    expect(["time", "memory"]).toContain(res.body.error.details.budget);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(await draftText(t)).toBe(POLICY);
  }, 60_000);

  it("refuses a draft that needs more memory than the budget; the controller survives", async () => {
    // 2,000 workloads and 300 rules, each from any workload to one of them: 600,000 RuleSet
    // entries, more than a 64 MiB heap holds; a small text, within any parser limit.
    const store = openMemoryStore();
    for (let i = 0; i < 2000; i++) {
      const address = `10.0.${i >> 8}.${i & 255}`;
      const w = { name: `w${i}`, labels: { n: `n${i}` }, addresses: [address] };
      await store.workloads.upsert({ ...w, mode: "enforce", managed: true }, "test");
    }
    const rules = Array.from(
      { length: 300 },
      (_, r) => `  - { name: to-${r}, from: any, to: { n: n${r} }, services: [tcp/${2000 + r}] }`,
    );
    // A long time budget, so the memory budget is what stops it.
    const settings = { compileMemoryMb: 64, compileTimeoutMs: 300_000 };
    const { t, agent } = await withDraft(settings, store);
    const text = `rules:\n${rules.join("\n")}\n`;
    const { res, latencies } = await putWhileProbing(t, agent.credential, text);
    expect(res.status).toBe(422);
    expect(res.body.error.code).toBe("MSEG_POLICY_TOO_COMPLEX");
    expect(res.body.error.details).toEqual({
      budget: "memory",
      memoryMb: 64,
      flag: "--compile-memory",
    });
    expect(res.body.error.message).toMatch(/more than 64 MiB.*--compile-memory/);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect(await draftText(t)).toBe(POLICY);
    // A new worker takes the next draft.
    const next = `${POLICY}# reviewed\n`;
    expect((await t.call("PUT", "/api/v1/policy/draft", next)).status).toBe(200);
    expect(await draftText(t)).toBe(next);
    await t.ctx.policyWorkers.close();
  }, 300_000);
});

describe("drafts saved before drafts were compiled in a worker", () => {
  const EMPTY = { policy: { rules: [], ipLists: {}, isolation: [] }, workloads: [] };

  /** Probes GET /status while `request` runs; answers it and the probes' latencies. */
  async function whileProbing(
    t: Controller,
    request: Promise<Awaited<ReturnType<Controller["call"]>>>,
  ) {
    const latencies = await latenciesWhile(request, async () => {
      expect((await t.call("GET", "/api/v1/status")).status).toBe(200);
    });
    return { res: await request, latencies };
  }

  it("diffs a stored text off the API's thread", async () => {
    const { t } = await withDraft();
    // In a parsed format this controller does not read: the diff must parse the text.
    await t.store.policy.saveDraft(
      { text: manyDocuments(5000), parsed: {}, parsedVersion: 0 },
      "admin",
    );
    const { res, latencies } = await whileProbing(t, t.call("GET", "/api/v1/policy/diff"));
    // Over the budget (422), or refused by a parser limit and shown as an empty draft (200).
    expect([200, 422]).toContain(res.status);
    if (res.status === 422) expect(res.body.error.code).toBe("MSEG_POLICY_TOO_COMPLEX");
    expect(Math.max(...latencies)).toBeLessThan(1000);
  }, 60_000);

  it("provisions a draft without compile facts only after it compiled within the budget", async () => {
    const { t } = await withDraft();
    // What an older controller stored: no `compiled`; its model stands in for the bomb's.
    await t.store.policy.saveDraft(
      { text: aliasBomb(2000, 499), parsed: EMPTY, parsedVersion: 1 },
      "admin",
    );
    const { res, latencies } = await whileProbing(
      t,
      t.call("POST", "/api/v1/policy/provision", { comment: "old draft" }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.message).toMatch(/nothing was provisioned/);
    expect(Math.max(...latencies)).toBeLessThan(1000);
    expect((await t.call("GET", "/api/v1/policy/history")).body.revisions).toEqual([]);
    expect(t.ctx.hub.activeRevision).toBeNull();

    const model = { policy: { ...EMPTY.policy }, workloads: [] };
    await t.store.policy.saveDraft(
      { text: "rules: []\n", parsed: model, parsedVersion: 1 },
      "admin",
    );
    expect((await t.call("POST", "/api/v1/policy/provision", { comment: "ok" })).status).toBe(201);
  }, 60_000);

  it("replays a draft given in the request off the API's thread", async () => {
    const { t } = await withDraft();
    const { res, latencies } = await whileProbing(
      t,
      t.call("POST", "/api/v1/policy/replay", { draft: manyDocuments(5000) }),
    );
    expect(res.status).toBe(422);
    expect(res.body.error.code).toMatch(/^MSEG_(POLICY|YAML)_/);
    expect(Math.max(...latencies)).toBeLessThan(1000);
  }, 60_000);
});

function summary(ms: number[]): string {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Math.round(sorted[Math.floor(q * (sorted.length - 1))] ?? 0);
  return `${ms.length}, median ${at(0.5)} ms, max ${at(1)} ms`;
}
