// `proto/port` strings in services, rules, named ports and tests, checked with parseServicePort.

import type { ErrorCode } from "../errors.js";
import type { PortRange } from "../model.js";
import { parseServicePort } from "../ports.js";
import type { Known } from "./known.js";
import { RESERVED_SERVICE_NAMES } from "./names.js";
import { type Problem, problem } from "./problem.js";
import { suggestion } from "./suggest.js";

const REASON_CODES: Record<"syntax" | "range" | "reversed", ErrorCode> = {
  syntax: "MSEG_POLICY_INVALID_PORT",
  range: "MSEG_POLICY_INVALID_PORT",
  reversed: "MSEG_POLICY_REVERSED_RANGE",
};

export function checkPort(text: string): Problem | undefined {
  const parsed = parseServicePort(text);
  return parsed.ok ? undefined : problem(REASON_CODES[parsed.reason], parsed.message);
}

/** Whether a rule's `services:` entry is written as a port rather than a service name. */
export function looksLikePort(text: string): boolean {
  return text.includes("/") || RESERVED_SERVICE_NAMES.has(text.trim().toLowerCase());
}

/** A rule's `services:` entry: a defined service's name, or an inline port. */
export function checkServiceRef(text: string, known: Known): Problem | undefined {
  if (looksLikePort(text)) return checkPort(text);
  if (known.services.has(text)) return undefined;
  return problem(
    "MSEG_POLICY_UNDEFINED_REFERENCE",
    `no service is named \`${text}\`${suggestion(text, known.services)}; define it under \`services:\`, ` +
      "or write the port inline, e.g. `tcp/5432`",
  );
}

/** A named port's target: one protocol with a number or range (`tcp/8080`). */
export function parseNamedPortTarget(text: string): PortRange | Problem {
  const parsed = parseServicePort(text);
  if (!parsed.ok) return problem(REASON_CODES[parsed.reason], parsed.message);
  const port = parsed.port;
  if ("from" in port) return port;
  return problem(
    "MSEG_POLICY_INVALID_PORT",
    `a named port stands for a numbered port; write e.g. \`tcp/8080\` instead of \`${text}\``,
  );
}

/**
 * A test's port: one flow, so one protocol and one port (or an ICMP type). A named port
 * (`tcp/http`) is resolved at the destination when the test runs.
 */
export function checkTestPort(text: string): Problem | undefined {
  const parsed = parseServicePort(text);
  if (!parsed.ok) return problem(REASON_CODES[parsed.reason], parsed.message);
  const port = parsed.port;
  if (port.proto === "any" || ("from" in port && port.from !== port.to)) {
    return problem(
      "MSEG_POLICY_INVALID_PORT",
      `a test checks one flow, so \`port\` is one port; write e.g. \`tcp/5432\`, \`udp/53\` or \`icmp\`, not \`${text}\``,
    );
  }
  return undefined;
}
