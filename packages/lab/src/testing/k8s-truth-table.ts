// The conformance suite's truth tables (testdata/k8s/cases.yaml): each case's expected verdict
// for every (from, to, port) cell, and a readable diff against what was observed. Expectations
// come from the table alone; nothing here asks the compiler.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import type { ProbeResult, Verdict } from "../probe-plan.js";

export const K8S_DIR = join(import.meta.dirname, "../../testdata/k8s");
export const K8S_SCENARIO = join(K8S_DIR, "scenario.yaml");

type Pattern = string | string[];
interface Line {
  readonly from?: Pattern;
  readonly to?: Pattern;
  readonly port?: Pattern;
  readonly verdict: Verdict;
}
export interface ConformanceCase {
  readonly name: string;
  /** Policy file names under testdata/k8s/policies, without `.yaml`. */
  readonly policy: readonly string[];
  readonly expect: readonly Line[];
}

export function loadCases(): ConformanceCase[] {
  const doc = parse(readFileSync(join(K8S_DIR, "cases.yaml"), "utf8")) as {
    cases: ConformanceCase[];
  };
  return doc.cases;
}

export function policyFiles(c: ConformanceCase): string[] {
  return c.policy.map((p) => join(K8S_DIR, "policies", `${p}.yaml`));
}

/** A host name as the table writes it: `x-a` -> `x/a`; `out` stays. */
export function tableName(host: string): string {
  return host.replace(/^([xyz])-/, "$1/");
}

function matches(pattern: Pattern | undefined, value: string): boolean {
  if (pattern === undefined) return true;
  const list = Array.isArray(pattern) ? pattern : [pattern];
  return list.some((p) => {
    if (p === "*") return true;
    if (p.endsWith("/*")) return value.startsWith(p.slice(0, -1));
    return p === value;
  });
}

/** The expected verdict of one cell: allowed, then every matching line in order. */
export function expectedVerdict(
  c: ConformanceCase,
  from: string,
  to: string,
  port: string,
): Verdict {
  let verdict: Verdict = "allowed";
  for (const line of c.expect) {
    if (
      matches(line.from, tableName(from)) &&
      matches(line.to, tableName(to)) &&
      matches(line.port, port)
    ) {
      verdict = line.verdict;
    }
  }
  return verdict;
}

export interface Mismatch {
  readonly cell: string;
  readonly expected: Verdict;
  readonly got: Verdict;
}

export function compareCells(c: ConformanceCase, results: readonly ProbeResult[]): Mismatch[] {
  return results
    .map((r) => ({ r, want: expectedVerdict(c, r.from, r.to, r.port) }))
    .filter(({ r, want }) => r.verdict !== want)
    .map(({ r, want }) => ({
      cell: `${r.from} -> ${r.to} ${r.port}`,
      expected: want,
      got: r.verdict,
    }));
}

/**
 * A matrix per (from row, to column): four characters per cell in port order (tcp/80 tcp/81
 * udp/80 udp/81), `+` allowed, `.` blocked, and `!`/`?` where the observation differs from the
 * table (`!`: allowed but expected blocked; `?`: blocked but expected allowed).
 */
export function formatMatrix(c: ConformanceCase, results: readonly ProbeResult[]): string {
  const hosts = [...new Set(results.flatMap((r) => [r.from, r.to]))].sort();
  const ports = [...new Set(results.map((r) => r.port))].sort();
  const byCell = new Map(results.map((r) => [`${r.from}|${r.to}|${r.port}`, r.verdict]));
  const width = ports.length + 1;
  const header = `${"".padEnd(6)}${hosts.map((h) => h.padEnd(width)).join("")}   (ports: ${ports.join(" ")})`;
  const rows = hosts.map((from) => {
    const cells = hosts.map((to) => {
      if (from === to) return "-".repeat(ports.length).padEnd(width);
      const chars = ports.map((p) => {
        const got = byCell.get(`${from}|${to}|${p}`);
        const want = expectedVerdict(c, from, to, p);
        if (got === undefined) return " ";
        if (got === want) return got === "allowed" ? "+" : ".";
        return got === "allowed" ? "!" : "?";
      });
      return chars.join("").padEnd(width);
    });
    return `${from.padEnd(6)}${cells.join("")}`;
  });
  return [header, ...rows].join("\n");
}
