// Turns zod issues into Diagnostics whose sentences say what to write instead.
import type { Diagnostic } from "@microseg/core";
import type { z } from "zod";

const FIELDS: Record<string, string> = {
  "": "name, namespaces, hosts, policy, traffic",
  host: "name, namespace, labels, address, listen, namedPorts, managed, mode",
  namespace: "labels",
  traffic: "from, to, port, every",
};

export type PathPart = string | number;

/** `hosts[2].listen[0]` from ["hosts", 2, "listen", 0]; `labels["x y"]` for keys that need quotes. */
export function formatPath(path: readonly PathPart[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (!/^[A-Za-z_][A-Za-z0-9_-]*$/.test(part)) out += `[${JSON.stringify(part)}]`;
    else out += out === "" ? part : `.${part}`;
  }
  return out;
}

function kindOf(path: readonly PathPart[]): string {
  if (path.length === 0) return "";
  if (path[0] === "hosts" && path.length === 2) return "host";
  if (path[0] === "namespaces" && path.length === 2) return "namespace";
  if (path[0] === "traffic" && path.length === 2) return "traffic";
  return "other";
}

function messageOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "unrecognized_keys": {
      const known = FIELDS[kindOf(issue.path as PathPart[])];
      const keys = issue.keys.map((k) => `"${k}"`).join(", ");
      return known === undefined
        ? `unknown field ${keys}; remove it`
        : `unknown field ${keys}; the fields here are: ${known}`;
    }
    case "invalid_type":
      if (issue.input === undefined) return `is required; add it (a ${issue.expected})`;
      return `must be ${article(issue.expected)}, not ${describe(issue.input)}`;
    default:
      return issue.message;
  }
}

function article(expected: string): string {
  if (expected === "array") return "a list";
  if (expected === "record" || expected === "object") return "a mapping (key: value)";
  return `a ${expected}`;
}

function describe(input: unknown): string {
  if (input === null) return "empty (null)";
  if (Array.isArray(input)) return "a list";
  return typeof input === "object" ? "a mapping" : `${typeof input} ${JSON.stringify(input)}`;
}

export function issuesToDiagnostics(
  file: string,
  issues: readonly z.core.$ZodIssue[],
  lineOf: (path: readonly PathPart[]) => number | undefined,
): Diagnostic[] {
  return issues.map((issue) => {
    const path = issue.path.filter((p): p is PathPart => typeof p !== "symbol");
    const line = lineOf(path);
    return {
      code: "MSEG_SCENARIO_INVALID",
      file,
      path: formatPath(path),
      message: messageOf(issue),
      ...(line === undefined ? {} : { line }),
    };
  });
}
