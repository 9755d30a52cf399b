// fast-check arbitraries of valid policy, in the model's normalized form, for property tests of
// the policy parser (render -> parse is the identity) and as seeds for hostile mutations. Only
// test files import this module, so fast-check stays a development dependency.
//
// What is drawn stays inside the language on purpose: label keys include ones that collide with
// peer forms (`namespace`, `ipList`, `iplist`) or Object.prototype (`constructor`, `toString`),
// values YAML would retype (`"1"`, `"yes"`, `"null"`), and every selector operator.

import fc from "fast-check";
import type {
  Direction,
  IpList,
  Isolation,
  LabelMatch,
  Peer,
  PolicyTest,
  PortRange,
  Rule,
  Selector,
  ServicePort,
  Workload,
} from "../model.js";
import { NAMESPACE_NAME_LABEL } from "../policy/normalize.js";
import { formatServicePort } from "../ports.js";

export const HOSTILE_KEYS = ["__proto__", "constructor", "toString", "valueOf", "hasOwnProperty"];

const labelKey = fc.oneof(
  fc.constantFrom("app", "role", "env", "tier", "team", "example.com/team", "k8s.io/x_y"),
  fc.constantFrom("constructor", "toString", "hasOwnProperty", "valueOf", "then", "toJSON"),
  fc.constantFrom("namespace", "ipList", "labels", "pods", "cidrs", "except", "iplist", "cidr"),
  fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?$/),
);

const labelValue = fc.oneof(
  fc.constantFrom("web", "db", "prod", "1", "yes", "true", "null", "0x10", "1.10", "NaN", ""),
  fc.stringMatching(/^[A-Za-z0-9]([-A-Za-z0-9_.]{0,8}[A-Za-z0-9])?$/),
);

const values = fc.uniqueArray(labelValue, { minLength: 1, maxLength: 3 });

/** One key's requirements, in the order the operator form yields them: in, notin, exists. */
function requirements(key: string): fc.Arbitrary<LabelMatch[]> {
  return fc
    .record(
      {
        in: fc.option(values, { nil: undefined }),
        notIn: fc.option(values, { nil: undefined }),
        exists: fc.option(fc.boolean(), { nil: undefined }),
      },
      { requiredKeys: [] },
    )
    .map((r): LabelMatch[] => {
      const out: LabelMatch[] = [];
      if (r.in !== undefined) out.push({ key, op: "in", values: r.in });
      if (r.notIn !== undefined) out.push({ key, op: "notin", values: r.notIn });
      if (r.exists !== undefined) out.push({ key, op: r.exists ? "exists" : "notexists" });
      return out.length > 0 ? out : [{ key, op: "in", values: ["x"] }];
    });
}

/** A non-empty selector (native policy refuses an empty one). */
export const selector: fc.Arbitrary<Selector> = fc
  .uniqueArray(labelKey, { minLength: 1, maxLength: 3 })
  .chain((keys) => fc.tuple(...keys.map(requirements)))
  .map((groups) => ({ match: groups.flat() }));

const octet = fc.nat(255);
const hex = fc.integer({ min: 1, max: 0xffff }).map((n) => n.toString(16));

/** Canonical CIDRs with canonical exceptions inside them. */
const cidrs = fc
  .oneof(
    fc.tuple(octet, fc.uniqueArray(octet, { maxLength: 2 })).map(([a, bs]) => ({
      include: `10.${a}.0.0/16`,
      except: bs.map((b) => `10.${a}.${b}.0/24`),
    })),
    fc.tuple(hex, fc.uniqueArray(hex, { maxLength: 2 })).map(([a, bs]) => ({
      include: `2001:db8:${a}::/48`,
      except: bs.map((b) => `2001:db8:${a}:${b}::/64`),
    })),
  )
  .map(({ include, except }) => ({ include: [include], except }));

export const ipList = (name: string): fc.Arbitrary<IpList> => cidrs.map((c) => ({ name, ...c }));

function peer(ipLists: readonly string[]): fc.Arbitrary<Peer> {
  const forms: fc.Arbitrary<Peer>[] = [
    fc.constant<Peer>({ kind: "any" }),
    selector.map((s): Peer => ({ kind: "workloads", selector: s })),
    fc.tuple(fc.option(selector, { nil: undefined }), selector).map(
      ([pods, ns]): Peer => ({
        kind: "workloads",
        selector: pods ?? { match: [] },
        namespaceSelector: ns,
      }),
    ),
    cidrs.map((c): Peer => ({ kind: "cidrs", ...c })),
  ];
  if (ipLists.length > 0) {
    forms.push(fc.constantFrom(...ipLists).map((name): Peer => ({ kind: "ipList", name })));
  }
  return fc.oneof(...forms);
}

const l4 = fc.constantFrom("tcp", "udp", "sctp") as fc.Arbitrary<"tcp" | "udp" | "sctp">;
const portNumber = fc.integer({ min: 1, max: 65535 });
const portName = fc.constantFrom("http", "metrics", "grpc-web", "constructor");

export const servicePort: fc.Arbitrary<ServicePort> = fc.oneof(
  fc.tuple(l4, portNumber, fc.nat(100)).map(
    ([proto, from, span]): ServicePort => ({
      proto,
      from,
      to: Math.min(65535, from + span),
    }),
  ),
  fc.tuple(l4, portName).map(([proto, named]): ServicePort => ({ proto, named })),
  fc
    .constantFrom("icmp", "icmpv6")
    .chain((proto) =>
      fc
        .option(fc.nat(255), { nil: undefined })
        .map((type): ServicePort => (type === undefined ? { proto } : { proto, type })),
    ),
);

/** A rule's services: deduplicated, never `any` (normalization turns a list with it into []). */
export const services = fc
  .uniqueArray(servicePort, { maxLength: 4, selector: formatServicePort })
  .map((ports) => [...ports]);

function rule(ipLists: readonly string[]) {
  const peers = fc.array(peer(ipLists), { minLength: 1, maxLength: 3 });
  return fc.record({
    action: fc.constantFrom("allow", "deny", "override-deny") as fc.Arbitrary<Rule["action"]>,
    from: peers,
    to: peers,
    services,
  });
}

const namedPort: fc.Arbitrary<PortRange> = fc
  .tuple(l4, portNumber)
  .map(([proto, from]) => ({ proto, from, to: from }));

const NAMESPACES: Record<string, Record<string, string>> = {
  shop: { team: "shop" },
  constructor: { toString: "x" },
  ops: {},
};

const workload = (name: string, i: number): fc.Arbitrary<Workload> =>
  fc
    .record({
      labels: fc.dictionary(labelKey, labelValue, { maxKeys: 4, noNullPrototype: true }),
      mode: fc.constantFrom("learn", "test", "enforce") as fc.Arbitrary<Workload["mode"]>,
      managed: fc.boolean(),
      namespace: fc.option(fc.constantFrom(...Object.keys(NAMESPACES)), { nil: undefined }),
      namedPorts: fc.option(
        fc.dictionary(portName, namedPort, { minKeys: 1, maxKeys: 2, noNullPrototype: true }),
        { nil: undefined },
      ),
      v6: fc.boolean(),
    })
    .map((w): Workload => {
      const addresses = [
        `198.18.${i >> 8}.${i & 255}`,
        ...(w.v6 ? [`2001:2::${(i + 1).toString(16)}`] : []),
      ];
      const base: Workload = {
        name,
        labels: w.labels,
        addresses,
        mode: w.mode,
        managed: w.managed,
      };
      const ns =
        w.namespace === undefined
          ? {}
          : {
              namespace: w.namespace,
              namespaceLabels: { ...NAMESPACES[w.namespace], [NAMESPACE_NAME_LABEL]: w.namespace },
            };
      return {
        ...base,
        ...ns,
        ...(w.namedPorts === undefined ? {} : { namedPorts: w.namedPorts }),
      };
    });

const directions = fc
  .uniqueArray(fc.constantFrom("inbound", "outbound") as fc.Arbitrary<Direction>, { minLength: 1 })
  .map((d) => [...d]);

export interface ValidPolicy {
  readonly rules: Rule[];
  readonly ipLists: Record<string, IpList>;
  readonly isolation: Isolation[];
  readonly workloads: Workload[];
  readonly tests: Omit<PolicyTest, "source">[];
  /** Named services; some rules' services equal one's ports and are written with its name. */
  readonly services: { name: string; ports: ServicePort[] }[];
}

const SOURCE = { file: "p.yaml", path: "" };

/** A whole valid policy in normalized form (sources are placeholders: compare without them). */
export const validPolicy: fc.Arbitrary<ValidPolicy> = fc
  .record({
    listNames: fc.uniqueArray(fc.constantFrom("partners", "constructor", "office", "vpn"), {
      maxLength: 3,
    }),
    workloadCount: fc.nat(4),
    isolationCount: fc.nat(2),
  })
  .chain(({ listNames, workloadCount, isolationCount }) =>
    fc.record({
      ipLists: fc.tuple(...listNames.map(ipList)),
      plain: fc.array(rule(listNames), { maxLength: 4 }),
      scopes: fc.uniqueArray(
        fc.record({
          match: selector,
          rules: fc.array(rule(listNames), { minLength: 1, maxLength: 3 }),
        }),
        { maxLength: 2, selector: (s) => JSON.stringify(s.match) },
      ),
      workloads: fc.tuple(
        ...Array.from({ length: workloadCount }, (_, i) =>
          workload(i === 0 ? "constructor" : `w-${i}`, i),
        ),
      ),
      isolation: fc.array(
        fc.record({
          select: fc.option(selector, { nil: undefined }),
          namespace: fc.option(selector, { nil: undefined }),
          directions,
        }),
        { minLength: isolationCount, maxLength: isolationCount },
      ),
      service: services.filter((s) => s.length > 0),
      test: fc.record({
        port: fc.tuple(l4, portNumber).map(([p, n]) => `${p}/${n}`),
        expect: fc.constantFrom("allow", "deny") as fc.Arbitrary<"allow" | "deny">,
      }),
    }),
  )
  .map((g): ValidPolicy => {
    let n = 0;
    const named = (r: Omit<Rule, "id" | "source">): Rule => ({
      id: `rule-${n++}`,
      ...r,
      source: SOURCE,
    });
    const rules = [
      ...g.plain.map(named),
      ...g.scopes.flatMap((s) => s.rules.map((r) => named({ ...r, scope: s.match }))),
    ];
    // The first rule, when there is one, is written with the named service.
    const first = rules[0];
    if (first !== undefined) rules[0] = { ...first, services: g.service };
    const isolation = g.isolation.map(
      (iso, i): Isolation => ({
        id: `iso-${i}`,
        selector: iso.select ?? { match: [] },
        ...(iso.namespace === undefined ? {} : { namespaceSelector: iso.namespace }),
        directions: iso.directions,
        source: SOURCE,
      }),
    );
    const names = g.workloads.map((w) => w.name);
    const tests =
      names.length === 0 ? [] : [{ from: names[0] as string, to: "203.0.113.9", ...g.test }];
    return {
      rules,
      ipLists: Object.fromEntries(g.ipLists.map((l) => [l.name, l])),
      isolation,
      workloads: [...g.workloads],
      tests,
      services: [{ name: "svc", ports: g.service }],
    };
  });
