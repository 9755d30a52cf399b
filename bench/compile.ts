// Compiler benchmark: a realistic estate (10,000 workloads labelled app/role/env/tenant, 1,000
// rules between label groups), measured against JSON.stringify of the same output in the same
// run. Run: node --import tsx bench/compile.ts [workloads] [rules]
//
// Targets: from-scratch compile <= 2 s and <= 5x stringify; one-label incremental change <= 10 ms.

import {
  type Change,
  Compiler,
  compile,
  type Peer,
  type Policy,
  type Rule,
  type Workload,
} from "@microseg/core";

const WORKLOADS = Number(process.argv[2] ?? 10_000);
const RULES = Number(process.argv[3] ?? 1_000);
const ROLES = ["web", "api", "db", "cache", "worker"] as const;
const ENVS = ["prod", "staging", "dev"] as const;
const APPS = 200;
const TENANTS = 20;

function estate(): Workload[] {
  const out: Workload[] = [];
  for (let i = 0; i < WORKLOADS; i++) {
    const app = i % APPS;
    const labels = {
      app: `app${app}`,
      role: ROLES[Math.floor(i / APPS) % ROLES.length] as string,
      env: ENVS[Math.floor(i / (APPS * ROLES.length)) % ENVS.length] as string,
      tenant: `t${app % TENANTS}`,
    };
    const addresses = [`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`];
    if (i % 10 === 0) addresses.push(`2001:db8::${i.toString(16)}`);
    out.push({ name: `wl-${i}`, labels, addresses, mode: "enforce", managed: i % 50 !== 0 });
  }
  return out;
}

const eq = (labels: Record<string, string>): Peer => ({
  kind: "workloads",
  selector: { match: Object.entries(labels).map(([key, v]) => ({ key, op: "in", values: [v] })) },
});

function rule(i: number, r: Omit<Rule, "id" | "source" | "action"> & Partial<Rule>): Rule {
  return { id: `rule-${i}`, action: "allow", source: { path: `rules[${i}]` }, ...r };
}

const tcp = (port: number) => [{ proto: "tcp" as const, from: port, to: port }];

/** Mostly intra-app tiers, some cross-app and tenant rules, a few global allow/deny rules. */
function policy(): Policy {
  const rules: Rule[] = [
    rule(0, {
      action: "override-deny",
      from: [eq({ env: "dev" })],
      to: [eq({ env: "prod" })],
      services: [],
    }),
    rule(1, {
      from: [{ kind: "any" }],
      to: [eq({ app: "app0", role: "api" })],
      services: [{ proto: "udp", from: 53, to: 53 }],
    }),
    rule(2, {
      from: [{ kind: "ipList", name: "monitoring" }],
      to: [{ kind: "any" }],
      services: tcp(9100),
    }),
  ];
  for (let i = rules.length; i < RULES; i++) {
    const app = i % APPS;
    const kind = i % 10;
    if (kind < 7) {
      const [a, b] = [ROLES[kind % 4] as string, ROLES[(kind % 4) + 1] as string];
      rules.push(
        rule(i, {
          from: [eq({ app: `app${app}`, role: a })],
          to: [eq({ app: `app${app}`, role: b })],
          services: tcp(8000 + kind),
          scope: { match: [{ key: "env", op: "in", values: [ENVS[i % 3] as string] }] },
        }),
      );
    } else if (kind < 9) {
      rules.push(
        rule(i, {
          from: [eq({ app: `app${app}`, role: "api" })],
          to: [eq({ app: `app${(app * 7 + 3) % APPS}`, role: "api" })],
          services: tcp(443),
        }),
      );
    } else {
      rules.push(
        rule(i, {
          action: i % 20 === 9 ? "deny" : "allow",
          from: [eq({ tenant: `t${app % TENANTS}` })],
          to: [eq({ tenant: `t${app % TENANTS}`, role: "cache" })],
          services: tcp(6379),
        }),
      );
    }
  }
  const monitoring = {
    name: "monitoring",
    include: ["192.0.2.0/24", "2001:db8:ffff::/48"],
    except: ["192.0.2.13"],
  };
  return { rules, ipLists: { monitoring }, isolation: [] };
}

function time<T>(fn: () => T): [T, number] {
  const t = performance.now();
  const out = fn();
  return [out, performance.now() - t];
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] as number;
}

const workloads = estate();
const pol = policy();
compile(pol, workloads.slice(0, 500)); // warm up the JIT on a small estate
const runs = [0, 1, 2].map(() => time(() => compile(pol, workloads)));
const out = runs[0]?.[0] as Map<string, unknown>;
const compileMs = median(runs.map((r) => r[1]));
const [json, stringifyMs] = time(() => JSON.stringify([...out]));
const entries = [...out.values()].reduce<number>(
  (n, rs) =>
    n +
    (rs as { inbound: { entries: unknown[] }; outbound: { entries: unknown[] } }).inbound.entries
      .length +
    (rs as { outbound: { entries: unknown[] } }).outbound.entries.length,
  0,
);

const compiler = new Compiler(pol, workloads);
const incremental: number[] = [];
let changedTotal = 0;
for (let k = 0; k < 25; k++) {
  const w = workloads[(k * 397) % workloads.length] as Workload;
  const next: Workload = {
    ...w,
    labels: { ...w.labels, role: w.labels.role === "web" ? "api" : "web" },
  };
  const change: Change = { kind: "upsert-workload", workload: next };
  const [delta, ms] = time(() => compiler.apply([change]));
  incremental.push(ms);
  changedTotal += delta.changed.size;
}
const incMs = median(incremental);

// Quarantine and release: the workload leaves every selector, and the peers whose address-based
// allows (rule-1's `any`) would still admit it get a deny of its address ahead of them.
const quarantines: number[] = [];
let quarantineChanged = 0;
for (let k = 0; k < 25; k++) {
  const w = workloads[(k * 211 + 7) % workloads.length] as Workload;
  const [q, qms] = time(() =>
    compiler.apply([{ kind: "upsert-workload", workload: { ...w, quarantine: { forensic: [] } } }]),
  );
  const [, rms] = time(() => compiler.apply([{ kind: "upsert-workload", workload: w }]));
  quarantines.push(qms, rms);
  quarantineChanged += q.changed.size;
}
const quarantineMs = median(quarantines);

const row = (k: string, v: string) => console.log(`${k.padEnd(34)} ${v}`);
row("workloads x rules", `${WORKLOADS} x ${RULES}`);
row("RuleSets / entries", `${out.size} / ${entries}`);
row("output JSON size", `${(json.length / 1e6).toFixed(1)} MB`);
row("compile (median of 3)", `${compileMs.toFixed(0)} ms   target <= 2000 ms`);
row("JSON.stringify of output", `${stringifyMs.toFixed(0)} ms`);
row("compile / stringify", `${(compileMs / stringifyMs).toFixed(2)}x   target <= 5x`);
row(
  "incremental label change (median)",
  `${incMs.toFixed(2)} ms   target <= 10 ms (avg ${(changedTotal / 25).toFixed(0)} RuleSets changed)`,
);
row(
  "quarantine or release (median)",
  `${quarantineMs.toFixed(2)} ms   (avg ${(quarantineChanged / 25).toFixed(0)} RuleSets changed by a quarantine)`,
);
