// Quarantine from the console, seen on the wire: a lab (network namespaces, a controller, an
// agent per host enforcing with nftables) serves the console; a person signs in, quarantines
// `web` in the workloads table, and a real probe shows web's connection to app blocked; Release
// brings it back.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { apiOf, labDown, labNamespaces, labProbe, labUp, readState } from "@microseg/lab";
import { describePrivileged } from "@microseg/nft/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  browserMissing,
  buildConsole,
  launchBrowser,
  openView,
  screenshot,
  signIn,
  WEB_DIST,
} from "./testing/console-harness.js";

const SCENARIO = join(
  import.meta.dirname,
  "..",
  "..",
  "lab",
  "testdata",
  "scenarios",
  "control-plane.yaml",
);
const dir = mkdtempSync(join(tmpdir(), "mseg-lab-state-"));
const WEB_TO_APP = "web -> app tcp/8000";

const missing = browserMissing();
if (missing !== undefined && process.env.CI === "true") {
  throw new Error(`console browser tests cannot run: ${missing}`);
}

async function allowedPairs(): Promise<string[]> {
  const { results } = await labProbe({ dir });
  return results
    .filter((r) => r.verdict === "allowed")
    .map((r) => `${r.from} -> ${r.to} ${r.port}`);
}

/** Polls the probe until `want` holds for web -> app, at most 20 s (agents long-poll). */
async function probeUntil(want: boolean): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < 20_000) {
    if ((await allowedPairs()).includes(WEB_TO_APP) === want) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the probe never showed ${WEB_TO_APP} ${want ? "allowed" : "blocked"}`);
}

describePrivileged("console: quarantine from the UI, enforced in the kernel", () => {
  let browser: Browser | undefined;
  let page: Page;
  let url = "";
  let token = "";

  beforeAll(async () => {
    if (missing !== undefined) return;
    // The lab's controller serves the web package's build (its default console).
    await buildConsole(WEB_DIST);
    await labDown({ dir });
    await labUp(SCENARIO, { dir });
    const controller = readState(dir)?.controller;
    if (controller === undefined) throw new Error("lab up recorded no controller");
    ({ url, token } = apiOf(controller));
    browser = await launchBrowser();
    const context = await browser.newContext({
      viewport: { width: 1400, height: 900 },
      // The lab's controller has its own CA; the API calls of this test pin nothing either.
      ignoreHTTPSErrors: true,
    });
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await labDown({ dir });
    expect(await labNamespaces()).toEqual([]);
  });

  it.skipIf(missing !== undefined)(
    "blocks web's connections once it is quarantined in the console",
    async () => {
      expect(await allowedPairs()).toContain(WEB_TO_APP);
      await signIn(page, url, token);
      await openView(page, "Workloads");
      const row = page.locator('tr[data-workload="web"]');
      await row.getByRole("button", { name: "Quarantine" }).click();
      await page.getByText("web quarantined.").waitFor();
      await probeUntil(false);
      await screenshot(page, "quarantined");

      await row.getByRole("button", { name: "Release" }).click();
      await page.getByText("web released.").waitFor();
      await probeUntil(true);
    },
    90_000,
  );
});
