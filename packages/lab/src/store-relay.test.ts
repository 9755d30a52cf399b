import { parse } from "pg-connection-string";
import { describe, expect, it } from "vitest";
import { relayedStoreUrl, storeAddress } from "./store-relay.js";

const DIR = "/run/microseg/lab/store-1";

describe("a replica's store URL through its relay", () => {
  it("keeps user, password, database and parameters, and names the relay's socket directory", () => {
    const url = relayedStoreUrl("postgres://ms:p%40ss@db.example:5433/shop?sslmode=disable", DIR);
    expect(parse(url)).toMatchObject({
      user: "ms",
      password: "p@ss",
      host: DIR,
      database: "shop",
      sslmode: "disable",
    });
    expect(storeAddress("postgres://ms@db.example:5433/shop")).toEqual({
      host: "db.example",
      port: 5433,
    });
  });

  it("defaults the port to 5432 and unwraps IPv6 literals", () => {
    expect(storeAddress("postgres://ms@127.0.0.1/shop")).toEqual({ host: "127.0.0.1", port: 5432 });
    expect(storeAddress("postgresql://ms@[::1]:7/shop")).toEqual({ host: "::1", port: 7 });
  });

  it("leaves a URL that names a unix socket directory as it is (reachable from any namespace)", () => {
    const socket = "postgres://ms@/shop?host=/run/postgresql";
    expect(storeAddress(socket)).toBeUndefined();
    expect(relayedStoreUrl(socket, DIR)).toBe(socket);
  });

  it("refuses what is not a PostgreSQL URL, with the password hidden", () => {
    expect(() => storeAddress("mysql://ms:secret@db/shop")).toThrow(
      /--store "mysql:\/\/ms:\*\*\*@db\/shop" is not a PostgreSQL URL/,
    );
  });
});
