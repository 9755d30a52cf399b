// How many inputs a property test tries, and from which seed. CI runs a modest, fixed count;
// a longer run sets MICROSEG_FUZZ_RUNS (and MICROSEG_FUZZ_SEED to replay or vary it). The
// environment is passed in: core reads no globals.

/** The seed CI uses, so a failure there replays anywhere. */
export const DEFAULT_FUZZ_SEED = 20260101;

export interface FuzzSettings {
  readonly numRuns: number;
  readonly seed: number;
}

export function fuzzSettings(
  env: Readonly<Record<string, string | undefined>>,
  defaultRuns: number,
): FuzzSettings {
  return {
    numRuns: positive(env.MICROSEG_FUZZ_RUNS) ?? defaultRuns,
    seed: integer(env.MICROSEG_FUZZ_SEED) ?? DEFAULT_FUZZ_SEED,
  };
}

function positive(text: string | undefined): number | undefined {
  const n = integer(text);
  return n !== undefined && n > 0 ? n : undefined;
}

function integer(text: string | undefined): number | undefined {
  return text !== undefined && /^-?\d{1,15}$/.test(text.trim()) ? Number(text) : undefined;
}
