// Several controller URLs (the replicas of one controller) for one command. Each request goes to
// the URL in use (the first that answers, at start); no answer (refused, reset, timed out, TLS
// failed: UnreachableError) or a 5xx moves to the next URL at once, round robin, each URL at most
// once per request, and the command stays on the new one. When none answers, the last failure is
// the caller's. A 4xx is the controller's decision: returned as is.
//
// Each URL is opened — its CA trusted, by the caller's `open` (the CLI's trust rules, per URL) —
// the first time it is used. Any other failure to open (a CA that does not match the pin or the
// remembered fingerprint, no one to confirm an unknown one) ends the command: that is no outage,
// and the token is never sent to a server no one vouched for.
import type { RawResponse, Transport } from "./transport.js";
import { UnreachableError } from "./transport.js";

export interface Endpoint {
  readonly url: string;
  /** The transport to `url`, trusted as the caller decides; rejects with UnreachableError when no one answers. */
  readonly open: () => Promise<Transport>;
}

type Outcome = { readonly response: RawResponse } | { readonly error: unknown };

export class Failover {
  readonly #endpoints: readonly Endpoint[];
  readonly #opened: (Promise<Transport> | undefined)[];
  readonly #onMove: ((from: string, to: string, reason: string) => void) | undefined;
  #current = 0;

  /** `onMove` is told each time the command moves to another URL, with what moved it. */
  constructor(
    endpoints: readonly Endpoint[],
    onMove?: (from: string, to: string, reason: string) => void,
  ) {
    if (endpoints.length === 0) throw new Error("Failover: no controller URL");
    this.#endpoints = endpoints;
    this.#opened = endpoints.map(() => undefined);
    this.#onMove = onMove;
  }

  /** The URL in use. */
  get url(): string {
    return this.#endpoints[this.#current]?.url ?? "";
  }

  /** Opens the first URL that answers (its CA is checked before any token is sent). */
  async ready(): Promise<void> {
    await this.#each(async () => ({ status: 200, text: "" }));
  }

  readonly send: Transport = (req) => this.#each((transport) => transport(req));

  async #each(use: (transport: Transport) => Promise<RawResponse>): Promise<RawResponse> {
    const start = this.#current;
    const n = this.#endpoints.length;
    let last: Outcome | undefined;
    for (let k = 0; k < n; k += 1) {
      const i = (start + k) % n;
      try {
        const response = await use(await this.#open(i));
        if (response.status < 500) {
          this.#moveTo(i, last);
          return response;
        }
        last = { response };
      } catch (error) {
        if (!(error instanceof UnreachableError)) throw error;
        last = { error };
      }
    }
    if (last !== undefined && "response" in last) return last.response;
    throw (last as { error: unknown }).error;
  }

  #open(i: number): Promise<Transport> {
    const opened = this.#opened[i] ?? (this.#endpoints[i] as Endpoint).open();
    this.#opened[i] = opened;
    // Not answering now is no verdict on the URL: it is opened afresh next time.
    opened.catch(() => {
      if (this.#opened[i] === opened) this.#opened[i] = undefined;
    });
    return opened;
  }

  #moveTo(i: number, last: Outcome | undefined): void {
    if (i === this.#current) return;
    const from = this.url;
    this.#current = i;
    this.#onMove?.(from, this.url, reason(last));
  }
}

function reason(last: Outcome | undefined): string {
  if (last === undefined) return "";
  if ("response" in last) return `answered HTTP ${last.response.status}`;
  return (last.error as Error).message;
}
