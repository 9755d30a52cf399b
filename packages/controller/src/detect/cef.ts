// Alerts as syslog lines: an RFC 5424 header carrying a CEF:0 message.
//
//   <PRI>1 TIMESTAMP HOST microseg - - - CEF:0|microseg|microseg|VERSION|KIND|NAME|SEV|EXT
//
// PRI = facility local4 (20) * 8 + syslog severity (critical 2, high 3, medium 4, low 5). CEF
// severity 0-10: low 3, medium 5, high 8, critical 10. KIND (the signature id) and NAME are fixed
// per alert kind (`scan`, `Port scan`), so a SIEM groups every alert of a kind under one name;
// what differs per alert is in the extension:
//
//   externalId  alert id            cat  kind              msg   summary
//   start, end  first and last evidence (ms since the epoch); rt = end
//   cnt         updates of the alert (how often the detector saw it again)
//   src | shost the source (an address, or a workload's name)
//   dst | dhost, dpt, proto, act   the most recent evidence flow: its target, port, protocol
//               (TCP, UDP, SCTP, ICMP, ICMPV6) and verdict (blocked, allowed, would-block)
//   cs1 targets (comma-separated), cs2 incident, cs3 status, cs4 ports (the scanned ports)
//
// A field with no value is left out (never `key=`). Escaping (CEF spec): in header fields `\`
// and `|` are backslash-escaped and line breaks become spaces; in extension values `\` and `=`
// are backslash-escaped, and CR and LF are written `\r` and `\n` (each as it was, so a value
// comes back exactly). Other control characters
// become spaces everywhere: CEF has no escape for them and C parsers stop at a NUL.

import type { AlertRecord } from "@microseg/store";
import { evidenceFromJson } from "./evidence.js";

const FACILITY_LOCAL4 = 20;
const SYSLOG_SEVERITY: Readonly<Record<string, number>> = {
  critical: 2,
  high: 3,
  medium: 4,
  low: 5,
};
const CEF_SEVERITY: Readonly<Record<string, number>> = { critical: 10, high: 8, medium: 5, low: 3 };

/** The CEF Name of each alert kind: fixed, so a SIEM groups by it. */
export const CEF_NAMES: Readonly<Record<string, string>> = {
  scan: "Port scan",
  "lateral-movement": "Lateral movement",
  "ransomware-spread": "Ransomware-style spread",
  decoy: "Decoy touched",
  "enforcement-gap": "Enforcement gap",
  "authorised-scan": "Authorised scan",
};

// C0 controls and DEL, but not the line breaks each escape handles itself.
// biome-ignore lint/suspicious/noControlCharactersInRegex: these are what is replaced
const CONTROLS = /[\u0000-\u0009\u000b\u000c\u000e-\u001f\u007f]/g;

export function cefHeaderEscape(text: string): string {
  return text
    .replace(CONTROLS, " ")
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\r\n|\r|\n/g, " ");
}

export function cefValueEscape(text: string): string {
  return text
    .replace(CONTROLS, " ")
    .replace(/\\/g, "\\\\")
    .replace(/=/g, "\\=")
    .replace(/\n/g, "\\n")
    .replace(/\r/g, "\\r");
}

/** RFC 5424 header fields: printable ASCII without spaces, or `-`. */
export function headerToken(text: string, max: number): string {
  const t = text.replace(/[^\x21-\x7e]/g, "").slice(0, max);
  return t === "" ? "-" : t;
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;
const PORT = /^(tcp|udp|sctp|icmp|icmpv6)(?:\/(\d+))?$/;

/** The CEF Name of a kind; a kind without one is its words capitalised (`new-kind`: `New kind`). */
export function cefName(kind: string): string {
  const name = CEF_NAMES[kind];
  if (name !== undefined) return name;
  const words = kind.replace(/-/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** The extension's key-value pairs, in order, empty values left out. */
export function cefExtension(alert: AlertRecord): [string, string][] {
  const start = Date.parse(alert.at);
  const end = Date.parse(alert.lastAt);
  const evidence = evidenceFromJson(alert.evidence);
  const last = evidence.flows.at(-1);
  const port = PORT.exec(last?.port ?? "");
  const isTcpLike = port?.[1] === "tcp" || port?.[1] === "udp" || port?.[1] === "sctp";
  const ext: [string, string][] = [
    ["externalId", alert.id],
    ["cat", alert.kind],
    ["rt", String(end)],
    ["start", String(start)],
    ["end", String(end)],
    ["cnt", String(alert.count)],
    [IP.test(alert.source) ? "src" : "shost", alert.source],
  ];
  if (last !== undefined) ext.push([IP.test(last.to) ? "dst" : "dhost", last.to]);
  if (isTcpLike && port?.[2] !== undefined) ext.push(["dpt", port[2]]);
  if (port !== null) ext.push(["proto", port[1]?.toUpperCase() ?? ""]);
  if (last !== undefined) ext.push(["act", last.verdict]);
  ext.push(
    ["cs1Label", "targets"],
    ["cs1", alert.targets.join(",")],
    ["cs2Label", "incident"],
    ["cs2", alert.incident],
    ["cs3Label", "status"],
    ["cs3", alert.status],
    ["cs4Label", "ports"],
    ["cs4", (evidence.ports ?? []).join(",")],
    ["msg", alert.summary],
  );
  return withoutEmpty(ext);
}

/** Drops empty values, and the label of a custom field whose value was dropped. */
function withoutEmpty(ext: [string, string][]): [string, string][] {
  const kept = ext.filter(([, v]) => v !== "");
  const keys = new Set(kept.map(([k]) => k));
  return kept.filter(([k]) => !k.endsWith("Label") || keys.has(k.slice(0, -"Label".length)));
}

export function cefMessage(alert: AlertRecord, version: string): string {
  const header = [
    "microseg",
    "microseg",
    version,
    alert.kind,
    cefName(alert.kind),
    String(CEF_SEVERITY[alert.severity] ?? 5),
  ].map(cefHeaderEscape);
  const ext = cefExtension(alert).map(([k, v]) => `${k}=${cefValueEscape(v)}`);
  return `CEF:0|${header.join("|")}|${ext.join(" ")}`;
}

/** One complete syslog line (no trailing newline). */
export function syslogLine(
  alert: AlertRecord,
  version: string,
  hostname: string,
  now: Date,
): string {
  const pri = FACILITY_LOCAL4 * 8 + (SYSLOG_SEVERITY[alert.severity] ?? 4);
  const host = headerToken(hostname, 255);
  return `<${pri}>1 ${now.toISOString()} ${host} microseg - - - ${cefMessage(alert, version)}`;
}
