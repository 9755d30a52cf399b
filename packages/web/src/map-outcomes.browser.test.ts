// The map's failed contacts in a real browser (Debian's Chromium via playwright-core) against a
// real controller serving a fresh build of the console. The shop estate (seed-shop.ts), then
// agents report connections nothing answered: web-1 knocks on a closed port of db-1 (refused)
// and tries two outside hosts (one refuses, one never answers), and one of its database
// connections is refused among the established ones. The map hides the failed contacts until
// asked, then draws them apart; an edge's panel counts its connections per outcome.
import { rmSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  browserMissing,
  buildConsole,
  type ConsoleController,
  launchBrowser,
  openView,
  screenshot,
  signIn,
  startConsoleController,
} from "./testing/console-harness.js";
import { seedShop } from "./testing/seed-shop.js";

const missing = browserMissing();
if (missing !== undefined && process.env.CI === "true") {
  throw new Error(`console browser tests cannot run: ${missing}`);
}

const WEB1 = "198.18.1.10";
const DB1 = "198.18.1.20";

async function report(ctl: ConsoleController, credential: string, seq: number, records: unknown[]) {
  const res = await fetch(`${ctl.url}/api/v1/agent/flows`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${credential}` },
    body: JSON.stringify({ seq, records }),
  });
  if (!res.ok) throw new Error(`flows: HTTP ${res.status} ${await res.text()}`);
}

async function seedFailedContacts(ctl: ConsoleController, credentials: Record<string, string>) {
  const now = Date.now();
  const rec = (side: string, local: string, remote: string, port: number, n: number, o: string) =>
    [side, "tcp", local, remote, port, "allowed", n, n, 0, now, now, o] as const;
  // db-1 reports what arrived: a refused redis port, one refused connection to postgres.
  await report(ctl, credentials["db-1"] ?? "", 2, [
    rec("in", DB1, WEB1, 6379, 4, "refused"),
    rec("in", DB1, WEB1, 5432, 1, "refused"),
  ]);
  // web-1 reports its own tries towards addresses no workload owns.
  await report(ctl, credentials["web-1"] ?? "", 1, [
    rec("out", WEB1, "203.0.113.77", 23, 2, "refused"),
    rec("out", WEB1, "203.0.113.78", 25, 3, "unanswered"),
  ]);
}

const edgeRows = (page: Page) =>
  page
    .getByTestId("map-edges")
    .locator("tbody tr")
    .evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll("td")].slice(0, 5).map((td) => td.textContent)),
    );

describe.skipIf(missing !== undefined)("console map: failed contacts", { timeout: 60_000 }, () => {
  let ctl: ConsoleController;
  let browser: Browser;
  let page: Page;
  let dist = "";

  beforeAll(async () => {
    dist = await buildConsole();
    ctl = await startConsoleController(dist);
    await seedFailedContacts(ctl, await seedShop(ctl));
    browser = await launchBrowser();
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.setDefaultTimeout(20_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await ctl?.close();
    if (dist !== "") rmSync(dist, { recursive: true, force: true });
  });

  it("hides failed contacts by default and shows them, apart, with one click", async () => {
    await signIn(page, ctl.url, ctl.token);
    await openView(page, "Map");
    const toggle = page.getByLabel("Show failed contacts (3)");
    await toggle.waitFor();
    expect(await toggle.isChecked()).toBe(false);
    await page.getByTestId("map-edges").locator("tbody tr").first().waitFor();
    expect((await edgeRows(page)).sort()).toEqual([
      ["203.0.113.5", "app=shop", "tcp/80", "not-covered", "established"],
      ["app=crm", "app=shop", "tcp/5432", "blocked", "unanswered"],
      ["app=shop", "app=shop", "tcp/5432", "allowed", "established"],
    ]);
    // The outside hosts only failed contacts reached are not on the map either.
    expect(await page.getByRole("button", { name: "203.0.113.77", exact: true }).count()).toBe(0);
    await screenshot(page, "map-failed-hidden");

    await toggle.check();
    await page
      .getByTestId("map-edges")
      .getByRole("cell", { name: "203.0.113.77", exact: true })
      .waitFor();
    expect((await edgeRows(page)).sort()).toEqual([
      ["203.0.113.5", "app=shop", "tcp/80", "not-covered", "established"],
      ["app=crm", "app=shop", "tcp/5432", "blocked", "unanswered"],
      ["app=shop", "203.0.113.77", "tcp/23", "not-covered", "refused"],
      ["app=shop", "203.0.113.78", "tcp/25", "not-covered", "unanswered"],
      ["app=shop", "app=shop", "tcp/5432", "allowed", "established"],
      ["app=shop", "app=shop", "tcp/6379", "not-covered", "refused"],
    ]);
    // Drawn apart: the failed contacts' cells and legend in their own colour.
    const failedCell = page.getByTestId("map-edges").locator("td.outcome-failed");
    expect(await failedCell.count()).toBe(3);
    const colour = (sel: string) =>
      page
        .locator(sel)
        .first()
        .evaluate((el) => el.ownerDocument.defaultView?.getComputedStyle(el).color ?? "");
    expect(await colour("td.outcome-failed")).toBe("rgb(123, 63, 160)");
    expect(await colour("td.verdict-allowed")).not.toBe("rgb(123, 63, 160)");
    await page.getByRole("list", { name: "Edge colours" }).getByText("failed contact").waitFor();
    await page.waitForTimeout(300);
    await screenshot(page, "map-failed-shown");

    await toggle.uncheck();
    await page
      .getByTestId("map-edges")
      .getByRole("cell", { name: "203.0.113.77", exact: true })
      .waitFor({ state: "detached" });
    expect(await edgeRows(page)).toHaveLength(3);
  });

  it("counts an edge's connections per outcome in its panel", async () => {
    await page.getByRole("button", { name: "Flows of app=shop → app=shop tcp/5432" }).click();
    const panel = page.getByRole("complementary", { name: "Selected edge" });
    // web-1 and web-2: 5 established; one of web-1's refused.
    expect(await panel.getByTestId("edge-outcomes").textContent()).toBe(
      "established: 5 established, 1 refused, 0 unanswered",
    );
    await page.getByLabel(/Show failed contacts/).check();
    await page.getByRole("button", { name: "Flows of app=shop → app=shop tcp/6379" }).click();
    const failed = panel.getByTestId("edge-outcomes");
    expect(await failed.textContent()).toBe("refused: 0 established, 4 refused, 0 unanswered");
    expect(await failed.locator(".outcome-failed").count()).toBe(1);
    await screenshot(page, "map-failed-edge");
  });
});
