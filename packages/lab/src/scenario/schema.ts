// The scenario file's surface syntax (see CONTRACT.md, "Lab scenario"). Unknown fields are
// errors: a typo must not silently change what the lab builds.
import { checkLabelKey, checkLabelValue, userMap } from "@microseg/core";
import { z } from "zod";

export const NAME_RE = /^[a-z0-9-]{1,20}$/;

const name = (what: string) =>
  z.string().regex(NAME_RE, {
    message: `${what} must be 1-20 characters of a-z, 0-9 and "-", e.g. web-1`,
  });

// User-keyed maps go through core's userMap (own keys, each checked; z.record would drop a
// `__proto__` key) and come out with Object.fromEntries, which keeps every key an own property.
const labels = userMap(z.string(), {
  entry: (key, value) => checkLabelKey(key) ?? checkLabelValue(key, value),
}).transform(Object.fromEntries<string>);

/** Named-port keys are checked with their targets (check.ts), where the message can name both. */
const namedPorts = userMap(z.string()).transform(Object.fromEntries<string>);

const namespaceName = (key: string) =>
  NAME_RE.test(key)
    ? undefined
    : {
        code: "MSEG_SCENARIO_INVALID" as const,
        message: `a namespace name must be 1-20 characters of a-z, 0-9 and "-", e.g. shop; got "${key}"`,
      };

const hostSchema = z
  .object({
    name: name("a host name"),
    namespace: name("a namespace name").optional(),
    labels: labels.default({}),
    address: z.string().optional(),
    listen: z.array(z.string()).default([]),
    namedPorts: namedPorts.default({}),
    managed: z.boolean().default(true),
    mode: z
      .enum(["learn", "test", "enforce"], { message: "mode must be learn, test or enforce" })
      .default("enforce"),
  })
  .strict();

/** A host name, or a list of them (the flow runs from/to each). */
const hostNames = z.union([z.string(), z.array(z.string()).min(1)], {
  message: "is required: name a host (e.g. web-1) or a list of hosts (e.g. [web-1, web-2])",
});

/** Background traffic (see traffic/plan.ts): from each `from` host to each `to` host. */
const trafficSchema = z
  .object({
    from: hostNames,
    to: hostNames,
    port: z.string(),
    every: z.string().optional(),
  })
  .strict();

export const scenarioSchema = z
  .object({
    name: name("the lab name").default("lab"),
    namespaces: userMap(z.object({ labels: labels.default({}) }).strict(), { key: namespaceName })
      .transform(Object.fromEntries<{ labels: Record<string, string> }>)
      .default({}),
    hosts: z.array(hostSchema).min(1, { message: "a lab needs at least one host" }),
    policy: z.array(z.string()).default([]),
    traffic: z.array(trafficSchema).default([]),
    /** What the controller's address may reach on every host (its --management-service). */
    management: z
      .object({
        services: z
          .array(
            z.string().regex(/^((tcp|udp|sctp)\/\d{1,5}(-\d{1,5})?|icmp(v6)?(\/\d{1,3})?)$/, {
              message: "is not a service: write tcp/22, udp/161, tcp/9100-9101 or icmp",
            }),
          )
          .default([]),
      })
      .strict()
      .default({ services: [] }),
  })
  .strict();

export type RawScenario = z.infer<typeof scenarioSchema>;
export type RawHost = z.infer<typeof hostSchema>;
export type RawTraffic = z.infer<typeof trafficSchema>;
