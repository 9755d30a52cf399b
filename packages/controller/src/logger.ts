// Structured logs: JSON lines on stderr (stdout carries what the operator must read once: the
// admin token, the CA fingerprint).
import { type Logger, pino } from "pino";

export type LogOption = Logger | "silent" | "error" | "warn" | "info" | "debug" | undefined;

export function makeLogger(opt: LogOption): Logger {
  if (typeof opt === "object") return opt;
  return pino(
    { name: "microseg-controller", level: opt ?? "info" },
    pino.destination({ dest: 2, sync: true }),
  );
}
