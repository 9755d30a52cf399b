// A small shop estate made through the API only, as an operator and agents would make it:
//
//   web-1, web-2  app=shop role=web   (web-2 in learn mode)
//   db-1          app=shop role=db
//   crm-1         app=crm  role=web
//   policy #1     web-to-db: {app: shop, role: web} -> {role: db} tcp/5432
//   flows         web-1, web-2 -> db-1 tcp/5432 allowed (db-1 reports them arriving)
//                 crm-1 -> db-1 tcp/5432 blocked (crm-1 reports its denials)
//                 203.0.113.5 -> web-2 tcp/80 allowed by learn mode, no rule (not covered)
import type { ConsoleController } from "./console-harness.js";

export const SHOP_POLICY = `rules:
  - name: web-to-db
    from: { app: shop, role: web }
    to: { role: db }
    services: [tcp/5432]
`;

const HOSTS = [
  { name: "web-1", address: "198.18.1.10", labels: { app: "shop", role: "web" } },
  { name: "web-2", address: "198.18.1.11", labels: { app: "shop", role: "web" } },
  { name: "db-1", address: "198.18.1.20", labels: { app: "shop", role: "db" } },
  { name: "crm-1", address: "198.18.2.10", labels: { app: "crm", role: "web" } },
] as const;

export const OUTSIDE = "203.0.113.5";

export async function seedShop(ctl: ConsoleController): Promise<Record<string, string>> {
  const credentials: Record<string, string> = {};
  for (const h of HOSTS) {
    const profile = await ctl.call<{ key: string }>("POST", "/api/v1/enrol-profiles", {
      name: `p-${h.name}`,
      labels: h.labels,
      mode: "enforce",
    });
    const enrolled = await enrolAgent(ctl.url, profile.key, h.name, h.address);
    credentials[h.name] = enrolled;
  }
  await ctl.call("PATCH", "/api/v1/workloads/web-2", { mode: "learn" });
  await ctl.call("PUT", "/api/v1/policy/draft", SHOP_POLICY);
  await ctl.call("POST", "/api/v1/policy/provision", { comment: "shop: web to db" }, 201);

  // Seen after the provision: explain judges a flow under the revision active when it was seen.
  const now = Date.now();
  const rec = (
    side: string,
    local: string,
    remote: string,
    port: number,
    verdict: string,
    n: number,
  ) => [side, "tcp", local, remote, port, verdict, n, n * 10, n * 1000, now, now];
  const [web1, web2, db1, crm1] = HOSTS.map((h) => h.address);
  await postFlows(ctl.url, credentials["db-1"], [
    rec("in", db1 as string, web1 as string, 5432, "allowed", 3),
    rec("in", db1 as string, web2 as string, 5432, "allowed", 2),
  ]);
  await postFlows(ctl.url, credentials["crm-1"], [
    rec("out", crm1 as string, db1 as string, 5432, "blocked", 4),
  ]);
  await postFlows(ctl.url, credentials["web-2"], [
    rec("in", web2 as string, OUTSIDE, 80, "allowed", 5),
  ]);
  return credentials;
}

async function enrolAgent(
  url: string,
  key: string,
  hostname: string,
  address: string,
): Promise<string> {
  const res = await fetch(`${url}/api/v1/enrol`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ key, hostname, interfaces: [{ name: "eth0", addresses: [address] }] }),
  });
  if (res.status !== 201)
    throw new Error(`enrol ${hostname}: HTTP ${res.status} ${await res.text()}`);
  return ((await res.json()) as { credential: string }).credential;
}

/**
 * crm-1 tries 20 ports of db-1 within a second, every attempt blocked: what crm-1's agent
 * reports after a port scan (the detector's vertical scan needs 15 ports within a minute).
 */
export async function postScan(ctl: ConsoleController, crmCredential: string): Promise<void> {
  const now = Date.now();
  const records = Array.from({ length: 20 }, (_, i) => {
    const port = 1000 + i;
    return ["out", "tcp", "198.18.2.10", "198.18.1.20", port, "blocked", 1, 1, 60, now, now];
  });
  await postFlows(ctl.url, crmCredential, records, 2);
  // Detection stores raised alerts together, within a moment (ALERT_LINGER_MS): a view opened
  // before then would show none. Bounded, and it fails loudly.
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    const { alerts } = await ctl.call<{ alerts: unknown[] }>("GET", "/api/v1/alerts?kind=scan");
    if (alerts.length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("the scan posted by postScan raised no stored alert within 5 s");
}

async function postFlows(
  url: string,
  credential: string | undefined,
  records: unknown[],
  seq = 1,
): Promise<void> {
  const res = await fetch(`${url}/api/v1/agent/flows`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${credential}` },
    body: JSON.stringify({ seq, records }),
  });
  if (!res.ok) throw new Error(`flows: HTTP ${res.status} ${await res.text()}`);
}
