// CEF formatting and escaping, syslog framing, and the detection flags' parsing.
import type { AlertRecord } from "@microseg/store";
import { describe, expect, it } from "vitest";
import { cefHeaderEscape, cefMessage, cefValueEscape, syslogLine } from "./cef.js";
import { detectionConfigFrom, parseAutoQuarantine, parseSyslogTarget } from "./config.js";

const alert: AlertRecord = {
  id: "al-1",
  kind: "scan",
  severity: "high",
  source: "10.9.9.9",
  targets: ["web-1", "db-1"],
  at: "2026-11-29T12:00:00.000Z",
  lastAt: "2026-11-29T12:00:05.000Z",
  summary: "a|b\\c=d\nnext",
  incident: "in-1",
  evidence: {},
  status: "open",
  count: 7,
};

describe("CEF", () => {
  it("escapes header fields: backslash and pipe, line breaks become spaces", () => {
    expect(cefHeaderEscape("a|b\\c=d\nx")).toBe("a\\|b\\\\c=d x");
  });

  it("escapes extension values: backslash and equals, line breaks as \\n", () => {
    expect(cefValueEscape("a|b\\c=d\r\nx\ry")).toBe("a|b\\\\c\\=d\\nx\\ry");
  });

  it("formats the header and extension", () => {
    const m = cefMessage(alert, "0.1.0");
    expect(m.startsWith("CEF:0|microseg|microseg|0.1.0|scan|a\\|b\\\\c=d next|8|")).toBe(true);
    expect(m).toContain("externalId=al-1 cat=scan");
    expect(m).toContain(`start=${Date.parse(alert.at)} rt=${Date.parse(alert.lastAt)} cnt=7`);
    expect(m).toContain("src=10.9.9.9 dhost=web-1");
    expect(m).toContain("cs1Label=targets cs1=web-1,db-1");
    expect(m).toContain("msg=a|b\\\\c\\=d\\nnext");
    expect(m).not.toContain("\n");
  });

  it("puts an RFC 5424 header in front (local4, severity from the alert)", () => {
    const line = syslogLine(alert, "0.1.0", "ctl host", new Date(Date.parse(alert.lastAt)));
    // local4 (20) * 8 + err (3) = 163; the hostname loses its space.
    expect(line).toMatch(/^<163>1 2026-11-29T12:00:05\.000Z ctlhost microseg - - - CEF:0\|/);
    const critical = syslogLine({ ...alert, severity: "critical" }, "0.1.0", "h", new Date());
    expect(critical.startsWith("<162>1 ")).toBe(true);
  });
});

describe("detection flags", () => {
  it("parses --auto-quarantine and names a wrong kind or severity", () => {
    expect([...parseAutoQuarantine("decoy:high, ransomware-spread:critical")]).toEqual([
      ["decoy", "high"],
      ["ransomware-spread", "critical"],
    ]);
    expect(parseAutoQuarantine("").size).toBe(0);
    expect(() => parseAutoQuarantine("portscan:high")).toThrow(/"portscan" is not an alert kind/);
    expect(() => parseAutoQuarantine("scan:urgent")).toThrow(/"urgent" .* is not a severity/);
  });

  it("parses --alert-syslog targets", () => {
    expect(parseSyslogTarget("udp://siem:514")).toEqual({
      transport: "udp",
      host: "siem",
      port: 514,
    });
    expect(parseSyslogTarget("tcp://[::1]:601")).toEqual({
      transport: "tcp",
      host: "::1",
      port: 601,
    });
    expect(parseSyslogTarget("udp://10.0.0.1")).toEqual({
      transport: "udp",
      host: "10.0.0.1",
      port: 514,
    });
    expect(() => parseSyslogTarget("http://x")).toThrow(/udp:\/\/HOST/);
  });

  it("parses --detect thresholds and names a wrong key or value", () => {
    expect(
      detectionConfigFrom({ detect: ["scanPorts=20", "spreadWindowMs=60000"] }).options,
    ).toEqual({
      scanPorts: 20,
      spreadWindowMs: 60000,
    });
    expect(() => detectionConfigFrom({ detect: ["ports=3"] })).toThrow(
      /"ports" is not a threshold/,
    );
    expect(() => detectionConfigFrom({ detect: ["scanPorts=-1"] })).toThrow(/whole number/);
  });

  it("builds a config from flags, refusing a bad webhook or decoy", () => {
    const c = detectionConfigFrom({
      alertWebhook: ["http://127.0.0.1:9/h"],
      decoy: ["198.18.0.99:tcp/445"],
    });
    expect(c.webhooks).toEqual(["http://127.0.0.1:9/h"]);
    expect(c.decoys).toEqual([{ target: "198.18.0.99", port: "tcp/445" }]);
    expect(() => detectionConfigFrom({ alertWebhook: ["ftp://x"] })).toThrow(/http/);
    expect(() => detectionConfigFrom({ decoy: ["a b"] })).toThrow(/--decoy/);
  });
});
