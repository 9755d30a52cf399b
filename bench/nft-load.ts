// Benchmark: nft table load and delta apply times, inside a throwaway network namespace.
//   node --import tsx bench/nft-load.ts [--sizes=1000,10000,100000] [--repeats=5]
// (a) full apply of a RuleSet whose set holds 100,000 elements   target <= 1 s
// (b) one-element change via delta at 1k / 10k / 100k elements   target <= 20 ms, flat in size

import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { RuleSet } from "@microseg/core";
import { NftDriver, renderRuleSet } from "../packages/nft/src/index.js";
import { createNetns } from "../packages/nft/src/testing/index.js";

const arg = (name: string, dflt: string) =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? dflt;
const SIZES = arg("sizes", "1000,10000,100000").split(",").map(Number);
const REPEATS = Number(arg("repeats", "5"));

/** The i-th address of 198.18.0.0/15 (131,072 addresses). */
function address(i: number): string {
  return `198.${18 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
}

function ruleSet(size: number, changed = -1): RuleSet {
  const v4 = Array.from({ length: size }, (_, i) => `${address(i === changed ? size : i)}/32`);
  v4.sort();
  return {
    workload: "bench",
    mode: "enforce",
    addresses: ["198.19.255.254"],
    inbound: {
      default: "deny",
      entries: [
        {
          ruleId: "peers",
          action: "allow",
          peer: { set: "peers_in" },
          ports: [{ proto: "tcp", ranges: [[80, 80]] }],
        },
      ],
    },
    outbound: { default: "allow", entries: [] },
    sets: { peers_in: { v4, v6: [] } },
    hash: `${size}:${changed}`,
  };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

/**
 * Inside a namespace, as an agent runs: the driver calls `nft` directly, with no `ip netns exec`
 * in front. Started by main() through `ip netns exec`; prints the median delta in ms.
 */
async function inside(size: number): Promise<void> {
  const driver = new NftDriver({});
  await driver.apply(ruleSet(size));
  const delta: number[] = [];
  for (let r = 0; r < REPEATS * 2; r++) {
    const res = await driver.apply(ruleSet(size, r % 2 === 0 ? 0 : -1));
    if (res.kind !== "delta") throw new Error(`expected delta, got ${res.kind}`);
    delta.push(res.ms);
  }
  await driver.remove();
  console.log(median(delta).toFixed(1));
}

async function insideDelta(ns: string, size: number): Promise<string> {
  const script = new URL(import.meta.url).pathname;
  const args = ["netns", "exec", ns, process.execPath, "--import", "tsx", script];
  const { stdout } = await promisify(execFile)("ip", [
    ...args,
    `--inside=${size}`,
    `--repeats=${REPEATS}`,
  ]);
  return stdout.trim();
}

async function main(): Promise<void> {
  const ns = await createNetns("msegt-bench");
  try {
    console.log(
      `nft-load  (nft ${(await ns.exec("nft", ["--version"])).trim()}, repeats=${REPEATS})`,
    );
    for (const size of SIZES) {
      const driver = new NftDriver({ netns: ns.name });
      const t0 = performance.now();
      renderRuleSet(ruleSet(size));
      const renderMs = performance.now() - t0;
      const full: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        await driver.remove();
        full.push((await driver.apply(ruleSet(size))).ms);
      }
      const delta: number[] = [];
      for (let r = 0; r < REPEATS; r++) {
        const res = await driver.apply(ruleSet(size, r % 2 === 0 ? 0 : -1));
        if (res.kind !== "delta") throw new Error(`expected delta, got ${res.kind}`);
        delta.push(res.ms);
      }
      const line = [
        `elements=${String(size).padStart(6)}`,
        `render=${renderMs.toFixed(1)}ms`,
        `full apply median=${median(full).toFixed(1)}ms`,
        `one-element delta median=${median(delta).toFixed(1)}ms (min ${Math.min(...delta).toFixed(1)})`,
        `delta from inside the namespace=${await insideDelta(ns.name, size)}ms`,
      ];
      console.log(line.join("  "));
      await driver.remove();
    }
  } finally {
    await ns.delete();
  }
}

const insideSize = arg("inside", "");
await (insideSize === "" ? main() : inside(Number(insideSize)));
