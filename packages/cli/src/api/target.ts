// Where to connect (CONTRACT.md "Commands that talk to a controller"): --controller/--token, else
// MICROSEG_CONTROLLER/MICROSEG_TOKEN (commander reads the environment, see options.ts), else the
// controller of the lab that is up (its state file names URL, token and CA fingerprint).
// `--controller URL1,URL2,…` names the replicas of one controller (connect.ts fails over); a lab
// with several replicas (state.controllers) gives all of theirs the same way.
import { MicrosegError } from "@microseg/core";
import { readState } from "@microseg/lab";

export interface ConnectionFlags {
  readonly controller?: string;
  readonly token?: string;
  readonly caFingerprint?: string;
  readonly ca?: string;
}

export interface Target {
  /** One URL, or the replicas' "URL1,URL2,…" (controllerUrls). */
  readonly url: string;
  readonly token: string;
  readonly caFingerprint?: string;
  readonly caFile?: string;
  /** The URL agents use (a lab's controller is reached differently from inside the lab). */
  readonly agentUrl: string;
  /** Where the URL came from, for messages. */
  readonly from: "flags" | "lab";
}

interface LabController {
  readonly url?: unknown;
  readonly agentUrl?: unknown;
  readonly token?: unknown;
  readonly caFingerprint?: unknown;
}

interface LabReplica {
  readonly url?: unknown;
  readonly agentUrl?: unknown;
}

const NO_CONTROLLER =
  "no controller: pass --controller/--token, set MICROSEG_CONTROLLER/MICROSEG_TOKEN, or bring a lab up";

export function resolveTarget(flags: ConnectionFlags): Target {
  const lab = labController();
  const url = flags.controller ?? lab?.url;
  if (url === undefined) throw new MicrosegError("MSEG_USAGE", NO_CONTROLLER);
  checkUrls(url);
  const fromLab = flags.controller === undefined || sameOrigin(flags.controller, lab?.url);
  const token = flags.token ?? (fromLab ? lab?.token : undefined);
  if (token === undefined || token === "") {
    throw new MicrosegError(
      "MSEG_USAGE",
      `no token for ${url}: pass --token or set MICROSEG_TOKEN (the controller printed an admin ` +
        "token on first start and keeps it in DATA/admin.token)",
    );
  }
  const caFingerprint = flags.caFingerprint ?? (fromLab ? lab?.caFingerprint : undefined);
  const agentUrl = fromLab ? (lab?.agentUrl ?? url) : url;
  return {
    url,
    token,
    agentUrl,
    from: flags.controller === undefined ? "lab" : "flags",
    ...(caFingerprint !== undefined && { caFingerprint }),
    ...(flags.ca !== undefined && { caFile: flags.ca }),
  };
}

/**
 * The lab's controller when a lab is up and its state names one. Tolerant: older states have no
 * `controller`, and a lab that is still starting records it with empty fields.
 */
function labController():
  | { url: string; agentUrl?: string; token?: string; caFingerprint?: string }
  | undefined {
  const state = readState() as
    | { controller?: LabController; controllers?: readonly LabReplica[] }
    | undefined;
  const c = state?.controller;
  const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);
  const first = text(c?.url);
  if (c === undefined || first === undefined) return undefined;
  // Every replica that is up (a replica still starting has no URL yet), the first one first.
  const replicas = Array.isArray(state?.controllers) ? state.controllers : [];
  const list = (key: keyof LabReplica, one: string | undefined) => {
    const all = [one, ...replicas.map((r) => text(r?.[key]))].filter((u) => u !== undefined);
    return all.length === 0 ? undefined : [...new Set(all)].join(",");
  };
  const url = list("url", first) as string;
  const [agentUrl, token, caFingerprint] = [
    list("agentUrl", text(c.agentUrl)),
    text(c.token),
    text(c.caFingerprint),
  ];
  return {
    url,
    ...(agentUrl !== undefined && { agentUrl }),
    ...(token !== undefined && { token }),
    ...(caFingerprint !== undefined && { caFingerprint }),
  };
}

/** "URL1, URL2,,URL1" -> ["URL1", "URL2"] (trailing slashes off): trimmed, no empty items, no repeats. */
export function controllerUrls(text: string): string[] {
  const urls = text.split(",").map((u) => u.trim().replace(/\/+$/, ""));
  return [...new Set(urls.filter((u) => u !== ""))];
}

function checkUrls(text: string): void {
  const urls = controllerUrls(text);
  if (urls.length === 0) {
    throw new MicrosegError("MSEG_USAGE", "--controller is empty: give http(s)://HOST:PORT");
  }
  for (const url of urls) checkUrl(url);
}

function checkUrl(url: string): void {
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !["http:", "https:"].includes(parsed.protocol)) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `controller URL "${url}" is not http(s)://HOST:PORT (e.g. https://127.0.0.1:8443)`,
    );
  }
}

/** Every URL of the list `a` is one of the lab's (`b`, a list too): the lab's token may go. */
function sameOrigin(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  try {
    const lab = new Set(controllerUrls(b).map((u) => new URL(u).origin));
    const given = controllerUrls(a);
    return given.length > 0 && given.every((u) => lab.has(new URL(u).origin));
  } catch {
    return false;
  }
}
