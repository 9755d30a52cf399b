// One request on a lab host server's control socket (programs/host-agent.js): "try these
// connections from inside your namespace" -> one verdict per target, in order. What `lab probe`,
// `lab traffic` and `lab attack` all send; bounded by the attempt timeout + 5 s.
import { connect } from "node:net";
import type { ProbeTarget, Verdict } from "./probe-plan.js";

export function askHost(
  socketPath: string,
  targets: readonly ProbeTarget[],
  timeoutMs: number,
): Promise<Verdict[]> {
  if (targets.length === 0) return Promise.resolve([]);
  return new Promise((resolve, reject) => {
    const conn = connect({ path: socketPath });
    let answer = "";
    const fail = (why: string) => {
      clearTimeout(timer);
      conn.destroy();
      reject(new Error(why));
    };
    const timer = setTimeout(() => fail("the host server did not answer"), timeoutMs + 5000);
    conn.on("error", (e) => fail(`cannot reach the host server (${e.message})`));
    conn.on("data", (d: Buffer) => {
      answer += d.toString();
    });
    conn.on("end", () => {
      clearTimeout(timer);
      try {
        const verdicts = JSON.parse(answer) as Verdict[] | { error: string };
        if (!Array.isArray(verdicts)) throw new Error(verdicts.error);
        if (verdicts.length !== targets.length) throw new Error("incomplete answer");
        resolve(verdicts);
      } catch (e) {
        fail((e as Error).message);
      }
    });
    conn.end(`${JSON.stringify({ timeoutMs, targets })}\n`);
  });
}
