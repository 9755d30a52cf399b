// Steps 1 and 2: learn (traffic flows, agents in learn mode record it; the flow graph) and
// recommend (the learned least-privilege policy saved as the draft).
import { CONTROLLER_ADDRESS } from "../scenario/addresses.js";
import { labTrafficStatus } from "../traffic/control.js";
import type { DemoContext } from "./session.js";
import { commandLine, indented, jsonOf, notYet, rows } from "./show.js";
import { runSweep, SWEPT_PORTS, sweepAlert, sweepKeys, sweptPortsIn } from "./sweep.js";
import { DEMO_REFERENCE_POLICY, DEMO_SCANNER, type StepResult } from "./types.js";

/** How long the learn step waits for the flows the traffic made to reach the graph. */
const FLOW_WAIT_MS = 15_000;

interface Edge {
  readonly from: string;
  readonly to: string;
  readonly port: string;
  readonly verdict: string;
  /** What the network answered (established, refused, unanswered); absent from older agents. */
  readonly outcome?: string;
  readonly count: number;
}

/** An edge whose connections were never answered: a sweep of closed ports, a dead service. */
const failed = (e: Edge) => e.outcome === "refused" || e.outcome === "unanswered";

export async function learnStep(ctx: DemoContext): Promise<StepResult> {
  const { tools, opts } = ctx;
  tools.say(
    `Every agent is in learn mode: nothing is blocked, every connection is recorded.\nLetting the shop's normal traffic run for ${opts.learnSeconds} s…`,
  );
  const started = Date.now();
  const sweep = tools.has(["lab", "attack"]) ? await runSweep(ctx) : undefined;
  await tools.sleep(Math.max(0, opts.learnSeconds * 1000 - (Date.now() - started)));
  const traffic = await everyFlowOnce(ctx);
  const attempts = traffic.flows.reduce((n, f) => n + f.attempts, 0);
  tools.say(
    `The traffic driver opened ${attempts} connections over ${traffic.flows.length} flows.`,
  );
  if (!tools.has(["flows"])) {
    tools.say(notYet("the flow graph (microseg flows)", "the driver's own counts stand in for it"));
    return {
      step: "learn",
      available: false,
      ok: attempts > 0,
      summary: `${attempts} connections made; no flow graph in this build`,
      data: { attempts },
    };
  }
  tools.say(commandLine(["flows"]));
  const attempted = traffic.flows.filter((f) => f.attempts > 0).map((f) => key(f));
  const graph = await readGraph(
    ctx,
    sweep === undefined ? attempted : [...attempted, ...sweepKeys()],
  );
  if (graph === undefined) {
    return { step: "learn", available: true, ok: false, summary: "flows failed", data: {} };
  }
  const { edges, seen } = graph;
  const controller = edges.filter((e) => e.to === CONTROLLER_ADDRESS);
  const lab = edges.filter((e) => e.to !== CONTROLLER_ADDRESS && !failed(e));
  const failedEdges = edges.filter(failed);
  const top = [...lab].sort((a, b) => b.count - a.count).slice(0, 14);
  tools.say(
    rows([
      ["from", "to", "port", "verdict", "count"],
      ...top.map((e) => [e.from, e.to, e.port, e.verdict, String(e.count)]),
    ]),
  );
  if (lab.length > top.length) tools.say(`    … and ${lab.length - top.length} more`);
  if (failedEdges.length > 0) {
    const scanner = failedEdges.filter((e) => e.from === DEMO_SCANNER).length;
    tools.say(
      `    ${failedEdges.length} failed contacts hidden (never answered; ${scanner} of them from ${DEMO_SCANNER}): microseg flows --outcome refused shows them`,
    );
  }
  const covered = attempted.filter((k) => seen.has(k)).length;
  const channel = controller.length > 0 ? ` (plus ${controller.length} agents -> controller)` : "";
  const alert = sweep === undefined ? undefined : await showSweepAlert(ctx);
  const sweepOk = sweep === undefined || (sweep.connected === 0 && alert !== null);
  const summary = `${lab.length} edges between the shop's hosts${channel}; ${covered} of ${attempted.length} flows the traffic made are in the graph${sweep === undefined ? "" : `; ${failedEdges.length} failed contacts apart${alert === undefined ? "" : alert === null ? ", no scan alert" : `, scan alert on ${DEMO_SCANNER}`}`}`;
  return {
    step: "learn",
    available: true,
    ok: attempted.length > 0 && covered === attempted.length && sweepOk,
    summary,
    data: {
      edges: lab.length,
      covered,
      attempted: attempted.length,
      attempts,
      failed: failedEdges.length,
      sweep: sweep ?? null,
      scanAlert: alert === undefined ? null : alert !== null,
      ...(alert != null && { scanAlertId: alert.id, scanAlertSummary: alert.summary }),
    },
  };
}

/**
 * The sweep's scan alert: undefined when this build has no detection, null when none was
 * raised in time.
 */
async function showSweepAlert(ctx: DemoContext) {
  ctx.tools.say(`The detectors saw the sweep, in learn mode too:`);
  const found = await sweepAlert(ctx);
  if (found === undefined) return ctx.tools.has(["alerts"]) ? null : undefined;
  ctx.tools.say(
    `    Declared (label microseg.io/scanner=true) a scanner raises only an informational\n    authorised-scan; ${DEMO_SCANNER} is not, so this is a scan alert.`,
  );
  return found;
}

/**
 * The driver's status once every flow of the plan ran at least once: a flow that repeats every
 * 10 s may not have run yet after a short learn period, and a policy learned without it would
 * block it. Bounded by the plan's longest period + 3 s.
 */
async function everyFlowOnce(ctx: DemoContext) {
  let traffic = labTrafficStatus({ dir: ctx.dir });
  const longest = Math.max(0, ...traffic.flows.map((f) => f.everyMs));
  const deadline = Date.now() + longest + 3000;
  while (traffic.flows.some((f) => f.attempts === 0) && Date.now() < deadline) {
    await ctx.tools.sleep(500);
    traffic = labTrafficStatus({ dir: ctx.dir });
  }
  return traffic;
}

const key = (e: { from: string; to: string; port: string }) => `${e.from} ${e.to} ${e.port}`;

/**
 * `microseg flows --json`, read again (bounded, FLOW_WAIT_MS) until every flow the driver made
 * is in the graph: agents report in batches, so the last seconds of traffic may still be on
 * their way.
 */
async function readGraph(
  ctx: DemoContext,
  expected: readonly string[],
): Promise<{ edges: Edge[]; seen: Set<string> } | undefined> {
  const deadline = Date.now() + FLOW_WAIT_MS;
  for (;;) {
    const run = await ctx.tools.cli(["flows", "--json"]);
    const edges = jsonOf<{ edges: Edge[] }>(run)?.edges;
    if (run.code !== 0 || edges === undefined) {
      ctx.tools.say(indented(run));
      return undefined;
    }
    const seen = new Set(edges.map(key));
    if (expected.every((k) => seen.has(k)) || Date.now() >= deadline) return { edges, seen };
    await ctx.tools.sleep(1000);
  }
}

export async function recommendStep(ctx: DemoContext): Promise<StepResult> {
  const { tools } = ctx;
  if (tools.has(["policy", "recommend"])) {
    tools.say("The learning engine turns the observed flows into least-privilege rules.");
    const args = ["policy", "recommend", "--save"];
    tools.say(commandLine(args));
    const run = await tools.cli(args);
    // stderr: coverage and the rules with the flows they came from; stdout: the YAML
    tools.say(indented({ ...run, out: "" }, 40));
    tools.say("    the proposed policy (YAML, now the draft):");
    tools.say(indented({ ...run, err: "" }, 20));
    const opened = sweptPortsIn(run.out);
    const leftOut = /^left out .*$/m.exec(run.err)?.[0];
    if (run.code === 0 && leftOut !== undefined) tools.say(sweepVerdict(opened, leftOut));
    const replayCode = run.code === 0 ? await replay(ctx) : undefined;
    const coverage = /coverage: (\d+) of (\d+) flow edges? \((\d+(?:\.\d+)?)%\)/.exec(run.err);
    return {
      step: "recommend",
      available: true,
      ok: run.code === 0 && opened.length === 0,
      summary:
        run.code === 0
          ? `recommended policy saved as the draft${coverage === null ? "" : `; it covers ${coverage[3]}% of the flow graph`}`
          : "recommend failed",
      data: {
        source: "recommend",
        code: run.code,
        replayCode,
        sweptPortsOpened: opened,
        leftOut: leftOut ?? null,
        ...(coverage !== null && { coveragePercent: Number(coverage[3]) }),
      },
    };
  }
  tools.say(
    notYet(
      "policy recommend",
      "the demo saves the hand-written examples/demo/reference-policy.yaml as the draft instead",
    ),
  );
  const args = ["policy", "apply", DEMO_REFERENCE_POLICY];
  tools.say(commandLine(args));
  const run = await tools.cli(args);
  tools.say(indented(run));
  return {
    step: "recommend",
    available: false,
    ok: run.code === 0,
    summary: run.code === 0 ? "reference policy saved as the draft" : "saving the draft failed",
    data: { source: "reference", code: run.code },
  };
}

/** What became of the learn step's sweep: left out, and none of its ports in the rules. */
function sweepVerdict(opened: readonly number[], leftOut: string): string {
  const why = ` (${leftOut})`;
  return opened.length === 0
    ? `None of the ${SWEPT_PORTS.length} ports ${DEMO_SCANNER} swept is in the proposed rules: only answered traffic is learned${why}.`
    : `The proposed rules open ports ${DEMO_SCANNER} swept: ${opened.join(", ")}${why}.`;
}

/**
 * `policy diff --replay 1h`: the flows recorded so far judged by the draft; prints the replay
 * part (the RuleSet diff above it is long) and answers the exit code (1: it newly blocks some).
 */
async function replay(ctx: DemoContext): Promise<number> {
  const args = ["policy", "diff", "--replay", "1h"];
  ctx.tools.say(commandLine(args));
  const run = await ctx.tools.cli(args);
  const at = run.out.indexOf("replay:");
  ctx.tools.say(indented(at < 0 ? run : { ...run, out: run.out.slice(at) }, 12));
  return run.code;
}
