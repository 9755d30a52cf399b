// A lab scenario after validation and normalization: every host has its addresses, every
// listen entry is one port, every policy file is an absolute path.
import type { Labels, Mode, PortRange } from "@microseg/core";
import type { TrafficFlow } from "../traffic/plan.js";

export interface ListenPort {
  readonly proto: "tcp" | "udp";
  readonly port: number;
}

export interface ScenarioHost {
  readonly name: string;
  readonly namespace?: string;
  readonly labels: Labels;
  readonly address: string;
  readonly address6: string;
  readonly listen: readonly ListenPort[];
  readonly namedPorts: Readonly<Record<string, PortRange>>;
  readonly managed: boolean;
  readonly mode: Mode;
}

export interface Scenario {
  /** Absolute path of the scenario file. */
  readonly file: string;
  readonly name: string;
  readonly namespaces: Readonly<Record<string, { readonly labels: Labels }>>;
  readonly hosts: readonly ScenarioHost[];
  /** Absolute paths of the policy files. */
  readonly policy: readonly string[];
  /** Background traffic (`lab traffic start`), one flow per (from, to) pair; may be empty. */
  readonly traffic: readonly TrafficFlow[];
  /** `management.services`: what the controller's address may reach on every host. */
  readonly managementServices: readonly string[];
}

export function formatListenPort(p: ListenPort): string {
  return `${p.proto}/${p.port}`;
}
