// Runs the CLI in process and captures what it writes: the one way CLI tests drive `main()`.
import { vi } from "vitest";
import { main } from "../main.js";

export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

export async function runMain(args: string[]): Promise<Run> {
  let out = "";
  let err = "";
  const o = vi.spyOn(process.stdout, "write").mockImplementation((c) => {
    out += String(c);
    return true;
  });
  const e = vi.spyOn(process.stderr, "write").mockImplementation((c) => {
    err += String(c);
    return true;
  });
  try {
    return { code: await main(args), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}
