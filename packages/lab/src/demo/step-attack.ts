// Steps 5 and 6: the attacker scans and fans out (real connections from its namespace; alerts
// appear), then is quarantined: its connections are cut while the shop's traffic goes on.
import { LabApiError, labApi } from "../lab-api.js";
import { labTrafficOnce } from "../traffic/once.js";
import { waitForAlertKinds } from "./alerts.js";
import { type DemoContext, waitChanged } from "./session.js";
import { commandLine, indented, jsonOf, notYet } from "./show.js";
import { DEMO_ATTACKER, type StepResult } from "./types.js";

/** What the attacker does with `microseg lab attack`: a port scan of the database, then spread. */
const ATTACKS: readonly (readonly string[])[] = [
  ["lab", "attack", "scan", "--from", DEMO_ATTACKER, "--to", "db-1", "--ports", "1-1024"],
  ["lab", "attack", "spread", "--from", DEMO_ATTACKER],
];

interface AttackReport {
  readonly attempts: number;
  readonly connected: readonly { readonly to: string; readonly port: string | number }[];
}

/** The detectors the attack must set off: the port scan, the SSH attempts, the fan-out. */
export const ATTACK_ALERT_KINDS = ["scan", "lateral-movement", "ransomware-spread"] as const;

export async function attackStep(ctx: DemoContext): Promise<StepResult> {
  const { tools } = ctx;
  tools.say(
    `${DEMO_ATTACKER} is compromised: it port-scans the database, then fans out to every host on\nSMB, RPC, WinRM and SSH.`,
  );
  let attempts = 0;
  let blocked = 0;
  let available = true;
  if (tools.has(["lab", "attack"])) {
    for (const args of ATTACKS) {
      tools.say(commandLine(args));
      const run = await tools.cli([...args, "--json"]);
      const report = jsonOf<AttackReport>(run);
      if (report === undefined) {
        tools.say(indented(run));
        continue;
      }
      const hits = report.connected.map((c) => `${c.to} ${c.port}`);
      tools.say(
        `    ${report.attempts} attempts, ${report.connected.length} connected${hits.length > 0 ? `: ${hits.slice(0, 8).join(", ")}` : ""}`,
      );
      attempts += report.attempts;
      blocked += report.attempts - report.connected.length;
    }
  } else {
    available = false;
    tools.say(notYet("microseg lab attack", "there is no attacker to show"));
  }
  tools.say(`    ${attempts} connection attempts in all, ${blocked} blocked (or refused).`);
  const found = await waitForAlertKinds(
    ctx,
    DEMO_ATTACKER,
    ATTACK_ALERT_KINDS,
    ctx.opts.alertSeconds,
  );
  const alerts = found?.alerts;
  const missing = found?.missing ?? [];
  return {
    step: "attack",
    available: available && alerts !== undefined,
    // with detection, every one of the three kinds must have been raised
    ok: blocked > 0 && missing.length === 0,
    summary: `attack: ${blocked}/${attempts} attempts blocked; ${alerts === undefined ? "no alerts in this build" : `${alerts.length} alerts${missing.length > 0 ? ` (missing: ${missing.join(", ")})` : ""}`}`,
    data: {
      attempts,
      blocked,
      alerts: alerts?.length ?? null,
      kinds: alerts?.map((a) => a.kind),
      missingKinds: found === undefined ? null : missing,
    },
  };
}

export async function quarantineStep(ctx: DemoContext): Promise<StepResult> {
  const { tools } = ctx;
  tools.say(`Quarantine ${DEMO_ATTACKER}: only management reaches it; it reaches nothing.`);
  const before = await labTrafficOnce({ dir: ctx.dir, hosts: [DEMO_ATTACKER] });
  const quarantined = await quarantine(ctx);
  if (!quarantined) {
    const through = before.filter((r) => r.from === DEMO_ATTACKER && r.verdict === "allowed");
    tools.say(
      `    ${DEMO_ATTACKER} still reaches: ${through.map((r) => `${r.to} ${r.port}`).join(", ") || "nothing"}`,
    );
    return {
      step: "quarantine",
      available: false,
      ok: false,
      summary: "quarantine is not in this build",
      data: {},
    };
  }
  const after = await labTrafficOnce({ dir: ctx.dir });
  const attacker = after.filter((r) => r.from === DEMO_ATTACKER || r.to === DEMO_ATTACKER);
  const normal = after.filter((r) => r.from !== DEMO_ATTACKER && r.to !== DEMO_ATTACKER);
  const attackerBlocked = attacker.filter((r) => r.verdict === "blocked").length;
  const normalAllowed = normal.filter((r) => r.verdict === "allowed").length;
  tools.say(
    `    ${DEMO_ATTACKER}'s own flows: ${attackerBlocked} of ${attacker.length} blocked (before: ${before.filter((r) => r.verdict === "blocked").length} of ${before.length})`,
  );
  tools.say(`    the shop's normal flows: ${normalAllowed} of ${normal.length} still go through`);
  return {
    step: "quarantine",
    available: true,
    ok: attackerBlocked === attacker.length && normalAllowed === normal.length,
    summary: `quarantine: ${attackerBlocked}/${attacker.length} attacker flows blocked, ${normalAllowed}/${normal.length} normal flows allowed`,
    data: {
      attackerBlocked,
      attackerFlows: attacker.length,
      normalAllowed,
      normalFlows: normal.length,
    },
  };
}

/** Quarantines the attacker: the CLI command when this build has one, else the admin API. */
async function quarantine(ctx: DemoContext): Promise<boolean> {
  const { tools } = ctx;
  const before = new Map([[DEMO_ATTACKER, await currentHash(ctx)]]);
  if (tools.has(["quarantine"])) {
    const args = ["quarantine", DEMO_ATTACKER, "--reason", "demo: scanned the shop"];
    tools.say(commandLine(args));
    const run = await tools.cli(args);
    tools.say(indented(run));
    if (run.code !== 0) return false;
  } else {
    tools.say(`POST /api/v1/workloads/${DEMO_ATTACKER}/quarantine`);
    try {
      await labApi(ctx.api, "POST", `/api/v1/workloads/${DEMO_ATTACKER}/quarantine`, {
        reason: "demo: scanned the shop",
      });
    } catch (e) {
      if (e instanceof LabApiError && (e.status === 404 || e.status === 405)) {
        tools.say(notYet("quarantine", "the attacker keeps its access"));
        return false;
      }
      throw e;
    }
  }
  await waitChanged(ctx, before, [DEMO_ATTACKER]);
  return true;
}

async function currentHash(ctx: DemoContext): Promise<string> {
  const { agents } = await labApi<{ agents: { workload: string; currentHash: string }[] }>(
    ctx.api,
    "GET",
    "/api/v1/agents",
  );
  return agents.find((a) => a.workload === DEMO_ATTACKER)?.currentHash ?? "";
}
