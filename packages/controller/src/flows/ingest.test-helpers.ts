// A controller (memory store, fake clock) with two enrolled agents, web-1 and db-1, under a small
// policy, and fabricated agent records: what the flow ingest tests post on the agent route.
import type { FlowTuple } from "@microseg/protocol";
import { fakeClock } from "@microseg/store/testing";
import { testController } from "../test-helpers.js";

export const POLICY = `
rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
  - name: no-ssh
    action: deny
    from: any
    to: { role: db }
    services: [tcp/22]
`;
export const WEB = "198.18.1.10";
export const DB = "198.18.1.20";
export const OUTSIDE = "203.0.113.5";

export async function lab() {
  const clock = fakeClock("2026-03-01T10:30:00.000Z");
  const t = await testController({ clock: clock.now });
  const web = await t.enrol("web-1", WEB, { role: "web" });
  const db = await t.enrol("db-1", DB, { role: "db" });
  await t.call("PUT", "/api/v1/policy/draft", POLICY);
  await t.call("POST", "/api/v1/policy/provision", { comment: "p" });
  const now = clock.now().getTime();
  const post = (credential: string, seq: number, records: unknown[], extra = {}) =>
    t.call("POST", "/api/v1/agent/flows", { seq, records, ...extra }, credential);
  const edges = async (q = "") => (await t.call("GET", `/api/v1/flows${q}`)).body.edges;
  return { t, clock, web, db, now, post, edges };
}

export type Tuple = [...FlowTuple];
export function rec(over: Partial<Record<number, unknown>>, now: number): Tuple {
  const base: Tuple = ["out", "tcp", WEB, DB, 5432, "allowed", 1, 10, 1000, now - 5000, now - 1000];
  for (const [i, v] of Object.entries(over)) (base as unknown[])[Number(i)] = v;
  return base;
}
