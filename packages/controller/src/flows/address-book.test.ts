import type { Workload } from "@microseg/core";
import { describe, expect, it } from "vitest";
import { AddressBook, HISTORY_MS } from "./address-book.js";

const w = (name: string, addresses: string[], managed = true): Workload => ({
  name,
  labels: {},
  addresses,
  mode: "enforce",
  managed,
});

describe("AddressBook", () => {
  it("resolves addresses to workloads in canonical form, others to the address itself", () => {
    const book = new AddressBook();
    book.sync([w("db-1", ["2001:db8::0:1"]), w("web-1", ["198.18.1.10"], false)], 0);
    expect(book.resolve("2001:DB8:0::1", 5)).toEqual({
      name: "db-1",
      kind: "workload",
      managed: true,
    });
    expect(book.resolve("198.18.1.10", 5)).toEqual({
      name: "web-1",
      kind: "workload",
      managed: false,
    });
    expect(book.resolve("2001:db8:0:0:0:0:0:9", 5)).toEqual({
      name: "2001:db8::9",
      kind: "address",
      managed: false,
    });
    expect(book.resolve("not-an-ip", 5)).toBeUndefined();
    expect(book.workloadEnd("gone")).toEqual({ name: "gone", kind: "workload", managed: true });
  });

  it("gives an address shared by two workloads to the first by name", () => {
    const book = new AddressBook();
    book.sync([w("b", ["10.0.0.1"]), w("a", ["10.0.0.1"])], 0);
    expect(book.resolve("10.0.0.1", 0)?.name).toBe("a");
  });

  it("answers the owner an address had at a flow's time, within the history", () => {
    const book = new AddressBook();
    const first = [w("old", ["10.0.0.1"])];
    book.sync(first, 1000);
    book.sync(first, 2000); // same objects: no change, nothing remembered
    const v1 = book.version;
    book.sync([w("new", ["10.0.0.1"])], 5000);
    expect(book.version).toBe(v1 + 1);
    expect(book.resolve("10.0.0.1", 4999)?.name).toBe("old");
    expect(book.resolve("10.0.0.1", 5000)?.name).toBe("new");
    book.sync([], 9000); // the address is nobody's now
    expect(book.resolve("10.0.0.1", 4000)?.name).toBe("old");
    expect(book.resolve("10.0.0.1", 6000)?.name).toBe("new");
    expect(book.resolve("10.0.0.1", 9500)).toMatchObject({ kind: "address" });
    // Changes older than the history are forgotten when the next change comes: before the
    // oldest change kept, the owner is the one that change replaced.
    book.sync([w("later", ["10.0.0.1"])], 5000 + HISTORY_MS + 1);
    expect(book.resolve("10.0.0.1", 4000)?.name).toBe("new");
    expect(book.resolve("10.0.0.1", 9500)?.kind).toBe("address");
  });
});
