// Child process for the multi-process test: consumes an enrolment key and appends audit entries
// against a database other processes are writing at the same time. Prints how many uses it got.
//   node --conditions=source --import tsx contend.child.ts DIR KEYHASH TRIES

import { openSqliteStore } from "./open.js";

const [dir, keyHash, tries] = process.argv.slice(2);
if (dir === undefined || keyHash === undefined) throw new Error("usage: DIR KEYHASH TRIES");
const store = openSqliteStore({ dir, busyTimeoutMs: 20_000 });
let got = 0;
for (let i = 0; i < Number(tries); i++) {
  if ((await store.enrolment.consumeKey(keyHash, new Date())).ok) got++;
  await store.audit.append({ actor: `pid/${process.pid}`, action: "test.contend", target: "x" });
}
await store.close();
console.log(got);
