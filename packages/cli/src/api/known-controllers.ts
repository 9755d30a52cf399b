// Trust on first use, like ssh's known_hosts: the CA fingerprint seen for each controller URL is
// remembered in ~/.config/microseg/known-controllers.json (0600; $XDG_CONFIG_HOME respected).
// A later connection presenting another CA is refused until the entry is removed by hand.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join } from "node:path";
import { MicrosegError } from "@microseg/core";

interface KnownFile {
  readonly controllers: Record<string, { fingerprint: string; firstSeen: string }>;
}

export function knownControllersPath(): string {
  const config = process.env.XDG_CONFIG_HOME || join(homedir(), ".config");
  return join(config, "microseg", "known-controllers.json");
}

/** The remembered fingerprint of the controller at `url` (its origin), if any. */
export function knownFingerprint(url: string, path = knownControllersPath()): string | undefined {
  return readKnown(path).controllers[new URL(url).origin]?.fingerprint;
}

export function rememberFingerprint(
  url: string,
  fingerprint: string,
  path = knownControllersPath(),
): void {
  const known = readKnown(path);
  const controllers = {
    ...known.controllers,
    [new URL(url).origin]: { fingerprint, firstSeen: new Date().toISOString() },
  };
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ controllers }, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

function readKnown(path: string): KnownFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch {
    return { controllers: {} };
  }
  try {
    const parsed = JSON.parse(text) as Partial<KnownFile>;
    if (typeof parsed.controllers === "object" && parsed.controllers !== null) {
      return { controllers: parsed.controllers };
    }
  } catch {
    // fall through
  }
  throw new MicrosegError(
    "MSEG_FILE_UNREADABLE",
    `${path} is not a known-controllers file ({"controllers": {URL: {fingerprint}}}); fix or remove it`,
  );
}
