// --listen parsing and what agents let the management addresses do.

import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { certificateNames, managementAccess, managementAddresses, parseListen } from "./listen.js";

describe("parseListen", () => {
  it("reads HOST:PORT and [IPv6]:PORT", () => {
    expect(parseListen("127.0.0.1:8443")).toEqual({ host: "127.0.0.1", port: 8443 });
    expect(parseListen("[::1]:0")).toEqual({ host: "::1", port: 0 });
    expect(parseListen("nonsense")).toBeUndefined();
  });
});

describe("managementAccess", () => {
  it("is the listen port as the channel and the listed services, nothing by default", () => {
    expect(managementAccess(8443, [])).toEqual({
      channel: [{ proto: "tcp", ranges: [[8443, 8443]] }],
      services: [],
    });
    expect(managementAccess(0, ["tcp/22", "udp/161", "tcp/9100-9101", "icmp/8", "icmp"])).toEqual({
      channel: [],
      services: [
        { proto: "tcp", ranges: [[22, 22]] },
        { proto: "udp", ranges: [[161, 161]] },
        { proto: "tcp", ranges: [[9100, 9101]] },
        { proto: "icmp", types: [8] },
        { proto: "icmp" },
      ],
    });
  });

  it("refuses any, named ports and nonsense, naming the flag and the fix", () => {
    expect(() => managementAccess(8443, ["any"])).toThrow(/--management-service "any".*every port/);
    expect(() => managementAccess(8443, ["tcp/ssh"])).toThrow(/named port.*give the number/);
    expect(() => managementAccess(8443, ["tcp/0"])).toThrow(/write tcp\/22/);
    expect(() => managementAccess(8443, ["ssh"])).toThrow(/MSEG_USAGE|not a port/);
  });
});

describe("certificateNames", () => {
  it("is the listen host, or on every address the host name and its interface addresses", () => {
    expect(certificateNames("198.18.0.1")).toEqual(["198.18.0.1"]);
    const all = certificateNames("0.0.0.0");
    expect(all[0]).toBe(hostname());
    expect(all).not.toContain("127.0.0.1");
    // The same walk as the management addresses, loopback left out.
    const external = managementAddresses("0.0.0.0")
      .v4.map((a) => a.replace("/32", ""))
      .filter((a) => !a.startsWith("127."));
    expect(all).toEqual(expect.arrayContaining(external));
  });
});
