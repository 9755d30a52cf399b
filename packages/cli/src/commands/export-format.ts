// The human fidelity report (stderr): one line per entry, worst first, and a closing count.
import { type FidelityEntry, formatFidelity } from "@microseg/export";

export function formatFidelityReport(target: string, entries: readonly FidelityEntry[]): string {
  const count = (s: FidelityEntry["severity"]) => entries.filter((e) => e.severity === s).length;
  const lines = [
    `fidelity of --to ${target}:`,
    ...formatFidelity(entries).map((l) => `  ${l}`),
    `${count("exact")} exact, ${count("approximated")} approximated, ${count("dropped")} dropped`,
  ];
  return `${lines.join("\n")}\n`;
}
