// Benchmark: the console on a large estate, in Debian's Chromium against a real controller.
//   node --import tsx bench/console-map.ts [--apps=20] [--per-app=100] [--rounds=3]
//
// Estate: APPS applications of PER_APP workloads (2,000 by default): in each, 2 db workloads
// with agents (enrolled) and web workloads (PUT); each db reports every web of its app connecting
// on tcp/5432 (allowed, web-to-db) and every tenth web of the next app (reported blocked); the
// policy allows web -> db.
//
//   baseline   Workloads view: first page (50 rows, paged on the server) drawn     ms
//   grouped    Map grouped by app (APPS nodes): edges table and canvas drawn       ms, ratio
//   expand     one group expanded into its PER_APP workloads                        ms, ratio
//   all        Map with no grouping (every workload, concentric layout)            ms, ratio
// Plus the API alone: GET /api/v1/map?groupBy=app, GET /api/v1/map, GET /api/v1/workloads?limit=50.
// Each step: median of the rounds, a fresh page load each time.
import { rmSync } from "node:fs";
import type { Page } from "playwright-core";
import {
  browserMissing,
  buildConsole,
  type ConsoleController,
  launchBrowser,
  openView,
  signIn,
  startConsoleController,
} from "../packages/web/src/testing/console-harness.js";

const arg = (name: string, d: number) =>
  Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? d);
const APPS = arg("apps", 20);
const PER_APP = arg("per-app", 100);
const ROUNDS = arg("rounds", 3);
const DBS = 2;

const POLICY = `rules:
  - name: web-to-db
    from: { role: web }
    to: { role: db }
    services: [tcp/5432]
`;

const app = (a: number) => `a${String(a).padStart(2, "0")}`;
const address = (a: number, i: number) => `198.18.${a + 1}.${i + 1}`;

async function seed(ctl: ConsoleController): Promise<void> {
  const credentials: { app: number; db: number; credential: string }[] = [];
  for (let a = 0; a < APPS; a++) {
    const profile = await ctl.call<{ key: string }>("POST", "/api/v1/enrol-profiles", {
      name: `db-${app(a)}`,
      labels: { app: app(a), role: "db" },
      mode: "enforce",
    });
    for (let d = 0; d < DBS; d++) {
      const res = await fetch(`${ctl.url}/api/v1/enrol`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          key: profile.key,
          hostname: `${app(a)}-db-${d}`,
          interfaces: [{ name: "eth0", addresses: [address(a, d)] }],
        }),
      });
      if (res.status !== 201) throw new Error(`enrol: ${res.status} ${await res.text()}`);
      credentials.push({
        app: a,
        db: d,
        credential: ((await res.json()) as { credential: string }).credential,
      });
    }
  }
  const puts: Promise<unknown>[] = [];
  for (let a = 0; a < APPS; a++) {
    for (let i = DBS; i < PER_APP; i++) {
      puts.push(
        ctl.call("PUT", `/api/v1/workloads/${app(a)}-web-${i}`, {
          labels: { app: app(a), role: "web" },
          addresses: [address(a, i)],
        }),
      );
      if (puts.length >= 50) await Promise.all(puts.splice(0));
    }
  }
  await Promise.all(puts);
  await ctl.call("PUT", "/api/v1/policy/draft", POLICY);
  await ctl.call("POST", "/api/v1/policy/provision", { comment: "bench" }, 201);
  const now = Date.now();
  for (const { app: a, db, credential } of credentials) {
    const records: unknown[] = [];
    for (let i = DBS; i < PER_APP; i++) {
      if (i % DBS !== db) continue;
      records.push([
        "in",
        "tcp",
        address(a, db),
        address(a, i),
        5432,
        "allowed",
        3,
        30,
        3000,
        now,
        now,
      ]);
      const other = (a + 1) % APPS;
      if (i % 10 === 0) {
        records.push([
          "in",
          "tcp",
          address(a, db),
          address(other, i),
          5432,
          "blocked",
          1,
          1,
          60,
          now,
          now,
        ]);
      }
    }
    const res = await fetch(`${ctl.url}/api/v1/agent/flows`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${credential}` },
      body: JSON.stringify({ seq: 1, records }),
    });
    if (!res.ok) throw new Error(`flows: ${res.status} ${await res.text()}`);
  }
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Waits until the browser has painted twice (the canvas and the table are on screen). */
const painted = (page: Page) =>
  page.evaluate("new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))");

async function main() {
  const missing = browserMissing();
  if (missing !== undefined) throw new Error(missing);
  const dir = await buildConsole();
  const ctl = await startConsoleController(dir);
  const browser = await launchBrowser();
  try {
    const seeded = await timed(() => seed(ctl));
    const total = (await ctl.call<{ total: number }>("GET", "/api/v1/workloads?limit=1")).total;
    const grouped = await ctl.call<{ nodes: unknown[]; edges: unknown[] }>(
      "GET",
      "/api/v1/map?groupBy=app",
    );
    const all = await ctl.call<{ nodes: unknown[]; edges: unknown[] }>("GET", "/api/v1/map");
    console.log(
      `estate: ${total} workloads, seeded in ${(seeded / 1000).toFixed(1)} s; map grouped ${grouped.nodes.length} nodes / ${grouped.edges.length} edges, ungrouped ${all.nodes.length} nodes / ${all.edges.length} edges`,
    );
    const api: Record<string, number[]> = {
      "map?groupBy=app": [],
      map: [],
      "workloads?limit=50": [],
    };
    for (let r = 0; r < ROUNDS; r++) {
      for (const path of Object.keys(api)) {
        api[path]?.push(await timed(async () => void (await ctl.call("GET", `/api/v1/${path}`))));
      }
    }
    const steps: Record<string, number[]> = { baseline: [], grouped: [], expand: [], all: [] };
    for (let r = 0; r < ROUNDS; r++) {
      const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      page.setDefaultTimeout(60_000);
      await signIn(page, ctl.url, ctl.token);
      steps.baseline?.push(
        await timed(async () => {
          await openView(page, "Workloads");
          await page.locator("tbody tr[data-workload]").nth(49).waitFor();
          await painted(page);
        }),
      );
      const edgeRows = page.getByTestId("map-edges").locator("tbody tr");
      steps.grouped?.push(
        await timed(async () => {
          await openView(page, "Map");
          await edgeRows.first().waitFor({ state: "attached" });
          await page.locator(".map-canvas canvas").first().waitFor();
          await painted(page);
        }),
      );
      steps.expand?.push(
        await timed(async () => {
          await page.getByRole("button", { name: `app=${app(0)}`, exact: true }).click();
          await page
            .getByRole("button", { name: `Expand app=${app(0)} into its workloads` })
            .click();
          await page.getByRole("button", { name: `${app(0)}-web-${DBS}`, exact: true }).waitFor();
          await painted(page);
        }),
      );
      steps.all?.push(
        await timed(async () => {
          await page.getByLabel("Group by label").selectOption("");
          const last = `${app(APPS - 1)}-web-${PER_APP - 1}`;
          // A CSS query: a role query over ~20,000 elements costs seconds in the test driver.
          await page.locator(`button[data-node="${last}"]`).waitFor({ state: "attached" });
          await painted(page);
        }),
      );
      await page.close();
    }
    const base = median(steps.baseline ?? []);
    console.log("\n| step | median ms | vs baseline |\n|---|---|---|");
    for (const [name, xs] of Object.entries(steps)) {
      console.log(`| ${name} | ${median(xs).toFixed(0)} | ${(median(xs) / base).toFixed(2)}x |`);
    }
    console.log("\n| API call | median ms |\n|---|---|");
    for (const [name, xs] of Object.entries(api))
      console.log(`| GET /api/v1/${name} | ${median(xs).toFixed(1)} |`);
  } finally {
    await browser.close();
    await ctl.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
