// @ts-check
// The host agent of one lab host, run inside the host's namespace:
//   node lab-agent.js --controller URL --ca-fingerprint FP --workload HOST --state-dir DIR
//                     [--enrol-key KEY] [--heartbeat S]
// Same flags and the same composition root (@microseg/agent runAgentProcess) as
// `microseg agent`, without loading every other command of the CLI: ten agents start in about a
// third of the time on a small machine. SIGTERM ends it and leaves its table in force.
import { runAgentProcess } from "@microseg/agent";

/** @param {string[]} argv @returns {Record<string, string>} */
function flags(argv) {
  /** @type {Record<string, string>} */
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i] ?? "";
    const value = argv[i + 1];
    if (!name.startsWith("--") || value === undefined) {
      process.stderr.write(`lab-agent: bad argument ${name}\n`);
      process.exit(2);
    }
    out[name.slice(2)] = value;
  }
  return out;
}

const f = flags(process.argv.slice(2));
try {
  process.exitCode = await runAgentProcess({
    controller: f.controller ?? "",
    caFingerprint: f["ca-fingerprint"],
    enrolKey: f["enrol-key"],
    stateDir: f["state-dir"] ?? "",
    workload: f.workload,
    heartbeatS: Number(f.heartbeat ?? "5"),
  });
} catch (e) {
  process.stderr.write(`lab-agent: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
