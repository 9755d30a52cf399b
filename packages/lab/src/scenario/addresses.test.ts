import { describe, expect, it } from "vitest";
import {
  assignAddresses,
  CONTROLLER_ADDRESS,
  checkLabAddress,
  formatV4,
  parseV4,
  v6For,
} from "./addresses.js";

describe("lab addresses", () => {
  it("hands out addresses from 198.18.0.10 up, skipping explicit ones", () => {
    expect(assignAddresses([undefined, "198.18.0.11", undefined, undefined])).toEqual([
      "198.18.0.10",
      "198.18.0.11",
      "198.18.0.12",
      "198.18.0.13",
    ]);
  });

  it("crosses octet boundaries", () => {
    const many = assignAddresses(Array.from({ length: 300 }, () => undefined));
    expect(many[245]).toBe("198.18.0.255");
    expect(many[246]).toBe("198.18.1.0");
    expect(new Set(many).size).toBe(300);
  });

  it("accepts only unicast addresses inside 198.18.0.0/15", () => {
    expect(checkLabAddress("198.18.1.10")).toBeUndefined();
    expect(checkLabAddress("198.19.255.254")).toBeUndefined();
    expect(checkLabAddress("10.0.0.1")).toMatch(/outside the lab segment 198\.18\.0\.0\/15/);
    expect(checkLabAddress("198.20.0.1")).toMatch(/outside/);
    expect(checkLabAddress("198.18.0.0")).toMatch(/network or broadcast/);
    expect(checkLabAddress("198.19.255.255")).toMatch(/network or broadcast/);
    expect(checkLabAddress("198.18.1")).toMatch(/not an IPv4 address/);
    expect(checkLabAddress("198.18.1.300")).toMatch(/not an IPv4 address/);
  });

  it("keeps the controller's address for the controller", () => {
    expect(checkLabAddress(CONTROLLER_ADDRESS)).toMatch(/reserved for the lab's controller/);
    expect(assignAddresses(Array.from({ length: 300 }, () => undefined))).not.toContain(
      CONTROLLER_ADDRESS,
    );
  });

  it("derives the IPv6 address from the IPv4 one", () => {
    expect(v6For("198.18.1.10")).toBe("2001:2::198:18:1:10");
  });

  it("round-trips IPv4 text", () => {
    expect(formatV4(parseV4("198.19.200.1") ?? 0)).toBe("198.19.200.1");
  });
});
