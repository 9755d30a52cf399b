// A small estate for the API fuzzer to act on: workloads, a provisioned revision and a draft, an
// enrolled agent with flows, so generated requests with known names reach the use cases.
import fc from "fast-check";
import { hashSecret } from "../secrets.js";
import type { testController } from "../test-helpers.js";

export interface Estate {
  readonly token: string;
  readonly credential: string;
  /** Known values per path or query parameter name (workload names, ids, revision numbers). */
  readonly pathValues: Record<string, string[]>;
  /** Valid bodies by `METHOD /openapi/path`, for the fuzzer to mutate one place at a time. */
  readonly examples: Record<string, fc.Arbitrary<unknown>>;
}

const POLICY = `rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
  - name: app-any
    from: { app: shop }
    to: { app: shop }
`;

export async function seedEstate(t: Awaited<ReturnType<typeof testController>>): Promise<Estate> {
  const must = async (method: string, path: string, body?: unknown, auth?: string | false) => {
    const res = await t.call(method, path, body, auth);
    if (res.status >= 300) throw new Error(`seed: ${method} ${path} -> ${res.status} ${res.text}`);
    return res.body;
  };
  await must("PUT", "/api/v1/workloads/db-1", {
    labels: { app: "shop", role: "db" },
    addresses: ["198.18.1.20"],
  });
  const web = await t.enrol("web-1", "198.18.1.10", { app: "shop", role: "web" });
  await must("PUT", "/api/v1/policy/draft", POLICY);
  await must("POST", "/api/v1/policy/provision", { comment: "seed" });
  await must(
    "PUT",
    "/api/v1/policy/draft",
    `${POLICY}  - { from: any, to: { role: db }, services: [udp/53] }\n`,
  );
  const profile = await must("POST", "/api/v1/enrol-profiles", { name: "spare", labels: {} });
  const now = Date.now();
  const records = [
    ["out", "tcp", "198.18.1.10", "198.18.1.20", 5432, "allowed", 3, 10, 900, now, now],
    ["out", "tcp", "198.18.1.10", "198.18.1.20", 22, "blocked", 1, 1, 60, now, now],
  ];
  await must("POST", "/api/v1/agent/flows", { seq: 1, records }, web.credential);
  const spare = await must("POST", "/api/v1/enrol-profiles", { name: "many", labels: {} });
  const ex = (value: unknown) => fc.constant(value);
  const examples: Record<string, fc.Arbitrary<unknown>> = {
    "POST /api/v1/enrol": fc.nat({ max: 1e6 }).map((n) => ({
      key: spare.key,
      hostname: `host-${n}`,
      interfaces: [{ name: "eth0", addresses: [`198.18.${(n >> 8) % 256}.${n % 256}`] }],
    })),
    "POST /api/v1/agent/status": ex({
      applied: { revision: 1, rulesetHash: "abc", ok: true, ms: 2 },
      drift: { drifted: true, details: "flushed", repairedAt: new Date(now).toISOString() },
      events: [{ kind: "tamper", at: new Date(now).toISOString(), details: "table flushed" }],
    }),
    // A fresh seq each time: a duplicate batch is acknowledged without being stored.
    "POST /api/v1/agent/flows": fc
      .integer({ min: 2, max: 2 ** 40 })
      .map((seq) => ({ seq, records, dropped: 0 })),
    "PUT /api/v1/workloads/{name}": ex({
      labels: { app: "shop", role: "cache" },
      addresses: ["198.18.1.30"],
      mode: "test",
      managed: true,
      namedPorts: { http: { proto: "tcp", from: 80, to: 80 } },
    }),
    "PATCH /api/v1/workloads/{name}": ex({ labels: { tier: "data", role: null }, mode: "learn" }),
    "POST /api/v1/policy/provision": ex({ comment: "fuzz", expectedActive: 1 }),
    "POST /api/v1/policy/rollback": ex({ to: 1, comment: "back" }),
    "POST /api/v1/enrol-profiles": fc.nat().map((n) => ({
      name: `p-${n}`,
      labels: { app: "shop" },
      mode: "learn",
      expiresAt: "2030-01-01T00:00:00Z",
      maxUses: 3,
    })),
    "POST /api/v1/workloads/{name}/quarantine": ex({ reason: "fuzz", forensic: ["198.18.9.9"] }),
    "POST /api/v1/insight/labels/accept": ex({ workload: "db-1", labels: { tier: "data" } }),
    "POST /api/v1/policy/replay": ex({ since: "7d", draft: POLICY, appLabel: "app" }),
  };
  return {
    examples,
    token: t.token,
    credential: web.credential,
    pathValues: {
      name: ["web-1", "db-1", "nope"],
      id: [web.id, profile.profile.id, "nope"],
      number: ["1", "2", "3", "0"],
      from: ["web-1", "198.18.1.10"],
      to: ["db-1", "198.18.1.20"],
      workload: ["web-1", "db-1"],
      source: ["web-1"],
      kind: ["scan", "decoy"],
      status: ["open", "acknowledged"],
      target: ["workload/db-1"],
    },
  };
}

let spareAgents = 0;

/**
 * The estate with a live agent credential: a generated request may end the seeded agent (an
 * `unpaired` event in a status report revokes it, as may the revoke route), and an operation the
 * fuzzer can only reach with 401 tests nothing. A fresh agent on a fresh workload takes over.
 */
export async function withLiveAgent(
  t: Awaited<ReturnType<typeof testController>>,
  estate: Estate,
): Promise<Estate> {
  const live = await t.store.agents.authenticate(hashSecret(estate.credential));
  if (live !== undefined) return estate;
  const n = ++spareAgents;
  const agent = await t.enrol(`fuzz-${n}`, `198.18.2.${n % 250}`, { app: "shop" });
  return { ...estate, credential: agent.credential };
}
