// `microseg policy explain FILE… --from W --to W --port P`: the verdict for one hypothetical
// flow and the decision path behind it, from the policy files alone.

import { isIP } from "node:net";
import {
  type Endpoint,
  explain,
  MicrosegError,
  parseServicePort,
  type Workload,
} from "@microseg/core";
import { Command } from "commander";
import { printJson, shown, write } from "../api/output.js";
import { formatSteps } from "./policy-format.js";
import { FILES_HELP, loadFiles, reportDiagnostics } from "./policy-load.js";

interface ExplainOptions {
  from: string;
  to: string;
  port: string;
  json?: boolean;
}

export function policyExplainCommand(): Command {
  return new Command("explain")
    .description(
      "Explain how the policy treats one flow: the verdict, and which rule or default decided at each end.",
    )
    .argument("<files...>", FILES_HELP)
    .requiredOption("--from <workload|ip>", "the client: a workload of the files, or an IP address")
    .requiredOption("--to <workload|ip>", "the server: a workload of the files, or an IP address")
    .requiredOption(
      "--port <proto/port>",
      "tcp/5432, udp/53, icmp, icmp/8, or a named port such as tcp/http",
    )
    .option("--json", "print {query, decision} as JSON on stdout")
    .addHelpText(
      "after",
      `
A flow is judged at each end that is a managed workload: the source's outbound chain and the
destination's inbound chain. Each step shows the workload, its mode, what policy says there, and
the deciding rule (with its file and path) or the default that applied. The verdict accounts for
modes: "would-block" means test mode reports the flow but lets it pass.

Examples:
  $ npx microseg policy explain policy.yaml --from web-1 --to db-1 --port tcp/5432
  $ npx microseg policy explain policy.yaml --from 203.0.113.9 --to web-1 --port tcp/443
  $ npx microseg policy explain policies/ --from web-1 --to db-1 --port icmp --json`,
    )
    .action(async (files: string[], opts: ExplainOptions) => {
      const result = await loadFiles(files);
      if (!result.ok) {
        reportDiagnostics(result.diagnostics);
        return;
      }
      const from = endpoint(opts.from, "--from", result.workloads);
      const to = endpoint(opts.to, "--to", result.workloads);
      checkPort(opts.port);
      const query = { from, to, port: opts.port };
      const decision = explain(result.loaded.policy, result.workloads, query);
      if (opts.json === true) {
        printJson({ query, decision });
        return;
      }
      const head = `${opts.from} -> ${opts.to} ${opts.port}: ${decision.verdict} (policy says ${decision.policy})`;
      write(`${[head, ...formatSteps(decision, "  ")].map(shown).join("\n")}\n`);
    });
}

function endpoint(text: string, option: string, workloads: readonly Workload[]): Endpoint {
  if (workloads.some((w) => w.name === text)) return { workload: text };
  if (isIP(text) !== 0) return { address: text };
  const names = workloads.map((w) => w.name);
  const known =
    names.length === 0 ? "the files declare no workloads" : `known: ${names.join(", ")}`;
  throw new MicrosegError(
    "MSEG_POLICY_UNDEFINED_REFERENCE",
    `${option} ${text} is neither a workload of the policy files (${known}) nor an IP address`,
  );
}

function checkPort(port: string): void {
  const parsed = parseServicePort(port);
  const p = parsed.ok ? parsed.port : undefined;
  if (p !== undefined && p.proto !== "any" && !("from" in p && p.from !== p.to)) return;
  const why = parsed.ok ? "a flow has one port" : parsed.message;
  throw new MicrosegError(
    "MSEG_USAGE",
    `--port ${port}: ${why}; write e.g. tcp/5432, udp/53 or icmp`,
  );
}
