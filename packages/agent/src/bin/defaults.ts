// Defaults of the host commands on a real server (the Debian package's layout).

/** The agent's state directory on a packaged host (docs/agent.md, "State directory"). */
export const DEFAULT_STATE_DIR = "/var/lib/microseg-agent";

/** Where the host commands read a maintenance token when --token is not given. */
export const TOKEN_ENV = "MICROSEG_MAINTENANCE_TOKEN";

/** The token from --token, else $MICROSEG_MAINTENANCE_TOKEN; undefined when neither is set. */
export function tokenFrom(flag: string | undefined): string | undefined {
  const token = flag ?? process.env[TOKEN_ENV];
  return token === undefined || token === "" ? undefined : token;
}
