// Detection settings of one controller, from its flags: where alerts go (webhooks, syslog), which
// alerts quarantine their source automatically (off unless configured), the decoys, thresholds.
import { readFileSync } from "node:fs";
import { MicrosegError } from "@microseg/core";
import {
  ALERT_KINDS,
  type AlertKind,
  DEFAULT_DETECTION_OPTIONS,
  type Decoy,
  type DetectionOptions,
  parseDecoy,
  SEVERITIES,
  type Severity,
} from "@microseg/insight";

export interface SyslogTarget {
  readonly transport: "udp" | "tcp";
  readonly host: string;
  readonly port: number;
}

export interface DetectionConfig {
  readonly webhooks: readonly string[];
  /** Signs every webhook request (HMAC-SHA256, webhook.ts); from --alert-webhook-secret FILE. */
  readonly webhookSecret?: string;
  readonly syslog: readonly SyslogTarget[];
  /** kind -> minimum severity that quarantines the alert's source; empty: never automatic. */
  readonly autoQuarantine: ReadonlyMap<AlertKind, Severity>;
  readonly decoys: readonly Decoy[];
  readonly options: Partial<DetectionOptions>;
  /** How often agent states are checked for enforcement gaps. */
  readonly gapCheckMs: number;
}

export const DEFAULT_DETECTION_CONFIG: DetectionConfig = {
  webhooks: [],
  syslog: [],
  autoQuarantine: new Map(),
  decoys: [],
  options: {},
  gapCheckMs: 15_000,
};

/** `decoy:high,scan:critical` (or `decoy` alone: any severity). */
export function parseAutoQuarantine(text: string): Map<AlertKind, Severity> {
  const out = new Map<AlertKind, Severity>();
  for (const part of text
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "")) {
    const [kind, severity = "low"] = part.split(":");
    if (!ALERT_KINDS.includes(kind as AlertKind)) {
      throw usage(
        `--auto-quarantine: "${kind}" is not an alert kind; use one of ${ALERT_KINDS.join(", ")} (e.g. decoy:high)`,
      );
    }
    if (!SEVERITIES.includes(severity as Severity)) {
      throw usage(
        `--auto-quarantine: "${severity}" in "${part}" is not a severity; use one of ${SEVERITIES.join(", ")}`,
      );
    }
    out.set(kind as AlertKind, severity as Severity);
  }
  return out;
}

/** `udp://host:514`, `tcp://host:601`, `udp://[::1]:514`; port defaults to 514. */
export function parseSyslogTarget(text: string): SyslogTarget {
  const m = /^(udp|tcp):\/\/(\[[0-9a-fA-F:.]+\]|[^:/\s]+)(?::(\d{1,5}))?\/?$/.exec(text.trim());
  const port = Number(m?.[3] ?? 514);
  if (m === null || port < 1 || port > 65535) {
    throw usage(`--alert-syslog "${text}" is not udp://HOST[:PORT] or tcp://HOST[:PORT]`);
  }
  const host = (m[2] as string).replace(/^\[|\]$/g, "");
  return { transport: m[1] as "udp" | "tcp", host, port };
}

export function parseWebhook(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw usage(`--alert-webhook "${text}" is not a URL (e.g. https://hooks.example/alerts)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw usage(`--alert-webhook "${text}" must be an http:// or https:// URL`);
  }
  return url.toString();
}

/** Shorter secrets are refused: a receiver's HMAC is only as strong as what it is keyed with. */
export const MIN_WEBHOOK_SECRET_BYTES = 16;

/**
 * The webhook secret from its file: the whole file, one trailing line break dropped (so
 * `echo SECRET > FILE` works). A file keeps it out of the process list and shell history.
 */
export function readWebhookSecret(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new MicrosegError(
      "MSEG_FILE_UNREADABLE",
      `--alert-webhook-secret ${path}: ${(err as Error).message}; give a file holding the shared secret (e.g. made with: openssl rand -hex 32 > FILE)`,
    );
  }
  const secret = text.replace(/\r?\n$/, "");
  if (Buffer.byteLength(secret) < MIN_WEBHOOK_SECRET_BYTES) {
    throw usage(
      `--alert-webhook-secret ${path} holds ${Buffer.byteLength(secret)} bytes; a secret needs at least ${MIN_WEBHOOK_SECRET_BYTES} (e.g. openssl rand -hex 32 > FILE)`,
    );
  }
  return secret;
}

export function parseDecoyFlag(text: string): Decoy {
  const d = parseDecoy(text);
  if (d === undefined) {
    throw usage(`--decoy "${text}" is not ADDR, ADDR:tcp/PORT, NAME or NAME:tcp/PORT`);
  }
  return d;
}

function usage(message: string): MicrosegError {
  return new MicrosegError("MSEG_USAGE", message);
}

/** The controller's detection flags as given on the command line. */
export interface DetectionFlags {
  readonly alertWebhook?: readonly string[];
  /** A file holding the secret that signs webhook requests. */
  readonly alertWebhookSecret?: string;
  readonly alertSyslog?: readonly string[];
  /** `decoy:high,scan:critical` */
  readonly autoQuarantine?: string;
  readonly decoy?: readonly string[];
  /** `scanPorts=20`, `spreadWindowMs=60000`: DetectionOptions overrides. */
  readonly detect?: readonly string[];
}

/** `KEY=N` overrides of the detection thresholds (whole numbers >= 0; windows in ms). */
export function parseDetectOptions(items: readonly string[]): Partial<DetectionOptions> {
  const out: Record<string, number> = {};
  const keys = Object.keys(DEFAULT_DETECTION_OPTIONS);
  for (const item of items) {
    const [key = "", value = ""] = item.split("=");
    if (!keys.includes(key)) {
      throw usage(`--detect "${item}": "${key}" is not a threshold; use one of ${keys.join(", ")}`);
    }
    const n = Number(value);
    if (!/^\d{1,10}$/.test(value) || !Number.isSafeInteger(n)) {
      throw usage(`--detect "${item}": the value must be a whole number (windows in ms)`);
    }
    out[key] = n;
  }
  return out as Partial<DetectionOptions>;
}

/** Parses the flags; a wrong one throws MSEG_USAGE naming the flag and the expected form. */
export function detectionConfigFrom(flags: DetectionFlags): DetectionConfig {
  return {
    ...DEFAULT_DETECTION_CONFIG,
    webhooks: (flags.alertWebhook ?? []).map(parseWebhook),
    ...(flags.alertWebhookSecret !== undefined && {
      webhookSecret: readWebhookSecret(flags.alertWebhookSecret),
    }),
    syslog: (flags.alertSyslog ?? []).map(parseSyslogTarget),
    autoQuarantine: parseAutoQuarantine(flags.autoQuarantine ?? ""),
    decoys: (flags.decoy ?? []).map(parseDecoyFlag),
    options: parseDetectOptions(flags.detect ?? []),
  };
}
