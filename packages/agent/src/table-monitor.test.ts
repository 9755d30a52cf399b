import { describe, expect, it } from "vitest";
import { nftMonitor } from "./table-monitor.js";

describe("nftMonitor", () => {
  it("fires (debounced) on lines about our table only, and restarts a monitor that exits", async () => {
    // A stand-in for `nft monitor`: prints lines, then exits (the feed restarts it).
    const script = `console.log("add rule inet other input accept");
      console.log("flush table inet microseg"); console.log("add rule inet microseg input");`;
    const errors: string[] = [];
    const feed = nftMonitor({
      table: "microseg",
      debounceMs: 20,
      command: [process.execPath, "-e", script],
      onError: (m) => errors.push(m),
    });
    let fired = 0;
    const stop = feed.subscribe(() => {
      fired += 1;
    });
    await new Promise((r) => setTimeout(r, 600));
    stop();
    expect(fired).toBeGreaterThanOrEqual(1);
    expect(fired).toBeLessThanOrEqual(2); // one burst (+ one for the exit)
    expect(errors[0]).toMatch(/restarting/);
  });
});
