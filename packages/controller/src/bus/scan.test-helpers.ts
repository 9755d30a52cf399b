// Flow records of a scan as db-1's agent reports it: one blocked inbound attempt from `scanner`
// per port, all at `at` (the bus tests send them through one replica or another).
import type { FlowTuple } from "@microseg/protocol";

export const DB = "198.18.1.20";

export function blockedAttempts(
  scanner: string,
  ports: readonly number[],
  at: number,
): FlowTuple[] {
  return ports.map((p) => ["in", "tcp", DB, scanner, p, "blocked", 1, 1, 60, at, at]);
}
