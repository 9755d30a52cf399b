// Serves the console (the web UI's built files: index.html and content-hashed assets/) at `/`,
// outside /api. The controller never imports the web code: it serves a directory, read once
// when the app is made — by default the dist/ of the @microseg/web package, or --console DIR.
//
//   /assets/<hashed>   the file, cached for a year (its name changes when its content does)
//   /<client route>    index.html, not cached (the app routes on the client: /workloads, /map…)
//   /api/...           never here: the API's own routes, or its JSON 404
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, extname, join, relative, sep } from "node:path";
import type { MiddlewareHandler } from "hono";
import type { ControllerApp, ControllerEnv } from "./env.js";

interface Asset {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly type: string;
}

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".map": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

const LONG_CACHE = "public, max-age=31536000, immutable";
/** Browsers that saw it come back over HTTPS only, for a year. */
export const HSTS = "max-age=31536000";
const SECURITY_HEADERS = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "content-security-policy":
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
};

export const NO_CONSOLE_MESSAGE = `microseg controller

The console is not built here. Build it with \`npm run build\` (it lands in packages/web/dist),
or start the controller with --console DIR pointing at a built console.
The API is under /api/v1 (needs a token); its OpenAPI document is at /api/openapi.json.
`;

/**
 * Strict-Transport-Security on every answer of an HTTPS controller (console, API, errors): a
 * browser that once reached the console over HTTPS never falls back to plain HTTP for it. Set
 * before the handler runs, so it rides on the answer's own headers (no extra copy per request).
 * API clients ignore it. A plain-HTTP controller (`--http`) sends none: browsers ignore it there.
 */
export function strictTransport(https: boolean): MiddlewareHandler<ControllerEnv> {
  return async (c, next) => {
    if (https) c.header("strict-transport-security", HSTS);
    await next();
  };
}

/** The built console of the @microseg/web package, if it is installed and built; else null. */
export function defaultConsoleDir(): string | null {
  try {
    const pkg = createRequire(import.meta.url).resolve("@microseg/web/package.json");
    const dir = join(dirname(pkg), "dist");
    return existsSync(join(dir, "index.html")) ? dir : null;
  } catch {
    return null;
  }
}

/** True when `dir` holds a built console (an index.html). */
export function isConsoleDir(dir: string): boolean {
  return existsSync(join(dir, "index.html"));
}

/** Registers the console after the API routes; `dir` null serves a plain message at `/`. */
export function consoleRoutes(app: ControllerApp, dir: string | null): void {
  const files = dir === null || !isConsoleDir(dir) ? null : readTree(dir);
  const index = files?.get("/index.html");
  app.get("*", async (c, next) => {
    const path = c.req.path;
    if (path === "/api" || path.startsWith("/api/")) return next();
    if (files === null || index === undefined) {
      if (path !== "/") return next();
      return c.text(NO_CONSOLE_MESSAGE, 200, { "cache-control": "no-cache" });
    }
    // A missing asset is a 404, never the app's HTML under a script's name.
    const clientRoute = !path.startsWith("/assets/") && extname(path) === "";
    const file = files.get(path) ?? (clientRoute ? index : undefined);
    if (file === undefined) return next();
    return c.body(file.body, 200, {
      "content-type": file.type,
      "cache-control": path.startsWith("/assets/") ? LONG_CACHE : "no-cache",
      ...(file === index && SECURITY_HEADERS),
    });
  });
}

/** Every file under `dir` by its URL path (`/assets/x.js`), read once. */
function readTree(dir: string): Map<string, Asset> {
  const out = new Map<string, Asset>();
  const walk = (at: string) => {
    for (const name of readdirSync(at)) {
      const path = join(at, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const url = `/${relative(dir, path).split(sep).join("/")}`;
        const type = TYPES[extname(name)] ?? "application/octet-stream";
        out.set(url, { body: new Uint8Array(readFileSync(path)), type });
      }
    }
  };
  walk(dir);
  return out;
}
