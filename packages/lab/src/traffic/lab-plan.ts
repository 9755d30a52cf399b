// The running lab's traffic plan: the `traffic:` section of the scenario the lab was brought up
// from, bound to the lab (each flow's source host server socket and destination address).
import { MicrosegError } from "@microseg/core";
import { loadScenario } from "../scenario/load.js";
import { controlPath, type LabState } from "../state.js";
import type { TrafficFlow } from "./plan.js";

/** A flow ready to run: where to ask (the source's host server) and what to try. */
export interface BoundFlow extends TrafficFlow {
  /** The source host server's control socket. */
  readonly socket: string;
  /** The destination's IPv4 address. */
  readonly address: string;
}

/** The lab's plan; throws MSEG_USAGE (with the fix) when the scenario has no traffic. */
export function labTrafficPlan(state: LabState, dir: string): BoundFlow[] {
  const scenario = loadScenario(state.scenario);
  const hosts = new Map(state.hosts.map((h) => [h.name, h]));
  if (scenario.traffic.length === 0) {
    throw new MicrosegError(
      "MSEG_USAGE",
      `${state.scenario} has no traffic: section; add one, e.g. traffic: [{ from: web-1, to: app-1, port: tcp/8080, every: 2s }] (see docs/design/lab.md)`,
    );
  }
  return scenario.traffic.map((flow) => {
    const dst = hosts.get(flow.to);
    if (dst === undefined || !hosts.has(flow.from)) {
      throw new MicrosegError(
        "MSEG_LAB_UNKNOWN_HOST",
        `${state.scenario} changed since the lab came up (${flow.from} -> ${flow.to} names a host the lab does not have); run microseg lab down, then lab up again`,
      );
    }
    return { ...flow, socket: controlPath(flow.from, dir), address: dst.address };
  });
}
