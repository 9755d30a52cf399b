// The management set and channel with several controller URLs: every URL's address and port are
// always reachable, so a policy can never cut the agent off from a standby replica.
import { describe, expect, it } from "vitest";
import {
  accessFor,
  controllerAddresses,
  controllerChannel,
  literalAddresses,
} from "./management.js";

const two = "https://198.18.0.1:8443,https://198.18.0.5:9443";

describe("management with several controller URLs", () => {
  it("the channel holds every URL's port, once each", () => {
    expect(controllerChannel(two)).toEqual([
      { proto: "tcp", ranges: [[8443, 8443]] },
      { proto: "tcp", ranges: [[9443, 9443]] },
    ]);
    expect(controllerChannel("https://198.18.0.1:8443, https://198.18.0.2:8443,")).toEqual([
      { proto: "tcp", ranges: [[8443, 8443]] },
    ]);
    expect(controllerChannel("http://[2001:2::1],http://198.18.0.9:8080")).toEqual([
      { proto: "tcp", ranges: [[80, 80]] },
      { proto: "tcp", ranges: [[8080, 8080]] },
    ]);
  });

  it("the management hosts are every URL's address (IP literals need no DNS)", async () => {
    expect(await controllerAddresses(two)).toEqual(["198.18.0.1", "198.18.0.5"]);
    expect(await controllerAddresses("http://[2001:2::1]:80,http://198.18.0.9:8080")).toEqual([
      "2001:2::1",
      "198.18.0.9",
    ]);
    // The boot-time restore's: literals only, never DNS.
    expect(literalAddresses("https://ctl.example:8443,https://198.18.0.5:8443")).toEqual([
      "198.18.0.5",
    ]);
    expect(literalAddresses("")).toEqual([]);
  });

  it("a controller's sent channel adds to every URL's port, it never replaces one", () => {
    const sent = {
      channel: [{ proto: "tcp" as const, ranges: [[8443, 8443]] as [number, number][] }],
      services: [],
    };
    expect(accessFor(sent, controllerChannel(two)).channel).toEqual([
      { proto: "tcp", ranges: [[8443, 8443]] },
      { proto: "tcp", ranges: [[9443, 9443]] },
    ]);
  });
});
