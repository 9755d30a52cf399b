// Where to follow the demo in the browser: the lab controller's console, reachable from this
// machine at the relay's loopback address, signed in with the lab's admin token.
import { request } from "node:https";
import type { StateController } from "../state.js";

export interface ConsoleInfo {
  readonly url: string;
  readonly token: string;
  readonly caFingerprint: string;
  /** The controller answered "/" with a web page (this build serves the console). */
  readonly served: boolean;
}

export async function consoleInfo(controller: StateController): Promise<ConsoleInfo> {
  const url = `${controller.url}/`;
  return {
    url,
    token: controller.token,
    caFingerprint: controller.caFingerprint,
    served: await servesPage(url, controller.caPem),
  };
}

/** GET url (CA pinned, 5 s bound): true when it answers 200 with HTML. */
function servesPage(url: string, caPem: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(url, { method: "GET", ca: caPem, timeout: 5000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 && /html/.test(String(res.headers["content-type"])));
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(false));
    req.end();
  });
}

export function consoleText(info: ConsoleInfo): string {
  const lines = [
    info.served
      ? `Console:      ${info.url}   (open it in a browser on this machine)`
      : `Console:      ${info.url}   (this build does not serve the console yet; the API is there)`,
    `Admin token:  ${info.token}`,
    `Lab CA:       sha256 ${info.caFingerprint}`,
    "              (the browser warns about the lab's own CA; this fingerprint is the one to accept)",
  ];
  return lines.join("\n");
}
