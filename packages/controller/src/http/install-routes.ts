// What a new host fetches to install its agent, without a token (nothing here is secret; the
// one-liner and the script pin the CA before they trust any of it):
//   GET /install.sh          the installer of this controller's release (install/script.ts)
//   GET /packages/NAME       the agent packages and SHA256SUMS from --packages (a package
//                            install: /usr/share/microseg/packages); 404 naming the flag without
import { createReadStream, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { VERSION } from "@microseg/core/version";
import { ApiError, INSTALL_SCRIPT_PATH } from "@microseg/protocol";
import { installScript } from "../install/script.js";
import type { ControllerApp } from "./env.js";

const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9._+~-]*$/;

export function installRoutes(app: ControllerApp, packagesDir: string | null): void {
  const script = installScript(VERSION);
  app.get(INSTALL_SCRIPT_PATH, (c) =>
    c.body(script, 200, { "content-type": "text/x-shellscript; charset=utf-8" }),
  );
  app.get("/packages/:name", (c) => {
    const name = c.req.param("name");
    const file = packagesDir !== null && PACKAGE_NAME.test(name) ? join(packagesDir, name) : null;
    const size = file === null ? undefined : fileSize(file);
    if (file === null || size === undefined) {
      throw new ApiError("MSEG_API_NOT_FOUND", notServed(name, packagesDir));
    }
    const body = Readable.toWeb(createReadStream(file)) as ReadableStream;
    return c.body(body, 200, {
      "content-type": name.endsWith(".deb")
        ? "application/vnd.debian.binary-package"
        : "application/octet-stream",
      "content-length": String(size),
    });
  });
}

/** The size of a regular file; undefined when there is none. */
function fileSize(file: string): number | undefined {
  const st = statSync(file, { throwIfNoEntry: false });
  return st?.isFile() ? st.size : undefined;
}

function notServed(name: string, dir: string | null): string {
  if (dir === null) {
    return "this controller serves no agent packages: start it with --packages DIR (npm run package writes dist/)";
  }
  const have = readdirSync(dir).filter((f) => PACKAGE_NAME.test(f));
  return `no package ${JSON.stringify(name)} here; there are: ${have.join(", ") || "none"}`;
}
