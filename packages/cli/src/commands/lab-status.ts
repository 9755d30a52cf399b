import { maskUrlPassword } from "@microseg/core";
import { type LabState, readState, replicasOf } from "@microseg/lab";
import { Command } from "commander";
import { printJson, table, write } from "../api/output.js";

export function labStatusCommand(): Command {
  return new Command("status")
    .description("Show the running lab's hosts (name, namespace, addresses, mode, ports).")
    .option("--json", "print the lab's state as JSON on stdout")
    .addHelpText(
      "after",
      `
Exits 0 when a lab is up, 3 when none is. --json leaves the admin token out (it is in the
lab's state file, readable by root only).

Examples:
  $ npx microseg lab status
  $ npx microseg lab status --json`,
    )
    .action((opts: { json?: boolean }) => {
      const state = readState();
      if (opts.json === true) {
        printJson(redacted(state) ?? null);
      } else if (state === undefined) {
        write("no lab is up\n");
      } else {
        write(`lab "${state.lab}" (${state.scenario}): ${state.phase}\n\n`);
        const rows = state.hosts.map((h) => [
          h.name,
          h.netns,
          `${h.address} ${h.address6}`,
          h.managed ? h.mode : "unmanaged",
          h.listen.join(" ") || "-",
        ]);
        write(table(["host", "namespace", "addresses", "mode", "listens on"], rows));
        const c = state.controller;
        if (c !== undefined) {
          write(
            `\ncontroller: ${c.url || "(starting)"} in ${c.netns}, ${state.agents?.length ?? 0} agents\n`,
          );
          for (const r of replicasOf(state).slice(1)) {
            write(`replica:    ${r.url || "(starting)"} (pid ${r.pid})\n`);
          }
        }
      }
      if (state?.phase !== "up") process.exitCode = 3;
    });
}

/**
 * The state without secrets (the admin token stays in the state file, 0600; a store or bus
 * password is masked), with `controllers: [{url, pid}]`, one per replica (CONTRACT.md; one for a lab whose
 * state predates replicas).
 */
function redacted(state: LabState | undefined): object | undefined {
  if (state?.controller === undefined) return state;
  const { token: _t, caPem: _p, ...controller } = state.controller;
  const controllers = replicasOf(state).map((r) => ({ url: r.url, pid: r.pid }));
  return {
    ...state,
    ...(state.store !== undefined && { store: maskUrlPassword(state.store) }),
    ...(state.bus !== undefined && { bus: state.bus.map(maskUrlPassword) }),
    controller: { ...controller, token: "(in the lab state file)", caPem: "" },
    controllers,
  };
}
