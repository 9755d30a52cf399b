// CEF formatting and escaping, syslog framing, and the detection flags' parsing.
import { ALERT_KINDS } from "@microseg/insight";
import type { AlertRecord } from "@microseg/store";
import { describe, expect, it } from "vitest";
import {
  cefExtension,
  cefHeaderEscape,
  cefMessage,
  cefName,
  cefValueEscape,
  syslogLine,
} from "./cef.js";
import { detectionConfigFrom, parseAutoQuarantine, parseSyslogTarget } from "./config.js";

const T0 = Date.UTC(2026, 10, 29, 12, 0, 0);

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
  evidence: {
    flows: [
      {
        from: "10.9.9.9",
        to: "db-1",
        port: "tcp/22",
        verdict: "blocked",
        count: 1,
        at: "2026-11-29T12:00:01.000Z",
      },
      {
        from: "10.9.9.9",
        to: "198.18.1.10",
        port: "tcp/445",
        verdict: "would-block",
        count: 2,
        at: "2026-11-29T12:00:05.000Z",
      },
    ],
    ports: ["tcp/22", "tcp/445"],
  },
  status: "open",
  count: 7,
};

describe("CEF", () => {
  it("escapes header fields: backslash and pipe, line breaks and controls become spaces", () => {
    expect(cefHeaderEscape("a|b\\c=d\nx\u0000y")).toBe("a\\|b\\\\c=d x y");
  });

  it("escapes extension values: backslash and equals, line breaks as \\n", () => {
    expect(cefValueEscape("a|b\\c=d\r\nx\ry\u0007")).toBe("a|b\\\\c\\=d\\r\\nx\\ry ");
  });

  it("names every kind once, fixed: the summary goes to msg", () => {
    const names = ALERT_KINDS.map((kind) => cefMessage({ ...alert, kind }, "0.1.0").split("|")[5]);
    expect(names).toEqual([
      "Port scan",
      "Lateral movement",
      "Ransomware-style spread",
      "Decoy touched",
      "Enforcement gap",
      "Authorised scan",
    ]);
    expect(cefName("slow-scan")).toBe("Slow scan");
  });

  it("formats the header and extension: times, counts, the latest flow, the labels", () => {
    const m = cefMessage(alert, "0.1.0");
    expect(m.startsWith("CEF:0|microseg|microseg|0.1.0|scan|Port scan|8|externalId=al-1 ")).toBe(
      true,
    );
    expect(m).toContain(`rt=${T0 + 5000} start=${T0} end=${T0 + 5000} cnt=7 src=10.9.9.9`);
    expect(m).toContain("dst=198.18.1.10 dpt=445 proto=TCP act=would-block");
    expect(m).toContain("cs1Label=targets cs1=web-1,db-1 cs2Label=incident cs2=in-1");
    expect(m).toContain("cs4Label=ports cs4=tcp/22,tcp/445");
    expect(m.endsWith(" msg=a|b\\\\c\\=d\\nnext")).toBe(true);
    expect(m).not.toContain("\n");
  });

  it("leaves out what an alert has not: no flows, no targets, no ports (never key=)", () => {
    const gap = { ...alert, kind: "enforcement-gap", source: "web-1", targets: [], evidence: {} };
    const keys = cefExtension(gap).map(([k]) => k);
    expect(keys).toEqual([
      ...["externalId", "cat", "rt", "start", "end", "cnt", "shost"],
      ...["cs2Label", "cs2", "cs3Label", "cs3", "msg"],
    ]);
    const icmp = {
      ...alert,
      evidence: {
        flows: [
          { from: "a", to: "web-1", port: "icmp/8", verdict: "allowed", count: 1, at: alert.at },
        ],
      },
    };
    expect(cefMessage(icmp, "0.1.0")).toContain(" dhost=web-1 proto=ICMP act=allowed ");
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
