// Alerts as syslog lines: an RFC 5424 header carrying a CEF:0 message.
//
//   <PRI>1 TIMESTAMP HOST microseg - - - CEF:0|microseg|microseg|VERSION|KIND|SUMMARY|SEV|EXT
//
// PRI = facility local4 (20) * 8 + syslog severity (critical 2, high 3, medium 4, low 5). CEF
// severity 0-10: low 3, medium 5, high 8, critical 10. Escaping (CEF spec): in header fields `\`
// and `|` are backslash-escaped and line breaks become spaces; in extension values `\` and `=`
// are backslash-escaped and line breaks are written `\n` / `\r`.

import type { AlertRecord } from "@microseg/store";

const FACILITY_LOCAL4 = 20;
const SYSLOG_SEVERITY: Readonly<Record<string, number>> = {
  critical: 2,
  high: 3,
  medium: 4,
  low: 5,
};
const CEF_SEVERITY: Readonly<Record<string, number>> = { critical: 10, high: 8, medium: 5, low: 3 };

export function cefHeaderEscape(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/\|/g, "\\|")
    .replace(/\r\n|\r|\n/g, " ");
}

export function cefValueEscape(text: string): string {
  return text
    .replace(/\\/g, "\\\\")
    .replace(/=/g, "\\=")
    .replace(/\r\n|\n/g, "\\n")
    .replace(/\r/g, "\\r");
}

/** RFC 5424 header fields: printable ASCII without spaces, or `-`. */
export function headerToken(text: string, max: number): string {
  const t = text.replace(/[^\x21-\x7e]/g, "").slice(0, max);
  return t === "" ? "-" : t;
}

const IP = /^(\d{1,3}(\.\d{1,3}){3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

export function cefMessage(alert: AlertRecord, version: string): string {
  const ext: [string, string][] = [
    ["externalId", alert.id],
    ["cat", alert.kind],
    ["start", String(Date.parse(alert.at))],
    ["rt", String(Date.parse(alert.lastAt))],
    ["cnt", String(alert.count)],
    [IP.test(alert.source) ? "src" : "shost", alert.source],
  ];
  const first = alert.targets[0];
  if (first !== undefined) ext.push([IP.test(first) ? "dst" : "dhost", first]);
  ext.push(
    ["cs1Label", "targets"],
    ["cs1", alert.targets.join(",")],
    ["cs2Label", "incident"],
    ["cs2", alert.incident],
    ["cs3Label", "status"],
    ["cs3", alert.status],
    ["msg", alert.summary],
  );
  const header = [
    "CEF:0",
    "microseg",
    "microseg",
    version,
    alert.kind,
    alert.summary,
    String(CEF_SEVERITY[alert.severity] ?? 5),
  ]
    .map((f, i) => (i === 0 ? f : cefHeaderEscape(f)))
    .join("|");
  return `${header}|${ext.map(([k, v]) => `${k}=${cefValueEscape(v)}`).join(" ")}`;
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
