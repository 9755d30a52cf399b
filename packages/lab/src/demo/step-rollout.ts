// Steps 3 and 4: test mode (the draft provisioned; every workload reports what it would block,
// nothing is blocked) and enforce (the policy blocks everything it does not allow).
import { controlPath } from "../state.js";
import type { BoundFlow } from "../traffic/lab-plan.js";
import { labTrafficOnce, runFlows, type TrafficResult } from "../traffic/once.js";
import { type DemoContext, onInstallDayPolicy, switchModes } from "./session.js";
import { commandLine, indented, jsonOf, notYet, rows } from "./show.js";
import type { StepResult } from "./types.js";

export async function testStep(ctx: DemoContext): Promise<StepResult> {
  const { tools, opts } = ctx;
  tools.say("The draft becomes the active policy; workloads switch to test mode: the agents");
  tools.say("evaluate the rules and report what they would block, but block nothing.");
  const provision = ["policy", "provision", "-m", "demo: the learned policy, in test mode"];
  tools.say(commandLine(provision));
  const run = await tools.cli(provision);
  tools.say(indented(run));
  await switchModes(ctx, "test");
  const since = new Date().toISOString();
  tools.say(`Letting the normal traffic run in test mode for ${opts.testSeconds} s…`);
  await tools.sleep(opts.testSeconds * 1000);
  const once = await labTrafficOnce({ dir: ctx.dir });
  const allowed = once.filter((r) => r.verdict === "allowed").length;
  tools.say(`Every normal flow once more: ${allowed} of ${once.length} went through.`);
  if (!tools.has(["flows"])) {
    tools.say(notYet("the flow graph (microseg flows)", "would-block flows cannot be counted"));
    return {
      step: "test",
      available: false,
      ok: run.code === 0 && allowed === once.length,
      summary: `test mode: ${allowed}/${once.length} normal flows went through`,
      data: { provisioned: run.code === 0, allowed, flows: once.length },
    };
  }
  const args = ["flows", "--verdict", "would-block", "--since", since, "--json"];
  tools.say(commandLine(args.slice(0, -1)));
  const flows = await tools.cli(args);
  const edges = jsonOf<{ edges: { from: string; to: string; port: string }[] }>(flows)?.edges;
  const wouldBlock = edges?.length ?? -1;
  tools.say(
    wouldBlock === 0
      ? "would-block: 0 — the policy allows all of the shop's normal traffic."
      : `would-block: ${wouldBlock} flows — the policy misses these:\n${rows((edges ?? []).map((e) => [e.from, e.to, e.port]))}`,
  );
  return {
    step: "test",
    available: true,
    ok: run.code === 0 && allowed === once.length && wouldBlock === 0,
    summary: `test mode: would-block ${wouldBlock}, ${allowed}/${once.length} normal flows went through`,
    data: { provisioned: run.code === 0, allowed, flows: once.length, wouldBlock },
  };
}

export async function enforceStep(ctx: DemoContext): Promise<StepResult> {
  const { tools } = ctx;
  if (await onInstallDayPolicy(ctx)) {
    tools.say(
      "No policy was provisioned since the lab came up (the install-day policy has no rules), so\nenforcing now would block everything. Run the steps before it first:\n  sudo npx microseg demo --step recommend && sudo npx microseg demo --step test",
    );
    return {
      step: "enforce",
      available: true,
      ok: false,
      summary: "not enforced: no learned policy provisioned yet",
      data: {},
    };
  }
  tools.say("Workloads switch to enforce: what the policy does not allow is now dropped.");
  await switchModes(ctx, "enforce");
  const once = await labTrafficOnce({ dir: ctx.dir });
  const allowed = once.filter((r) => r.verdict === "allowed").length;
  tools.say(`Every normal flow once: ${allowed} of ${once.length} went through.`);
  tools.say(blockedLines(once));
  const spots = await runFlows(outsidePlanFlows(ctx), 1000);
  const spotBlocked = spots.filter((r) => r.verdict === "blocked").length;
  tools.say("Connections the normal day never makes are dropped (default deny):");
  tools.say(rows(spots.map((r) => [`${r.from} -> ${r.to}`, r.port, r.verdict])));
  return {
    step: "enforce",
    available: true,
    ok: allowed === once.length && spotBlocked === spots.length,
    summary: `enforce: ${allowed}/${once.length} normal flows allowed; ${spotBlocked}/${spots.length} connections outside the normal day blocked`,
    data: { allowed, flows: once.length, outsideBlocked: spotBlocked, outside: spots.length },
  };
}

/**
 * A few connections outside the shop's normal day: a handful, on no remote-administration port,
 * so no detector takes the check for an attack (a full `lab probe` from every host looks like a
 * scan from each of them; a blocked SSH attempt looks like lateral movement — rightly).
 */
const OUTSIDE_PLAN: readonly [string, string, number][] = [
  ["web-1", "db-1", 5432], // the web tier straight to the database
  ["app-1", "backup-1", 873], // an app server to the backups
  ["db-1", "app-1", 8080], // the database calling back into the app tier
];

function outsidePlanFlows(ctx: DemoContext): BoundFlow[] {
  const address = new Map(ctx.state.hosts.map((h) => [h.name, h.address]));
  return OUTSIDE_PLAN.map(([from, to, port]) => ({
    from,
    to,
    proto: "tcp" as const,
    port,
    everyMs: 1000,
    socket: controlPath(from, ctx.dir),
    address: address.get(to) ?? "",
  }));
}

function blockedLines(results: readonly TrafficResult[]): string {
  const blocked = results.filter((r) => r.verdict === "blocked");
  if (blocked.length === 0) return "    (none blocked)";
  return `    blocked:\n${rows(blocked.map((r) => [`${r.from} -> ${r.to}`, r.port]))}`;
}
