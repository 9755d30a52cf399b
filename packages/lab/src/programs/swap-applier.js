// @ts-check
// The direct phase of the policy-swap test (testing/swappers.ts swapDirect): an NftDriver that
// lives inside one lab host's namespace, configured as the agent configures its own (nft
// started directly, the drift baseline read through a long-lived `nft -i` session), without
// the agent's control plane around it. Run inside the namespace:
//   node swap-applier.js
// Protocol on stdio, one line each:
//   in  {"A": RuleSet, "B": RuleSet}   the two revisions of this host
//   out "ready"
//   in  "A" | "B"                      apply that revision (one nft transaction)
//   out "applied KIND MS" | "failed MESSAGE"
// stdin closing ends it; the table stays as it is. The driver's own guard refuses to run in
// the root namespace.

import { createInterface } from "node:readline";
import { createNftSession, NftDriver, TERSE_LIST_FLAGS } from "@microseg/nft";

/** @type {Record<string, import("@microseg/core").RuleSet> | undefined} */
let revisions;
const session = createNftSession({ flags: TERSE_LIST_FLAGS, timeoutMs: 10_000 });
const driver = new NftDriver({ listExec: session.exec });

/** @param {string} line */
async function onLine(line) {
  if (revisions === undefined) {
    revisions = JSON.parse(line);
    return "ready";
  }
  const ruleSet = revisions[line];
  if (ruleSet === undefined) return `failed no revision "${line}"`;
  try {
    const result = await driver.apply(ruleSet);
    return `applied ${result.kind} ${result.ms}`;
  } catch (e) {
    return `failed ${e instanceof Error ? e.message.replace(/\n/g, " ") : String(e)}`;
  }
}

// Lines are answered in order: each waits for the one before (the driver serializes anyway).
let queue = Promise.resolve();
const input = createInterface({ input: process.stdin });
input.on("line", (line) => {
  queue = queue.then(async () => {
    process.stdout.write(`${await onLine(line)}\n`);
  });
});
input.on("close", () => {
  queue.then(() => {
    session.close();
    process.exit(0);
  });
});
