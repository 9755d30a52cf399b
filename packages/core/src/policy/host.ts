// What an agent says about its host at enrolment: the hostname and its interfaces' names. Checked
// here once, for the API's schemas; both end up in tables and logs people read.

import { escapeControls } from "../text.js";
import { checkWorkloadName } from "./names.js";
import { type Problem, problem } from "./problem.js";

const HOST_LABEL = /^[A-Za-z0-9_]([A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?$/;
/** Printable ASCII but space, `/` and `:` (Linux refuses those three in interface names). */
const INTERFACE = /^[!-.0-9;-~]{1,15}$/;

/**
 * A host name as RFC 1123 has it (letters of either case, digits, `-`, parts joined by `.`, up to
 * 253 characters) and `_`, which real hosts carry; no space, no control character.
 */
export function checkHostname(name: string): Problem | undefined {
  if (name.length <= 253 && name.split(".").every((p) => HOST_LABEL.test(p))) return undefined;
  return problem(
    "MSEG_POLICY_INVALID_NAME",
    `hostname \`${escapeControls(name)}\` is not valid: use up to 253 characters, parts of 1-63 ` +
      "letters, digits, `-` or `_` joined by `.` (RFC 1123)",
  );
}

/** A network interface name as Linux allows it (`eth0`, `ens3`, `br-1a2b`, `eth0.100`). */
export function checkInterfaceName(name: string): Problem | undefined {
  if (INTERFACE.test(name) && name !== "." && name !== "..") return undefined;
  return problem(
    "MSEG_POLICY_INVALID_NAME",
    `interface name \`${escapeControls(name)}\` is not valid: use 1-15 printable characters ` +
      "without space, `/` or `:` (e.g. `eth0`)",
  );
}

/** The workload name a host gets by default: its hostname in lower case, when that is one. */
export function workloadNameOfHost(hostname: string): string | undefined {
  const name = hostname.toLowerCase();
  return checkWorkloadName(name) === undefined ? name : undefined;
}
