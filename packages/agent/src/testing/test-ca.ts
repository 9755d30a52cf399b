// A throwaway CA and server certificate made with openssl, for TLS pinning tests.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestCa {
  readonly ca: string;
  readonly key: string;
  readonly cert: string;
}

export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), "mseg-ca-"));
  const p = (f: string) => join(dir, f);
  const ssl = (...args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  try {
    ssl(
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      p("ca.key"),
      "-out",
      p("ca.pem"),
      "-days",
      "2",
      "-subj",
      "/CN=test ca",
    );
    ssl(
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      "-keyout",
      p("srv.key"),
      "-out",
      p("srv.csr"),
      "-subj",
      "/CN=controller",
    );
    ssl(
      "x509",
      "-req",
      "-in",
      p("srv.csr"),
      "-CA",
      p("ca.pem"),
      "-CAkey",
      p("ca.key"),
      "-CAcreateserial",
      "-out",
      p("srv.pem"),
      "-days",
      "2",
    );
    const read = (f: string) => readFileSync(p(f), "utf8");
    return { ca: read("ca.pem"), key: read("srv.key"), cert: read("srv.pem") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
