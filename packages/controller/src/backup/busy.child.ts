// Child process for the backup test: a real controller (HTTPS, SQLite on disk) that keeps
// writing while the test process takes a backup of its data directory.
//   node --conditions=source --import tsx busy.child.ts DIR
// Before it says {"ready": …} on stdout it commits what a backup must hold: workloads before-0 …
// before-9 and policy revision 1. Then it writes in a loop over its own API (a workload per
// turn, a new policy revision every fifth) until SIGTERM, and prints {"writes": n} on the way out.
import { request } from "node:https";
import { startController } from "../main.js";

const [dir] = process.argv.slice(2);
if (dir === undefined) throw new Error("usage: busy.child.ts DIR");
const ctl = await startController({ dataDir: dir, listen: "127.0.0.1:0", log: "silent" });
const token = ctl.adminToken ?? "";

function call(method: string, path: string, body: unknown): Promise<number> {
  const yaml = typeof body === "string";
  const payload = yaml ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${ctl.url}${path}`,
      {
        method,
        ca: ctl.caPem ?? undefined,
        headers: {
          authorization: `Bearer ${token}`,
          "content-type": yaml ? "application/yaml" : "application/json",
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(payload);
  });
}

const policy = (n: number) =>
  `rules:\n  - name: web-to-db-${n}\n    from: { role: web }\n    to: { role: db }\n    services: [tcp/${5000 + n}]\n`;

async function expectOk(status: Promise<number>): Promise<void> {
  const s = await status;
  if (s >= 300) throw new Error(`the child's write answered ${s}`);
}

for (let i = 0; i < 10; i++) {
  const labels = { role: i % 2 === 0 ? "web" : "db" };
  await expectOk(call("PUT", `/api/v1/workloads/before-${i}`, { labels }));
}
await expectOk(call("PUT", "/api/v1/policy/draft", policy(0)));
await expectOk(call("POST", "/api/v1/policy/provision", { comment: "before the backup" }));

let stop = false;
process.on("SIGTERM", () => {
  stop = true;
});
process.stdout.write(`${JSON.stringify({ ready: true, caFingerprint: ctl.caFingerprint })}\n`);
let writes = 0;
while (!stop) {
  writes++;
  await expectOk(call("PUT", `/api/v1/workloads/w-${writes}`, { labels: { role: "web" } }));
  if (writes % 5 === 0) {
    await expectOk(call("PUT", "/api/v1/policy/draft", policy(writes)));
    await expectOk(call("POST", "/api/v1/policy/provision", { comment: `during ${writes}` }));
  }
}
await ctl.close();
process.stdout.write(`${JSON.stringify({ writes })}\n`);
