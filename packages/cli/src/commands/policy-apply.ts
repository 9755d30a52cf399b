// `microseg policy apply FILE…`: upload the files as the controller's draft (not yet in force:
// `policy diff`, then `policy provision`). An invalid policy is refused by the controller; every
// diagnostic is printed like `policy check` prints it, and the exit code is 2.
import { type ControllerClient, type PolicyDiagnostic, policyDiagnostics } from "@microseg/client";
import { Command } from "commander";
import { connect } from "../api/connect.js";
import { CONNECTION_HELP, type WithConnection, withConnection } from "../api/options.js";
import { plural, printJson, shown, write, writeErr } from "../api/output.js";
import { type Bundle, bundleFiles, locate } from "./policy-bundle.js";

type Flags = WithConnection<{ json?: boolean }>;

export function policyApplyCommand(): Command {
  return withConnection(new Command("apply"))
    .description("Upload policy files to the controller as its draft (validated there).")
    .argument("<files...>", "policy files (native YAML and/or Kubernetes NetworkPolicy)")
    .option("--json", "print the saved draft (or the diagnostics) as JSON on stdout")
    .addHelpText(
      "after",
      `
The files become one draft; nothing is enforced until \`policy provision\`. The controller
validates the draft against its inventory; problems are printed on stderr as
FILE:LINE: PATH: what is wrong and the fix [CODE], and nothing is saved.

Exit codes: 0 saved · 2 invalid policy or unreadable file · 3 controller unreachable or token refused

Examples:
  $ npx microseg policy apply policy.yaml
  $ npx microseg policy apply base.yaml team-a.yaml && npx microseg policy diff
${CONNECTION_HELP}`,
    )
    .action(async (files: string[], opts: Flags) => {
      const bundle = await bundleFiles(files);
      await upload(await connect(opts), bundle, opts);
    });
}

async function upload(client: ControllerClient, bundle: Bundle, opts: Flags): Promise<void> {
  try {
    const saved = await client.putDraft(bundle.text);
    if (opts.json === true) return printJson(saved);
    const s = saved.summary;
    write(
      `draft saved: ${plural(s.rules, "rule")}, ${plural(s.ipLists, "IP list")}, ` +
        `${plural(s.workloads, "declared workload")} (base revision ${saved.draft.baseRevision ?? "none"})\n` +
        "next: microseg policy diff, then microseg policy provision -m 'why'\n",
    );
  } catch (err) {
    const diagnostics = policyDiagnostics(err);
    if (diagnostics === undefined) throw err;
    const mapped = diagnostics.map((d) => relocate(bundle, d));
    const lines = mapped.map((d) => shown(formatWire(d)));
    lines.push(`${plural(mapped.length, "problem")} found; nothing was saved.`);
    writeErr(`${lines.join("\n")}\n`);
    if (opts.json === true) printJson({ saved: false, diagnostics: mapped });
    process.exitCode = 2;
  }
}

function relocate(bundle: Bundle, d: PolicyDiagnostic): PolicyDiagnostic {
  const { file, line, path } = locate(bundle, d);
  const { line: _line, ...rest } = d;
  return { ...rest, file, path, ...(line !== undefined && { line }) };
}

/** Same form as core's formatDiagnostic: `file:line: path: message [CODE]`. */
function formatWire(d: PolicyDiagnostic): string {
  const where = [d.file, d.line].filter((x) => x !== undefined).join(":");
  const path = d.path === "" ? "" : `${d.path}: `;
  return `${where === "" ? "" : `${where}: `}${path}${d.message} [${d.code}]`;
}
