import type { AgentRecord } from "@microseg/store";
import type { Hono } from "hono";

/** What middleware hands to handlers: the authenticated admin actor or agent. */
export type ControllerEnv = { Variables: { actor: string; agent: AgentRecord } };
export type ControllerApp = Hono<ControllerEnv>;
