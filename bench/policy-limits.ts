// How fast hostile policy text is refused: each shape that once took the controller minutes (or
// its stack) against a legitimate file of similar size read in the same run, so the ratio says
// what refusing costs next to reading. Run: node --import tsx bench/policy-limits.ts [--rounds=5]
//
// Target: every shape refused within 2x of the baseline's time (refusing costs one tokenizing
// pass, never the expansion), and with the code of its own limit.

import { loadPolicy } from "@microseg/core";
import {
  aliasBomb,
  BOMB_RULE,
  manyDocuments,
} from "../packages/core/src/testing/hostile-policy.js";

const ROUNDS = Number(/--rounds=(\d+)/.exec(process.argv.join(" "))?.[1] ?? 5);

const SHAPES: [name: string, text: string][] = [
  ["baseline: 2,000 rules, no alias (valid)", aliasBomb(2000, 0)],
  ["alias bomb: 2,000 rules x 500 scopes", aliasBomb(2000, 499)],
  ["alias bomb, invalid rules: 2,820 x 500", aliasBomb(2820, 499, BOMB_RULE.replace("5432", "0"))],
  ["5,000 `---` documents", manyDocuments(5000)],
  ["1,000,000 `[`", "[".repeat(1_000_000)],
  ["1 MiB + 1 byte", `#${"x".repeat(1_048_575)}\n`],
];

function measure(text: string): { ms: number; codes: string } {
  let best = Number.POSITIVE_INFINITY;
  let codes = "";
  for (let i = 0; i < ROUNDS; i++) {
    const start = performance.now();
    const loaded = loadPolicy([{ file: "p.yaml", text }]);
    best = Math.min(best, performance.now() - start);
    codes = [...new Set(loaded.diagnostics.map((d) => d.code))].join(" ") || "valid";
  }
  return { ms: best, codes };
}

const rows = SHAPES.map(([name, text]) => ({ name, kib: text.length / 1024, ...measure(text) }));
const base = rows[0]?.ms ?? 1;
console.log(`min of ${ROUNDS} rounds; ratio to the valid 2,000-rule file read in the same run`);
console.log("| input | size | time | ratio | answer |");
console.log("| --- | --- | --- | --- | --- |");
for (const r of rows) {
  const size = r.kib >= 1024 ? `${(r.kib / 1024).toFixed(2)} MiB` : `${r.kib.toFixed(0)} KiB`;
  console.log(
    `| ${r.name} | ${size} | ${r.ms.toFixed(0)} ms | ${(r.ms / base).toFixed(2)}x | ${r.codes} |`,
  );
}
