// Checks zod cannot express: uniqueness, addresses, ports, references between fields.
import { type Diagnostic, type PortRange, parseServicePort } from "@microseg/core";
import { checkLabAddress } from "./addresses.js";
import { formatPath, type PathPart } from "./issues.js";
import type { RawHost, RawScenario } from "./schema.js";
import type { ListenPort } from "./types.js";

/** At most this many ports per host: each one is a listening socket and a probe per peer. */
export const MAX_LISTEN_PER_HOST = 64;

export type Report = (path: readonly PathPart[], message: string) => void;

export function reporter(
  file: string,
  out: Diagnostic[],
  lineOf: (p: readonly PathPart[]) => number | undefined,
): Report {
  return (path, message) => {
    const line = lineOf(path);
    out.push({
      code: "MSEG_SCENARIO_INVALID",
      file,
      path: formatPath(path),
      message,
      ...(line === undefined ? {} : { line }),
    });
  };
}

export function checkScenario(raw: RawScenario, report: Report): void {
  const names = new Map<string, number>();
  const addresses = new Map<string, number>();
  raw.hosts.forEach((host, i) => {
    const first = names.get(host.name);
    if (first !== undefined) {
      report(
        ["hosts", i, "name"],
        `"${host.name}" is already the name of hosts[${first}]; host names must be unique`,
      );
    } else names.set(host.name, i);
    if (host.address !== undefined) {
      const why = checkLabAddress(host.address);
      const dup = addresses.get(host.address);
      if (why !== undefined) report(["hosts", i, "address"], why);
      else if (dup !== undefined) {
        report(
          ["hosts", i, "address"],
          `${host.address} is already the address of hosts[${dup}]; give each host its own address or leave it out`,
        );
      } else addresses.set(host.address, i);
    }
    if (host.namespace !== undefined && !Object.hasOwn(raw.namespaces, host.namespace)) {
      report(
        ["hosts", i, "namespace"],
        `namespace "${host.namespace}" is not declared; add it under namespaces: (e.g. namespaces: { ${host.namespace}: { labels: {} } })`,
      );
    }
    parseListen(host, (j, msg) => report(["hosts", i, "listen", j], msg));
    parseNamedPorts(host, (key, msg) => report(["hosts", i, "namedPorts", key], msg));
  });
}

/** The host's listen entries as single ports (ranges expanded), duplicates removed. */
export function parseListen(
  host: RawHost,
  report: (index: number, message: string) => void = () => {},
): ListenPort[] {
  const out = new Map<string, ListenPort>();
  for (const [j, text] of host.listen.entries()) {
    const parsed = parseServicePort(text);
    if (!parsed.ok) {
      report(j, parsed.message);
      continue;
    }
    const p = parsed.port;
    if ((p.proto !== "tcp" && p.proto !== "udp") || !("from" in p)) {
      report(
        j,
        `the lab serves only TCP and UDP ports; write e.g. tcp/80 or udp/53, not "${text}"`,
      );
      continue;
    }
    for (let port = p.from; port <= p.to && out.size <= MAX_LISTEN_PER_HOST; port++) {
      out.set(`${p.proto}/${port}`, { proto: p.proto, port });
    }
  }
  if (out.size > MAX_LISTEN_PER_HOST) {
    report(0, `a host listens on at most ${MAX_LISTEN_PER_HOST} ports; use a smaller range`);
  }
  return [...out.values()];
}

export function parseNamedPorts(
  host: RawHost,
  report: (key: string, message: string) => void = () => {},
): Record<string, PortRange> {
  const out: Record<string, PortRange> = {};
  for (const [key, text] of Object.entries(host.namedPorts)) {
    if (!/^[a-z][a-z0-9-]{0,14}$/.test(key)) {
      report(
        key,
        `"${key}" is not a port name; use 1-15 of a-z, 0-9, "-" starting with a letter, e.g. http`,
      );
      continue;
    }
    const parsed = parseServicePort(text);
    if (!parsed.ok) {
      report(key, parsed.message);
      continue;
    }
    const p = parsed.port;
    if (!("from" in p) || p.from !== p.to) {
      report(key, `a named port is one port, e.g. ${key}: tcp/8080, not "${text}"`);
      continue;
    }
    out[key] = p;
  }
  return out;
}
