// The native policy document, structurally (zod) with the hand-written checks plugged in at the
// leaves, so one parse reports every problem of a document at once.

import { z } from "zod";
import type { PortRange } from "../model.js";
import { checkAddress, checkCidr, isAddress } from "./addresses.js";
import type { Known } from "./known.js";
import { checkLabelKey, checkLabelValue, nonStringLabelValue } from "./labels.js";
import { checkName, checkPortName, checkServiceName, checkWorkloadName } from "./names.js";
import { peersSchema, refineExcepts } from "./peers.js";
import { checkPort, checkServiceRef, checkTestPort, parseNamedPortTarget } from "./ports.js";
import { problem } from "./problem.js";
import { EMPTY, selectorSchema } from "./selectors.js";
import { suggestion } from "./suggest.js";
import { checked, nonEmpty, oneOrMany, report, section, strict, userMap } from "./zod-kit.js";

export const API_VERSION = "microseg/v1";
const description = z.string().optional();
const name = (kind: string) => checked((text) => checkName(kind, text));

// Object.fromEntries defines each key as an own property (assignment would not, for __proto__).
const labelsSchema = userMap(z.unknown(), {
  entry: (key, value) =>
    checkLabelKey(key) ??
    (typeof value === "string" ? checkLabelValue(key, value) : nonStringLabelValue(key, value)),
}).transform((entries) => Object.fromEntries(entries) as Record<string, string>);

const namedPortsSchema = userMap(z.string(), { key: checkPortName }).transform(
  (entries, ctx): Record<string, PortRange> => {
    const ports: [string, PortRange][] = [];
    for (const [portName, target] of entries) {
      const parsed = parseNamedPortTarget(target);
      if ("code" in parsed) report(ctx, parsed, [portName]);
      else ports.push([portName, parsed]);
    }
    return Object.fromEntries(ports);
  },
);

const namespaceSchema = strict("namespace", {
  name: name("namespace"),
  description,
  labels: labelsSchema.optional(),
});

const workloadSchema = strict("workload", {
  name: checked(checkWorkloadName),
  description,
  labels: labelsSchema.optional(),
  addresses: z.array(checked(checkAddress)).optional(),
  mode: z.enum(["learn", "test", "enforce"]).optional(),
  managed: z.boolean().optional(),
  namespace: name("namespace").optional(),
  namedPorts: namedPortsSchema.optional(),
});

const cidrList = z.array(checked(checkCidr));
const ipListSchema = strict("IP list", {
  name: name("IP list"),
  description,
  cidrs: nonEmpty(cidrList, "cidrs", "list at least one CIDR, e.g. `[203.0.113.0/24]`"),
  except: cidrList.optional(),
}).superRefine(refineExcepts);

const serviceSchema = strict("service", {
  name: checked(checkServiceName),
  description,
  ports: nonEmpty(
    oneOrMany(checked(checkPort)),
    "ports",
    "list at least one port, e.g. `[tcp/443]`",
  ),
});

function ruleSchema(known: Known) {
  return strict("rule", {
    name: name("rule").optional(),
    description,
    action: z.enum(["override-deny", "allow", "deny"]).optional(),
    from: peersSchema("from", known),
    to: peersSchema("to", known),
    services: nonEmpty(
      oneOrMany(checked((text) => checkServiceRef(text, known))),
      "services",
      "leave `services` out to mean every port, or list at least one, e.g. `[tcp/443]`",
    ).optional(),
  });
}

function scopeSchema(known: Known) {
  return strict("scope", {
    name: name("scope"),
    description,
    match: selectorSchema(EMPTY.match),
    rules: section(ruleSchema(known)),
  });
}

const isolationSchema = strict("isolation", {
  name: name("isolation").optional(),
  description,
  select: selectorSchema(EMPTY.select).optional(),
  namespace: selectorSchema(EMPTY.namespace).optional(),
  directions: nonEmpty(
    oneOrMany(z.enum(["inbound", "outbound"])),
    "directions",
    "write `[inbound]`, `[outbound]` or `[inbound, outbound]`",
  ),
});

function testSchema(known: Known) {
  const endpoint = checked((text) =>
    isAddress(text) || known.workloads.has(text)
      ? undefined
      : problem(
          "MSEG_POLICY_UNDEFINED_REFERENCE",
          `no workload is named \`${text}\`${suggestion(text, known.workloads)}; declare it under ` +
            "`workloads:`, check the lab scenario that defines the host instead, or give an IP address",
        ),
  );
  return strict("test", {
    description,
    from: endpoint,
    to: endpoint,
    port: checked(checkTestPort),
    expect: z.enum(["allow", "deny"]),
  });
}

export function documentSchema(known: Known) {
  return strict("policy file", {
    apiVersion: z.literal(API_VERSION).optional(),
    namespaces: section(namespaceSchema),
    workloads: section(workloadSchema),
    ipLists: section(ipListSchema),
    services: section(serviceSchema),
    rules: section(ruleSchema(known)),
    scopes: section(scopeSchema(known)),
    isolation: section(isolationSchema),
    tests: section(testSchema(known)),
  });
}

export type PolicyDocument = z.output<ReturnType<typeof documentSchema>>;
export type RuleDocument = PolicyDocument["rules"][number];
