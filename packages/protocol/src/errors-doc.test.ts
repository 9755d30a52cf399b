// docs/errors.md states the HTTP status of API codes ("HTTP status: N."); each must match the map.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { HTTP_STATUS } from "./errors.js";

const doc = readFileSync(join(import.meta.dirname, "../../../docs/errors.md"), "utf8");

describe("docs/errors.md HTTP statuses", () => {
  it("match the protocol's map wherever a section states one", () => {
    const sections = [...doc.matchAll(/^### (\S+)\n([\s\S]*?)(?=^#{2,3} |(?![\s\S]))/gm)];
    const stated = sections
      .map((m) => [m[1], /HTTP status: (\d+)\./.exec(m[2] ?? "")?.[1]] as const)
      .filter(([, status]) => status !== undefined);
    expect(stated.length).toBeGreaterThan(5);
    for (const [code, status] of stated) {
      expect([code, HTTP_STATUS[code as keyof typeof HTTP_STATUS]]).toEqual([code, Number(status)]);
    }
  });
});
