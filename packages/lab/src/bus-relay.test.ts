import { describe, expect, it } from "vitest";
import { busServers, relayedBusUrls } from "./bus-relay.js";

describe("the replicas' bus URLs through the lab's relays", () => {
  it("keeps each server's port and credentials and puts the relay's 127.0.0.1 in front", () => {
    const bus = ["nats://ms:pw@10.0.0.7:4222,nats://127.0.0.1:4223", "nats://[::1]:4224"];
    expect(relayedBusUrls(bus)).toEqual([
      "nats://ms:pw@127.0.0.1:4222",
      "nats://127.0.0.1:4223",
      "nats://127.0.0.1:4224",
    ]);
    expect(busServers(bus).map((s) => `${s.host} ${s.port}`)).toEqual([
      "10.0.0.7 4222",
      "127.0.0.1 4223",
      "::1 4224",
    ]);
  });

  it("counts a server given twice once", () => {
    expect(relayedBusUrls(["nats://127.0.0.1:4222", " nats://127.0.0.1:4222 "])).toEqual([
      "nats://127.0.0.1:4222",
    ]);
  });

  it("refuses two servers on one port: both would be 127.0.0.1:PORT to a replica", () => {
    expect(() => busServers(["nats://10.0.0.7:4222,nats://10.0.0.8:4222"])).toThrow(
      /10\.0\.0\.7:4222 and 10\.0\.0\.8:4222 share a port/,
    );
  });

  it.each([
    ["no port", "nats://127.0.0.1"],
    ["another scheme", "tls://127.0.0.1:4222"],
    ["a path", "nats://127.0.0.1:4222/x"],
  ])("refuses %s, naming the URL and the form to give", (_why, url) => {
    expect(() => busServers([url])).toThrow(`--bus "${url}" is not nats://HOST:PORT`);
  });

  it("refuses an empty list, and hides a password in what it names", () => {
    expect(() => busServers([" , "])).toThrow(/--bus needs at least one nats:\/\/HOST:PORT URL/);
    expect(() => busServers(["nats://u:secret@h"])).toThrow(/"nats:\/\/u:\*\*\*@h" is not/);
  });
});
