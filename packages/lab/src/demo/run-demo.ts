// `microseg demo`: the whole story on one lab, step by step.
//
//   openDemo (lab up examples/demo or reuse it, background traffic, console URL + token)
//     ─> learn ─> recommend ─> test ─> enforce ─> attack ─> quarantine
//
// Each step runs the real commands (through DemoTools.cli) or the lab's own functions, prints
// what happens, and returns a StepResult; a capability this build lacks is said plainly and
// the step does the closest honest thing (see docs/demo.md). The lab stays up afterwards.

import { consoleInfo, consoleText } from "./console.js";
import { type DemoContext, openDemo } from "./session.js";
import { attackStep, quarantineStep } from "./step-attack.js";
import { learnStep, recommendStep } from "./step-learn.js";
import { enforceStep, testStep } from "./step-rollout.js";
import {
  DEMO_STEPS,
  type DemoOptions,
  type DemoStep,
  type DemoTools,
  type StepResult,
} from "./types.js";

export const STEP_TITLES: Readonly<Record<DemoStep, string>> = {
  learn: "Learn: map what talks to what",
  recommend: "Recommend: turn the flows into least-privilege policy",
  test: "Test mode: see what the policy would block, block nothing",
  enforce: "Enforce: block everything the policy does not allow",
  attack: "Attack: the compromised host scans and fans out",
  quarantine: "Quarantine: cut the attacker off, keep the shop running",
};

const RUNNERS: Readonly<Record<DemoStep, (ctx: DemoContext) => Promise<StepResult>>> = {
  learn: learnStep,
  recommend: recommendStep,
  test: testStep,
  enforce: enforceStep,
  attack: attackStep,
  quarantine: quarantineStep,
};

export interface RunDemoOptions extends DemoOptions {
  readonly steps: readonly DemoStep[];
  /** Called between steps (a pause, or waiting for Enter with --guided). */
  readonly between?: (next: DemoStep) => Promise<void>;
}

export async function runDemo(tools: DemoTools, opts: RunDemoOptions): Promise<StepResult[]> {
  const ctx = await openDemo(tools, opts);
  if (ctx.state.controller !== undefined) {
    tools.say(`\n${consoleText(await consoleInfo(ctx.state.controller))}`);
  }
  const results: StepResult[] = [];
  for (const step of opts.steps) {
    if (opts.between !== undefined) await opts.between(step);
    const n = DEMO_STEPS.indexOf(step) + 1;
    tools.say(`\n== ${n}. ${STEP_TITLES[step]} ==`);
    const result = await RUNNERS[step](ctx);
    tools.say(`-> ${result.summary}${result.available ? "" : " (capability not in this build)"}`);
    results.push(result);
  }
  return results;
}
