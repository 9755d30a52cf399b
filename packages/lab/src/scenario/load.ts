// Reads and validates a scenario file. Either every problem is reported at once (as a
// ScenarioInvalidError carrying Diagnostics) or a complete, normalized Scenario comes back.
import { accessSync, constants, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { type Diagnostic, formatDiagnostic, MicrosegError, parseYamlFile } from "@microseg/core";
import { planTraffic, type TrafficFlow } from "../traffic/plan.js";
import { assignAddresses, v6For } from "./addresses.js";
import { checkScenario, parseListen, parseNamedPorts, reporter } from "./check.js";
import { issuesToDiagnostics, type PathPart } from "./issues.js";
import { type RawScenario, scenarioSchema } from "./schema.js";
import type { Scenario } from "./types.js";

export class ScenarioInvalidError extends MicrosegError {
  readonly diagnostics: readonly Diagnostic[];
  constructor(file: string, diagnostics: readonly Diagnostic[]) {
    const lines = diagnostics.map((d) => `  ${formatDiagnostic(d)}`).join("\n");
    super("MSEG_SCENARIO_INVALID", `${file} is not a valid lab scenario:\n${lines}`);
    this.diagnostics = diagnostics;
  }
}

export function loadScenario(path: string): Scenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new MicrosegError(
      "MSEG_FILE_UNREADABLE",
      `cannot read scenario ${path}: ${(err as Error).message}; check the path`,
      { cause: err },
    );
  }
  return parseScenario(text, path);
}

/**
 * Validates scenario text; `file` names it in diagnostics and anchors relative policy paths. The
 * YAML is read as policy is (core's parseYamlFile), within the same limits on size, documents,
 * nesting and alias expansion.
 */
export function parseScenario(text: string, file: string): Scenario {
  const yaml = parseYamlFile(file, text);
  if (yaml.diagnostics.length > 0) throw new ScenarioInvalidError(file, yaml.diagnostics);
  const [doc, second] = yaml.documents;
  if (second !== undefined) {
    const message = "a scenario is one YAML document; remove the `---` lines, or split the file";
    const at = { code: "MSEG_SCENARIO_INVALID" as const, file, path: "", message };
    throw new ScenarioInvalidError(file, [at]);
  }
  const lineOf = (path: readonly PathPart[]): number | undefined => doc?.lineAt(path);
  const parsed = scenarioSchema.safeParse(doc?.value ?? {}, { reportInput: true });
  if (!parsed.success) {
    throw new ScenarioInvalidError(file, issuesToDiagnostics(file, parsed.error.issues, lineOf));
  }
  const diagnostics: Diagnostic[] = [];
  const report = reporter(file, diagnostics, lineOf);
  checkScenario(parsed.data, report);
  const traffic = planTraffic(
    parsed.data.traffic,
    parsed.data.hosts.map((h) => ({ name: h.name, listen: parseListen(h) })),
    (path, message) => report(["traffic", ...path], message),
  );
  const policy = parsed.data.policy.map((p) => resolve(dirname(resolve(file)), p));
  policy.forEach((abs, i) => {
    try {
      accessSync(abs, constants.R_OK);
    } catch {
      report(
        ["policy", i],
        `policy file ${abs} cannot be read; paths are relative to the scenario file`,
      );
    }
  });
  if (diagnostics.length > 0) throw new ScenarioInvalidError(file, diagnostics);
  return normalize(parsed.data, resolve(file), policy, traffic);
}

function normalize(
  raw: RawScenario,
  file: string,
  policy: string[],
  traffic: TrafficFlow[],
): Scenario {
  const addresses = assignAddresses(raw.hosts.map((h) => h.address));
  const namespaces = Object.fromEntries(
    Object.entries(raw.namespaces).map(([n, ns]) => [n, { labels: ns.labels }]),
  );
  const hosts = raw.hosts.map((h, i) => {
    const address = addresses[i] as string;
    return {
      name: h.name,
      ...(h.namespace === undefined ? {} : { namespace: h.namespace }),
      labels: h.labels,
      address,
      address6: v6For(address),
      listen: parseListen(h),
      namedPorts: parseNamedPorts(h),
      managed: h.managed,
      mode: h.mode,
    };
  });
  const managementServices = raw.management.services;
  return { file, name: raw.name, namespaces, hosts, policy, traffic, managementServices };
}
