// Benchmark: new-connection rate through the ruleset, between two throwaway namespaces.
//   node --import tsx bench/nft-dataplane.ts [--connects=2000] [--rounds=3]
// baseline: no table | set: 10,000 allowed peers in a set (target >= 0.95 of baseline)
// per-rule control: the same 10,000 peers as one rule each (the client matches the last one)

import type { RuleSet } from "@microseg/core";
import { NftDriver } from "../packages/nft/src/index.js";
import {
  createNetns,
  joinNamespaces,
  type Netns,
  startServers,
} from "../packages/nft/src/testing/index.js";

const arg = (n: string, d: string) =>
  process.argv.find((a) => a.startsWith(`--${n}=`))?.split("=")[1] ?? d;
const CONNECTS = Number(arg("connects", "2000"));
const ROUNDS = Number(arg("rounds", "7"));
const PEERS = 10_000;
const CLIENT = "198.18.0.2";

const LOOP = `
const net = require("node:net"); const [host, n] = [process.argv[1], Number(process.argv[2])];
let i = 0; const t0 = process.hrtime.bigint();
const next = () => { if (i++ === n) { const s = Number(process.hrtime.bigint() - t0) / 1e9;
  console.log(Math.round(n / s)); return; }
  const c = net.connect(80, host); c.on("connect", () => { c.destroy(); next(); });
  c.on("error", (e) => { console.error(e.message); process.exit(1); }); };
next();`;

const peer = (i: number) => `198.19.${i >> 8}.${i & 255}`;

function setRuleSet(): RuleSet {
  const v4 = [...Array.from({ length: PEERS - 1 }, (_, i) => `${peer(i)}/32`), `${CLIENT}/32`];
  const ports = [{ proto: "tcp" as const, ranges: [[80, 80] as const] }];
  return {
    workload: "server",
    mode: "enforce",
    addresses: [],
    inbound: {
      default: "deny",
      entries: [{ ruleId: "peers", action: "allow", peer: { set: "peers" }, ports }],
    },
    outbound: { default: "allow", entries: [] },
    sets: { peers: { v4, v6: [] } },
    hash: "set",
  };
}

async function perRuleTable(ns: Netns): Promise<void> {
  const lines = [
    "table inet microseg {}",
    "delete table inet microseg",
    "table inet microseg {",
    " chain input { type filter hook input priority 0; policy accept;",
    "  ct state established,related accept",
  ];
  for (let i = 0; i < PEERS - 1; i++) lines.push(`  ip saddr ${peer(i)} tcp dport 80 accept`);
  lines.push(`  ip saddr ${CLIENT} tcp dport 80 accept`, "  drop", " }", "}");
  const file = `/tmp/msegt-bench-rules-${process.pid}.nft`;
  const { writeFile, rm } = await import("node:fs/promises");
  await writeFile(file, lines.join("\n"));
  try {
    await ns.exec("nft", ["-f", file], 60_000);
  } finally {
    await rm(file, { force: true });
  }
}

async function rate(client: Netns): Promise<number> {
  return Number(
    (
      await client.exec(process.execPath, ["-e", LOOP, "198.18.0.1", String(CONNECTS)], 120_000)
    ).trim(),
  );
}

async function main(): Promise<void> {
  const server = await createNetns("msegt-bench");
  const client = await createNetns("msegt-bench");
  try {
    await joinNamespaces(server, client, 0);
    await client.exec("sysctl", [
      "-qw",
      "net.ipv4.tcp_tw_reuse=1",
      "net.ipv4.ip_local_port_range=1024 65535",
    ]);
    const srv = await startServers(server, [80]);
    const driver = new NftDriver({ netns: server.name });
    const results: Record<string, number[]> = { baseline: [], set: [], rules: [] };
    await rate(client); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      await driver.remove();
      results.baseline?.push(await rate(client));
      await driver.apply(setRuleSet());
      results.set?.push(await rate(client));
      await driver.remove();
      await perRuleTable(server);
      results.rules?.push(await rate(client));
    }
    srv.stop();
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const [b, s, q] = [
      med(results.baseline ?? []),
      med(results.set ?? []),
      med(results.rules ?? []),
    ];
    // Each round measures the three tables back to back, so a per-round ratio compares runs that
    // saw the same machine load; the median of those ratios is the figure to quote.
    const perRound = (xs: number[]) =>
      med(xs.map((x, i) => x / (results.baseline?.[i] ?? Number.NaN))).toFixed(3);
    console.log(`nft-dataplane  connects=${CONNECTS} rounds=${ROUNDS} peers=${PEERS}`);
    console.log(
      `median per-round ratio: set ${perRound(results.set ?? [])}  per-rule control ${perRound(results.rules ?? [])}`,
    );
    console.log(`baseline (no table)      ${b} conn/s  ${JSON.stringify(results.baseline)}`);
    console.log(
      `set of ${PEERS} peers      ${s} conn/s  ratio ${(s / b).toFixed(3)}  ${JSON.stringify(results.set)}`,
    );
    console.log(
      `${PEERS} rules (control)   ${q} conn/s  ratio ${(q / b).toFixed(3)}  ${JSON.stringify(results.rules)}`,
    );
  } finally {
    await server.delete();
    await client.delete();
  }
}

await main();
