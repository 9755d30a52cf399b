// A ControllerClient for the resolved target, with the TLS trust the user asked for:
//   http://                  no TLS
//   --ca FILE                trust that PEM (with the usual host-name check)
//   --ca-fingerprint FP      fetch /api/ca.pem, accept it only with that SHA-256, trust it alone
//   (neither)                the fingerprint remembered for the URL in known-controllers.json
//                            (refuse if it changed); else show it and ask y/N on a terminal,
//                            remember it on yes; refuse when no one can answer.
// Until the CA is trusted only GET /api/ca.pem (public, no token) is sent: the token never goes
// to a server no one vouched for.
// `--controller URL1,URL2` (a controller's replicas): the rules above hold for each URL (one
// --ca-fingerprint for all; a remembered fingerprint per URL), each URL is trusted when it is
// first used, and the command talks to the first that answers, moving on when one stops
// answering or answers 5xx (@microseg/client Failover).
import { readFileSync } from "node:fs";
import { createInterface } from "node:readline/promises";
import {
  ControllerClient,
  createTransport,
  Failover,
  fetchCa,
  pinnedCa,
  type Transport,
  untrusted,
} from "@microseg/client";
import { MicrosegError } from "@microseg/core";
import { colonFingerprint } from "@microseg/protocol";
import {
  knownControllersPath,
  knownFingerprint,
  rememberFingerprint,
} from "./known-controllers.js";
import { writeErr } from "./output.js";
import { type ConnectionFlags, controllerUrls, resolveTarget, type Target } from "./target.js";

/** Who confirms an unknown CA. */
export interface TrustPrompt {
  /** A person can answer: stdin is a terminal. */
  readonly interactive: boolean;
  /** Shows `question` and resolves to the line typed. */
  ask(question: string): Promise<string>;
}

/** The terminal: asks on stderr (stdout stays for output), reads one line of stdin. */
export function terminalPrompt(): TrustPrompt {
  return {
    interactive: process.stdin.isTTY === true,
    ask: async (question) => {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        return await rl.question(question);
      } finally {
        rl.close();
      }
    },
  };
}

export async function connect(
  flags: ConnectionFlags,
  prompt: TrustPrompt = terminalPrompt(),
): Promise<ControllerClient> {
  return (await connectTarget(flags, prompt)).client;
}

export async function connectTarget(
  flags: ConnectionFlags,
  prompt: TrustPrompt = terminalPrompt(),
): Promise<{ client: ControllerClient; target: Target }> {
  const target = resolveTarget(flags);
  return { client: await clientFor(target, prompt), target };
}

async function clientFor(target: Target, prompt: TrustPrompt): Promise<ControllerClient> {
  const endpoints = controllerUrls(target.url).map((url) => ({
    url,
    open: () => transportFor(url, target, prompt),
  }));
  const failover = new Failover(endpoints, (from, to, reason) =>
    writeErr(`the controller at ${from} did not answer (${reason}); using ${to}\n`),
  );
  await failover.ready();
  return new ControllerClient({ url: target.url, token: target.token, failover });
}

/** A transport to `url`, trusted as the flags say (the table at the top). */
async function transportFor(url: string, target: Target, prompt: TrustPrompt): Promise<Transport> {
  if (new URL(url).protocol === "http:") return createTransport({ baseUrl: url });
  if (target.caFile !== undefined) return createTransport({ baseUrl: url, ca: readCa(target) });
  if (target.caFingerprint !== undefined) {
    const ca = await pinnedCa(url, target.caFingerprint);
    return createTransport({ baseUrl: url, ca: ca.pem, pinned: true });
  }
  const ca = await rememberedOrConfirmed(url, prompt);
  return createTransport({ baseUrl: url, ca, pinned: true });
}

async function rememberedOrConfirmed(url: string, prompt: TrustPrompt): Promise<string> {
  const ca = await fetchCa(url);
  const known = knownFingerprint(url);
  const file = knownControllersPath();
  if (known === undefined) {
    await confirm(url, ca.fingerprint, prompt);
    rememberFingerprint(url, ca.fingerprint);
    writeErr(`remembered in ${file}\n`);
  } else if (known !== ca.fingerprint) {
    throw untrusted(
      `the controller at ${url} now presents CA ${ca.fingerprint}, but ${known} was remembered ` +
        `in ${file}. Someone may be intercepting the connection; if the controller's CA was ` +
        "really replaced, remove its entry from that file and connect again",
    );
  }
  return ca.pem;
}

/** Resolves when a person said yes to `fingerprint`; throws MSEG_CONTROLLER_UNTRUSTED otherwise. */
async function confirm(url: string, fingerprint: string, prompt: TrustPrompt): Promise<void> {
  const refuse = (why: string) =>
    new MicrosegError(
      "MSEG_CONTROLLER_UNTRUSTED",
      `${why}; the token was not sent. Compare the fingerprint with the one the controller ` +
        `printed at start, then pass --ca-fingerprint ${fingerprint} (or set ` +
        "MICROSEG_CA_FINGERPRINT)",
    );
  const shown = colonFingerprint(fingerprint);
  if (!prompt.interactive) {
    throw refuse(
      `the controller at ${url} presents a CA this machine does not know (SHA-256 ${shown}) ` +
        "and there is no terminal to confirm it",
    );
  }
  const answer = await prompt.ask(
    `The controller at ${url} presents a CA this machine does not know:\n` +
      `  SHA-256 ${shown}\n` +
      "Compare it with the fingerprint the controller printed at start.\n" +
      "Trust it, remember it and send your token? [y/N] ",
  );
  if (!/^y(es)?$/i.test(answer.trim())) throw refuse(`the CA of ${url} was not confirmed`);
}

function readCa(target: Target): string {
  try {
    return readFileSync(target.caFile ?? "", "utf8");
  } catch (e) {
    throw new MicrosegError(
      "MSEG_FILE_UNREADABLE",
      `--ca ${target.caFile}: ${(e as Error).message}`,
    );
  }
}
