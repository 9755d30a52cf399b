// Reading the detectors from the demo: `microseg alerts --source HOST --json`, polled until every
// kind the step expects is there (the detectors judge each flow batch as agents report it, so
// the kinds of one attack arrive seconds apart) or the step's deadline passes.
import type { DemoContext } from "./session.js";
import { commandLine, jsonOf, notYet, rows } from "./show.js";

export interface Alert {
  readonly id: string;
  readonly kind: string;
  readonly severity: string;
  readonly source: string;
  readonly status?: string;
  readonly targets: readonly string[];
  readonly summary: string;
}

/** The alerts seen, and which expected kinds are among them. */
export interface AlertsFound {
  readonly alerts: readonly Alert[];
  readonly missing: readonly string[];
}

/** How often the alerts are read again while a kind is missing. */
const POLL_MS = 2000;

/**
 * Polls the alerts about `source` until each of `kinds` is present or `seconds` pass, then
 * prints them (severity, kind, id, summary). Undefined when this build has no detection.
 */
export async function waitForAlertKinds(
  ctx: DemoContext,
  source: string,
  kinds: readonly string[],
  seconds: number,
): Promise<AlertsFound | undefined> {
  const { tools } = ctx;
  if (!tools.has(["alerts"])) {
    tools.say(notYet("detection (microseg alerts)", "no alert is raised"));
    return undefined;
  }
  tools.say(commandLine(["alerts", "--source", source]));
  const deadline = Date.now() + seconds * 1000;
  let found: Alert[] = [];
  let missing: string[] = [...kinds];
  for (;;) {
    const run = await tools.cli(["alerts", "--source", source, "--json"]);
    found = (jsonOf<{ alerts: Alert[] }>(run)?.alerts ?? []).filter((a) => a.source === source);
    missing = kinds.filter((k) => !found.some((a) => a.kind === k));
    if (missing.length === 0 || Date.now() >= deadline) break;
    await tools.sleep(POLL_MS);
  }
  tools.say(
    found.length === 0
      ? `    no alert about ${source} within ${seconds} s`
      : rows(found.map((a) => [a.severity, a.kind, a.id, a.summary])),
  );
  if (found.length > 0 && missing.length > 0) {
    tools.say(`    not raised within ${seconds} s: ${missing.join(", ")}`);
  }
  return { alerts: found, missing };
}
