import { describe, expect, it } from "vitest";
import { anchorsInText, parseAnchorFlag } from "./audit-anchors.js";

const H = "3f".repeat(32);

describe("audit anchors", () => {
  it("reads every exported form and skips the other lines of a log", () => {
    const text = [
      `{"level":30,"time":1,"anchor":{"seq":7,"hash":"${H}","at":"2026-01-01T00:00:00.000Z"},"msg":"audit anchor"}`,
      `{"level":30,"time":2,"msg":"controller listening"}`,
      `8:${H}`,
      `{"seq":9,"hash":"${H}","at":"2026-01-01T00:05:00.000Z"}`,
      `{"anchors":[{"seq":10,"hash":"${H}"},{"seq":11,"hash":"${H}"}]}`,
      // The webhook body since schemaVersion 1: the anchors beside the event's id and type.
      `{"schemaVersion":1,"id":"anchor-13-3f3f","type":"audit-anchor","anchors":[{"seq":13,"hash":"${H}","at":"2026-01-01T00:07:00.000Z"}]}`,
      `<166>1 2026-01-01T00:10:00.000Z ctl microseg - - - CEF:0|microseg|microseg|0.1.0|audit-anchor|audit log head|1|rt=1 cn1Label=seq cn1=12 cs1Label=hash cs1=${H}`,
      "not json {",
      `14:${"x".repeat(64)}`,
    ].join("\n");
    expect(anchorsInText(text).map((a) => a.seq)).toEqual([7, 8, 9, 10, 11, 13, 12]);
  });

  it("refuses a malformed --anchor with the expected form", () => {
    expect(parseAnchorFlag(`5:${H}`)).toEqual({ seq: 5, hash: H });
    expect(() => parseAnchorFlag("5:abc")).toThrow(/SEQ:HASH/);
  });
});
