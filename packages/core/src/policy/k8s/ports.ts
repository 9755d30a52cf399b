// NetworkPolicyPort -> model ServicePort. Protocol defaults to TCP; a missing port means every
// port of the protocol; a string port is a named port (a container port name, resolved at the
// destination pod, i.e. a lab host's `namedPorts`); endPort makes a range and needs a numbered port.

import type { PortProtocol, ServicePort } from "../../model.js";
import { suggestion } from "../suggest.js";
import type { Path, Reporter } from "./reporter.js";

const PROTOCOLS: Record<string, PortProtocol> = { TCP: "tcp", UDP: "udp", SCTP: "sctp" };
/** IANA_SVC_NAME, as Kubernetes checks container port names. */
const PORT_NAME = /^(?=.*[a-z])[a-z0-9]([a-z0-9]|-(?!-))*$/;

export function networkPolicyPort(
  r: Reporter,
  value: unknown,
  path: Path,
): ServicePort | undefined {
  const obj = r.map(value, path, "`{ protocol: TCP, port: 80 }`");
  if (obj === undefined) return undefined;
  r.fields(obj, path, "a port", ["protocol", "port", "endPort"]);
  const proto = protocol(r, obj.protocol, [...path, "protocol"]);
  const port = portValue(r, obj.port, [...path, "port"]);
  const end = endPort(r, obj.endPort, port, [...path, "endPort"]);
  if (proto === undefined || port === "bad" || end === "bad") return undefined;
  if (port === undefined) return { proto, from: 1, to: 65535 };
  if (typeof port === "string") return { proto, named: port };
  return { proto, from: port, to: end ?? port };
}

function protocol(r: Reporter, value: unknown, path: Path): PortProtocol | undefined {
  if (value === undefined || value === null) return "tcp";
  const text = r.string(value, path, "`TCP`");
  if (text === undefined) return undefined;
  // Own keys only: `constructor` must not find Object.prototype's.
  if (Object.hasOwn(PROTOCOLS, text)) return PROTOCOLS[text];
  const upper = text.toUpperCase();
  const hint = Object.hasOwn(PROTOCOLS, upper)
    ? ` (Kubernetes spells it \`${upper}\`)`
    : suggestion(text, Object.keys(PROTOCOLS));
  r.report(
    path,
    "MSEG_POLICY_INVALID_VALUE",
    `protocol \`${text}\` is not one NetworkPolicy knows${hint}; write \`TCP\`, \`UDP\` or \`SCTP\` (or leave it out for TCP)`,
  );
  return undefined;
}

/** A number 1-65535, a port name, undefined when absent, or "bad" after reporting. */
function portValue(r: Reporter, value: unknown, path: Path): number | string | undefined | "bad" {
  if (value === undefined || value === null) return undefined;
  if (typeof value === "number") {
    if (Number.isInteger(value) && value >= 1 && value <= 65535) return value;
    r.report(path, "MSEG_POLICY_INVALID_PORT", `port must be 1-65535, got ${value}`);
    return "bad";
  }
  if (typeof value !== "string") {
    r.wrongType(value, path, "a port number such as `80` or a port name such as `http`");
    return "bad";
  }
  if (/^\d+$/.test(value)) {
    r.report(
      path,
      "MSEG_POLICY_INVALID_PORT",
      `port "${value}" is quoted, so Kubernetes reads it as a port name, and names need a letter; write ${value} without quotes`,
    );
    return "bad";
  }
  if (value.length <= 15 && PORT_NAME.test(value)) return value;
  r.report(
    path,
    "MSEG_POLICY_INVALID_PORT",
    `port name \`${value}\` is not valid: up to 15 lowercase letters, digits and single \`-\`, with at least one letter, not starting or ending with \`-\` (e.g. \`http\`)`,
  );
  return "bad";
}

function endPort(
  r: Reporter,
  value: unknown,
  port: number | string | undefined | "bad",
  path: Path,
): number | undefined | "bad" {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 1 || value > 65535) {
    r.report(
      path,
      "MSEG_POLICY_INVALID_PORT",
      `endPort must be a port number 1-65535, got ${JSON.stringify(value)}`,
    );
    return "bad";
  }
  if (port === undefined || typeof port === "string") {
    const why = port === undefined ? "there is no `port`" : `\`port\` is the name \`${port}\``;
    r.report(
      path,
      "MSEG_POLICY_INVALID_PORT",
      `endPort needs a numbered \`port\` to start the range, but ${why}; set \`port\` to the first number of the range, or remove endPort`,
    );
    return "bad";
  }
  if (typeof port === "number" && value < port) {
    r.report(
      path,
      "MSEG_POLICY_REVERSED_RANGE",
      `endPort ${value} is below port ${port}; endPort must be at least port (write endPort: ${port} or more)`,
    );
    return "bad";
  }
  return value;
}
