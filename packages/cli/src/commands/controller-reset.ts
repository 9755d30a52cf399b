// `microseg controller reset-admin-token --data DIR`: a new admin token in place of a lost one,
// for the administrator of the controller's host (no API token needed; works beside a running
// controller and on a stopped one).
import { userInfo } from "node:os";
import { Command } from "commander";
import { printJson, write } from "../api/output.js";

export function resetAdminTokenCommand(): Command {
  return new Command("reset-admin-token")
    .description(
      "make a new admin token in place of the old one (which stops working), on this host",
    )
    .requiredOption("--data <dir>", "the controller's data directory")
    .option("--audit-key <file>", "the audit key, when the controller runs with --audit-key")
    .option("--json", 'print {"adminToken": "…"} on stdout')
    .addHelpText(
      "after",
      `
For the administrator of the controller's host, who can read and write --data: no API token is
needed. Works while the controller runs (the change takes effect at once) and while it is
stopped. The new token is written to DIR/admin.token (0600) and printed; the change is audited
(token.replace, actor local/USER).

Examples:
  $ sudo npx microseg controller reset-admin-token --data /var/lib/microseg
  $ npx microseg controller reset-admin-token --data ./ctl --json | jq -r .adminToken`,
    )
    .action(async (opts: { data: string; auditKey?: string; json?: boolean }) => {
      const { resetAdminToken } = await import("@microseg/controller");
      const token = await resetAdminToken({
        dataDir: opts.data,
        actor: `local/${localUser()}`,
        ...(opts.auditKey !== undefined && { auditKeyFile: opts.auditKey }),
      });
      if (opts.json === true) printJson({ adminToken: token }, 0);
      else {
        write(
          `new admin token (also in ${opts.data}/admin.token; the old one no longer works): ${token}\n`,
        );
      }
    });
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? "unknown");
  }
}
