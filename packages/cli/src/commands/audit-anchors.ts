// Audit anchors from the command line and from files the controller's exports ended up in.
// Accepted, one per line (anything else on a line is ignored, so a whole log file will do):
//   120:3f9a…                                   SEQ:HASH
//   {"anchor":{"seq":120,"hash":"3f9a…","at":…}} the controller's log line ("audit anchor")
//   {"seq":120,"hash":"3f9a…","at":…}           a bare anchor
//   {"anchors":[{"seq":120,…}]}                 a webhook body
//   … CEF:0|microseg|microseg|…|audit-anchor|… cn1=120 … cs1=3f9a…   a syslog line
import { readFileSync } from "node:fs";
import { MicrosegError } from "@microseg/core";

export interface Anchor {
  readonly seq: number;
  readonly hash: string;
}

const HASH = /^[0-9a-f]{64}$/;

/** `SEQ:HASH` from --anchor; a malformed one is a usage error. */
export function parseAnchorFlag(text: string): Anchor {
  const a = fromColon(text.trim());
  if (a === undefined) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--anchor "${text}" is not SEQ:HASH (a sequence number, a colon, 64 hex digits)`,
    );
  }
  return a;
}

/** Every anchor in the file; none at all is a usage error naming the file. */
export function readAnchorFile(path: string): Anchor[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new MicrosegError("MSEG_FILE_UNREADABLE", `--anchors ${path}: ${(err as Error).message}`);
  }
  const anchors = anchorsInText(text);
  if (anchors.length === 0) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `--anchors ${path} holds no audit anchors (lines like 120:HASH, the controller's "audit anchor" log lines, or its syslog/webhook exports)`,
    );
  }
  return anchors;
}

export function anchorsInText(text: string): Anchor[] {
  return text.split("\n").flatMap((line) => anchorsInLine(line.trim()));
}

function anchorsInLine(line: string): Anchor[] {
  const colon = fromColon(line);
  if (colon !== undefined) return [colon];
  if (line.startsWith("{")) return fromJson(line);
  if (line.includes("|audit-anchor|")) {
    const seq = /\bcn1=(\d+)\b/.exec(line)?.[1];
    const hash = /\bcs1=([0-9a-f]{64})\b/.exec(line)?.[1];
    const a = anchor(Number(seq), hash);
    return a === undefined ? [] : [a];
  }
  return [];
}

function fromColon(text: string): Anchor | undefined {
  const m = /^(\d{1,15}):([0-9a-f]{64})$/.exec(text);
  return m === null ? undefined : anchor(Number(m[1]), m[2]);
}

function fromJson(line: string): Anchor[] {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return [];
  }
  const o = value as { anchor?: unknown; anchors?: unknown; seq?: unknown; hash?: unknown };
  const candidates = Array.isArray(o.anchors) ? o.anchors : [o.anchor ?? o];
  return candidates.flatMap((c) => {
    const x = c as { seq?: unknown; hash?: unknown } | null;
    const a = anchor(x?.seq, x?.hash);
    return a === undefined ? [] : [a];
  });
}

function anchor(seq: unknown, hash: unknown): Anchor | undefined {
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return undefined;
  if (typeof hash !== "string" || !HASH.test(hash)) return undefined;
  return { seq, hash };
}
