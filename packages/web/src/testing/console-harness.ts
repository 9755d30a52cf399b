// What the console's browser tests share: a fresh build of the console, Debian's Chromium driven
// by playwright-core, a real controller (SQLite in a temp dir, 127.0.0.1:0) serving that build,
// an admin API caller, and screenshots under test-output/console/.
//
// Node-side test code: it may import the controller (the console's own code, src/app, may not).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type RunningController, startController } from "@microseg/controller";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium; MICROSEG_CHROMIUM points elsewhere (another distribution's path). */
export const CHROMIUM = process.env.MICROSEG_CHROMIUM ?? "/usr/bin/chromium";
const WEB_DIR = join(import.meta.dirname, "..", "..");
/** Where a controller looks for the console by default (@microseg/web's dist). */
export const WEB_DIST = join(WEB_DIR, "dist");
export const SCREENSHOTS = join(WEB_DIR, "..", "..", "test-output", "console");

/** Why the browser tests cannot run here, or undefined when they can. */
export function browserMissing(): string | undefined {
  if (existsSync(CHROMIUM)) return undefined;
  return `${CHROMIUM} is missing: install Debian's Chromium (apt-get install -y chromium); .ci/run installs it`;
}

/** Builds the console from its sources (about a second), by default into a temp directory. */
export async function buildConsole(
  outDir = mkdtempSync(join(tmpdir(), "mseg-console-dist-")),
): Promise<string> {
  const { build } = await import("vite");
  await build({
    configFile: join(WEB_DIR, "vite.config.ts"),
    logLevel: "error",
    build: { outDir, emptyOutDir: true },
  });
  return outDir;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
}

export interface ConsoleController {
  readonly ctl: RunningController;
  readonly url: string;
  readonly token: string;
  /** Admin API call; a string body is sent as YAML. Throws on a status other than `expect`. */
  call<T = unknown>(method: string, path: string, body?: unknown, expect?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startConsoleController(consoleDir: string): Promise<ConsoleController> {
  const dataDir = mkdtempSync(join(tmpdir(), "mseg-console-data-"));
  const ctl = await startController({
    dataDir,
    listen: "127.0.0.1:0",
    http: true,
    log: "silent",
    consoleDir,
    heartbeatSeconds: 1,
  });
  const token = ctl.adminToken ?? "";
  async function call<T>(method: string, path: string, body?: unknown, expect?: number) {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    let payload: string | undefined;
    if (typeof body === "string") {
      headers["content-type"] = "application/yaml";
      payload = body;
    } else if (body !== undefined) {
      headers["content-type"] = "application/json";
      payload = JSON.stringify(body);
    }
    const res = await fetch(`${ctl.url}${path}`, { method, headers, body: payload ?? null });
    const text = await res.text();
    if (expect !== undefined ? res.status !== expect : !res.ok) {
      throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    }
    return (text === "" ? undefined : JSON.parse(text)) as T;
  }
  return {
    ctl,
    url: ctl.url,
    token,
    call,
    close: async () => {
      await ctl.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through the form and waits for the dashboard. */
export async function signIn(page: Page, url: string, token: string): Promise<void> {
  await page.goto(`${url}/`);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("heading", { name: "Dashboard", level: 1 }).waitFor();
}

/** Opens a view through the main navigation. */
export async function openView(page: Page, name: string): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name }).click();
}

export async function screenshot(page: Page, name: string): Promise<string> {
  const path = join(SCREENSHOTS, `console-${name}.png`);
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path, fullPage: true });
  return path;
}
