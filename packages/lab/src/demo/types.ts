// The demo's vocabulary: its steps, what the caller provides (running `microseg` commands,
// printing, waiting), and what each step reports back (for people and for tests).
import { fileURLToPath } from "node:url";

export const DEMO_STEPS = [
  "learn",
  "recommend",
  "test",
  "enforce",
  "attack",
  "quarantine",
] as const;
export type DemoStep = (typeof DEMO_STEPS)[number];

/** examples/demo/scenario.yaml (same depth from src/demo and dist/demo). */
export const DEMO_SCENARIO = fileURLToPath(
  new URL("../../../../examples/demo/scenario.yaml", import.meta.url),
);
export const DEMO_REFERENCE_POLICY = fileURLToPath(
  new URL("../../../../examples/demo/reference-policy.yaml", import.meta.url),
);
/** The scenario's attacker host. */
export const DEMO_ATTACKER = "attacker";
/** The scenario's vulnerability scanner, not declared to microseg: it sweeps during learning. */
export const DEMO_SCANNER = "vuln-1";

export interface CliRun {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** What the demo needs from its caller (the CLI, or a test). */
export interface DemoTools {
  /** Runs one `microseg` command line (without the program name), output captured. */
  cli(args: readonly string[]): Promise<CliRun>;
  /** Whether this build of microseg has the command, e.g. ["policy", "recommend"]. */
  has(command: readonly string[]): boolean;
  /** Prints a line (or several) for the person watching. */
  say(text: string): void;
  sleep(ms: number): Promise<void>;
}

export interface DemoOptions {
  readonly dir?: string;
  /** How long the learn step lets traffic flow before it reads the flow graph. */
  readonly learnSeconds: number;
  /** How long test mode runs before would-block flows are counted. */
  readonly testSeconds: number;
  /** How long the attack step waits for alerts. */
  readonly alertSeconds: number;
}

/** What one step did. `available` is false when this build lacks the capability it shows. */
export interface StepResult {
  readonly step: DemoStep;
  readonly available: boolean;
  /** The step's check held (e.g. nothing normal would be blocked; the attacker is cut off). */
  readonly ok: boolean;
  readonly summary: string;
  readonly data: Readonly<Record<string, unknown>>;
}
