// The `microseg` command in process, for the end-to-end tests: its output, or a thrown error
// with the exit code and stderr; and the alerts it lists.
import { runMain } from "../../packages/cli/src/testing/run-main.js";

export interface Alert {
  readonly id: string;
  readonly kind: string;
  readonly severity: string;
  readonly source: string;
  readonly targets: string[];
  readonly at: string;
  readonly summary: string;
}

/** Runs `microseg ARGS`; answers stdout, throws unless the exit code is 0. */
export async function cli(...args: string[]): Promise<string> {
  const r = await runMain(args);
  if (r.code !== 0) throw new Error(`microseg ${args.join(" ")}: exit ${r.code}\n${r.err}`);
  return r.out;
}

/** `microseg alerts --json`. */
export async function alerts(): Promise<Alert[]> {
  return (JSON.parse(await cli("alerts", "--json")) as { alerts: Alert[] }).alerts;
}
