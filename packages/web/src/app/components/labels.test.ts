// The label editor's text <-> labels, and the PATCH it sends (removed keys as null).
import { describe, expect, it } from "vitest";
import { labelPatch, labelsToText, textToLabels } from "./labels.js";

describe("label editing", () => {
  it("round-trips labels through key=value lines, ignoring blank lines and spaces", () => {
    const labels = { app: "shop", role: "web" };
    expect(textToLabels(`${labelsToText(labels)}\n\n`)).toEqual({ ok: true, labels });
    expect(textToLabels(" env = prod ")).toEqual({ ok: true, labels: { env: "prod" } });
  });

  it("names the first line that is not key=value", () => {
    expect(textToLabels("app=shop\nrole\n=x")).toEqual({
      ok: false,
      problem: 'line 2: "role" is not key=value',
    });
  });

  it("patches only what changed and removes dropped keys with null", () => {
    expect(
      labelPatch({ app: "shop", role: "web", env: "dev" }, { app: "shop", env: "prod", tier: "1" }),
    ).toEqual({
      env: "prod",
      tier: "1",
      role: null,
    });
    expect(labelPatch({ app: "shop" }, { app: "shop" })).toEqual({});
  });
});
