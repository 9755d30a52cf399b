// Child process for the crash test: provisions revision 1, then dies by SIGKILL in the middle of
// provisioning revision 2 (after the revision row is written, before the pointer moves).
//   node --conditions=source --import tsx crash.child.ts DIR STEP

import { openSqliteStore } from "./open.js";

const [dir, step] = process.argv.slice(2);
if (dir === undefined || step === undefined) throw new Error("usage: crash.child.ts DIR STEP");
let armed = false;
const store = openSqliteStore({
  dir,
  failpoint: (s) => {
    if (armed && s === step) process.kill(process.pid, "SIGKILL");
  },
});
await store.policy.saveDraft({ text: "a: 1", parsed: null, parsedVersion: 1 }, "alice");
await store.policy.provision({ comment: "first" }, "alice");
await store.policy.saveDraft({ text: "a: 2", parsed: null, parsedVersion: 1 }, "alice");
armed = true;
await store.policy.provision({ comment: "second" }, "alice");
console.log("survived");
