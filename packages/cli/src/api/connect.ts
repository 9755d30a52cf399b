// A ControllerClient for the resolved target, with the TLS trust the user asked for:
//   http://                  no TLS
//   --ca FILE                trust that PEM (with the usual host-name check)
//   --ca-fingerprint FP      fetch /api/ca.pem, accept it only with that SHA-256, trust it alone
//   (neither)                trust on first use: remember the fingerprint per URL in
//                            known-controllers.json, warn the first time, refuse if it changes
import { readFileSync } from "node:fs";
import { ControllerClient, fetchCa, pinnedCa, untrusted } from "@microseg/client";
import { MicrosegError } from "@microseg/core";
import { colonFingerprint } from "@microseg/protocol";
import {
  knownControllersPath,
  knownFingerprint,
  rememberFingerprint,
} from "./known-controllers.js";
import { writeErr } from "./output.js";
import { type ConnectionFlags, resolveTarget, type Target } from "./target.js";

export async function connect(flags: ConnectionFlags): Promise<ControllerClient> {
  return (await connectTarget(flags)).client;
}

export async function connectTarget(
  flags: ConnectionFlags,
): Promise<{ client: ControllerClient; target: Target }> {
  const target = resolveTarget(flags);
  return { client: await clientFor(target), target };
}

async function clientFor(target: Target): Promise<ControllerClient> {
  const base = { url: target.url, token: target.token };
  if (new URL(target.url).protocol === "http:") return new ControllerClient(base);
  if (target.caFile !== undefined) return new ControllerClient({ ...base, ca: readCa(target) });
  if (target.caFingerprint !== undefined) {
    const ca = await pinnedCa(target.url, target.caFingerprint);
    return new ControllerClient({ ...base, ca: ca.pem, pinned: true });
  }
  return new ControllerClient({ ...base, ca: await trustOnFirstUse(target.url), pinned: true });
}

async function trustOnFirstUse(url: string): Promise<string> {
  const ca = await fetchCa(url);
  const known = knownFingerprint(url);
  const file = knownControllersPath();
  if (known === undefined) {
    rememberFingerprint(url, ca.fingerprint);
    writeErr(
      `warning: first connection to ${url}; trusting its CA ${colonFingerprint(ca.fingerprint)}\n` +
        `  (remembered in ${file}; compare it with the fingerprint the controller printed,\n` +
        "  or pass --ca-fingerprint to pin it)\n",
    );
  } else if (known !== ca.fingerprint) {
    throw untrusted(
      `the controller at ${url} now presents CA ${ca.fingerprint}, but ${known} was remembered ` +
        `in ${file}. Someone may be intercepting the connection; if the controller's CA was ` +
        "really replaced, remove its entry from that file and connect again",
    );
  }
  return ca.pem;
}

function readCa(target: Target): string {
  try {
    return readFileSync(target.caFile ?? "", "utf8");
  } catch (e) {
    throw new MicrosegError(
      "MSEG_FILE_UNREADABLE",
      `--ca ${target.caFile}: ${(e as Error).message}`,
    );
  }
}
