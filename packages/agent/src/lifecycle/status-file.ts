// DIR/status.json: what the running agent last knew about itself, for `microseg-agent status`.
// Written atomically by the agent (lifecycle/local-status.ts) every heartbeat period and soon
// after an apply, a drift restore or a contact with the controller; never read by the agent.
// A file older than STALE_HEARTBEATS periods, or whose pid is gone, means the agent is not running.
//
// Wire format (version 1; fields are only ever added):
//   { version: 1, pid, startedAt, writtenAt, heartbeatSeconds,
//     controller: { url, reachable: true|false|null (not tried yet), lastContactAt, lastError },
//     policy: { revision, hash, source: controller|stored|before-policy } | null,
//     lastApply: { at, ok, revision, hash, ms, error? } | null,
//     drift: { restores, lastRestoreAt, lastDetails },
//     flows: { enabled, batches, bytes, dropped },
//     resources: { rssBytes, cpuSeconds, uptimeSeconds } }

export const STATUS_FILE = "status.json";
export const STATUS_VERSION = 1;
/** The agent counts as not running when its file is older than this many heartbeat periods. */
export const STALE_HEARTBEATS = 3;

export interface AgentStatusFile {
  readonly version: 1;
  readonly pid: number;
  readonly startedAt: string;
  readonly writtenAt: string;
  readonly heartbeatSeconds: number;
  readonly controller: {
    readonly url: string;
    readonly reachable: boolean | null;
    readonly lastContactAt: string | null;
    readonly lastError: string | null;
  };
  readonly policy: {
    readonly revision: number | null;
    readonly hash: string;
    readonly source: "controller" | "stored" | "before-policy";
  } | null;
  readonly lastApply: {
    readonly at: string;
    readonly ok: boolean;
    readonly revision: number | null;
    readonly hash: string;
    readonly ms: number;
    readonly error?: string;
  } | null;
  readonly drift: {
    readonly restores: number;
    readonly lastRestoreAt: string | null;
    readonly lastDetails: string | null;
  };
  readonly flows: {
    readonly enabled: boolean;
    readonly batches: number;
    readonly bytes: number;
    readonly dropped: number;
  };
  readonly resources: {
    readonly rssBytes: number;
    readonly cpuSeconds: number;
    readonly uptimeSeconds: number;
  };
}

/** The shape check the status command applies before it trusts a file. */
export function isStatusFile(v: unknown): v is AgentStatusFile {
  const o = v as Partial<AgentStatusFile> | null | undefined;
  return (
    o?.version === STATUS_VERSION &&
    Number.isInteger(o.pid) &&
    typeof o.writtenAt === "string" &&
    typeof o.heartbeatSeconds === "number" &&
    typeof o.controller?.url === "string" &&
    typeof o.drift?.restores === "number" &&
    typeof o.flows?.batches === "number" &&
    typeof o.resources?.rssBytes === "number"
  );
}
