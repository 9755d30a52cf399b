// Dashboard: the estate at a glance — workloads by mode, agents that are offline or behind, open
// incidents, blocked flows per hour, and how much of the observed traffic policy explains.
import { PATHS, route } from "../api/paths.js";
import type { AgentList, ControllerStatus, FlowEdgeList, WorkloadList } from "../api/types.js";
import { countBy, perHour } from "../components/counts.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { Link } from "../router.js";
import { IncidentCount } from "./incident-count.js";

export function DashboardView() {
  const [status] = useApi<ControllerStatus>(PATHS.status);
  const [workloads] = useApi<WorkloadList>(PATHS.workloads);
  const [agents] = useApi<AgentList>(PATHS.agents);
  const [flows] = useApi<FlowEdgeList>(route(PATHS.flows, {}, { since: "24h" }));
  return (
    <section>
      <h1>Dashboard</h1>
      <div className="cards">
        <div className="card">
          <h2>Policy</h2>
          <Show loaded={status}>
            {(s) => (
              <p>
                Active revision:{" "}
                <strong>{s.activeRevision === null ? "none yet" : `#${s.activeRevision}`}</strong>
                <br />
                {s.workloads} workloads · {s.agents.total - s.agents.revoked} agents
              </p>
            )}
          </Show>
        </div>
        <div className="card">
          <h2>Workloads by mode</h2>
          <Show loaded={workloads}>
            {(w) => <Tally counts={countBy(w.workloads, (x) => x.mode)} />}
          </Show>
        </div>
        <div className="card">
          <h2>Workloads by status</h2>
          <Show loaded={workloads}>{(w) => <Tally counts={countBy(w.workloads, statusOf)} />}</Show>
        </div>
        <div className="card">
          <h2>Agents</h2>
          <Show loaded={status}>
            {(s) => (
              <Tally
                counts={
                  new Map([
                    ["online", s.agents.online],
                    ["converged", s.agents.converged],
                    ["pending a revision", s.agents.pending],
                    ["drifted", s.agents.drifted],
                  ])
                }
              />
            )}
          </Show>
        </div>
        <div className="card">
          <h2>Open incidents</h2>
          <IncidentCount />
        </div>
        <div className="card">
          <h2>Coverage (24 h)</h2>
          <Show loaded={flows}>{(f) => <Coverage edges={f.edges} />}</Show>
        </div>
      </div>
      <h2>Blocked attempts per hour (24 h)</h2>
      <Show loaded={flows}>{(f) => <BlockedPerHour edges={f.edges} />}</Show>
      <h2>Agents out of date or offline</h2>
      <Show loaded={agents}>{(a) => <AgentsBehind agents={a.agents} />}</Show>
    </section>
  );
}

/** quarantined, unmanaged (no agent, no policy of its own) or managed. */
function statusOf(w: WorkloadList["workloads"][number]): string {
  if (w.quarantine !== undefined) return "quarantined";
  return w.managed ? "managed" : "unmanaged";
}

function Tally(props: { counts: Map<string, number> }) {
  if (props.counts.size === 0) return <p className="muted">none</p>;
  return (
    <dl>
      {[...props.counts].map(([k, n]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd className="big">{n}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * Share of the connections that got through (allowed, or would-block in test mode) that an allow
 * rule covers; the rest pass only because their workload is not enforcing yet.
 */
function Coverage(props: { edges: FlowEdgeList["edges"] }) {
  const passing = props.edges.filter((e) => e.verdict !== "blocked");
  const total = passing.reduce((n, e) => n + e.count, 0);
  if (total === 0) return <p className="muted">No connection got through in the last 24 hours.</p>;
  const covered = passing
    .filter((e) => e.verdict === "allowed" && e.rule !== undefined)
    .reduce((n, e) => n + e.count, 0);
  return (
    <p>
      <span className="big">{Math.round((covered / total) * 100)}%</span>
      <br />
      {covered} of {total} connections that got through matched an allow rule; the rest would be
      blocked once enforced.
    </p>
  );
}

function BlockedPerHour(props: { edges: FlowEdgeList["edges"] }) {
  const blocked = props.edges.filter((e) => e.verdict === "blocked");
  const hours = perHour(
    blocked,
    (e) => e.lastSeen,
    (e) => e.count,
    new Date(),
    24,
  );
  const max = Math.max(1, ...hours.map((h) => h.total));
  const sum = hours.reduce((n, h) => n + h.total, 0);
  return (
    <figure>
      <div className="bars" role="img" aria-label={`${sum} blocked attempts in 24 hours`}>
        {hours.map((h) => (
          <div
            key={h.hour}
            title={`${h.hour}:00Z: ${h.total}`}
            style={{ height: `${(h.total / max) * 100}%` }}
          />
        ))}
      </div>
      <figcaption className="muted">
        {sum} blocked attempts, by the hour their flow was last seen (UTC).{" "}
        <Link to="/flows?verdict=blocked">Blocked flows</Link>
      </figcaption>
    </figure>
  );
}

function AgentsBehind(props: { agents: AgentList["agents"] }) {
  const behind = props.agents.filter(
    (a) => !a.revoked && (!a.online || !a.converged || a.drift === "drifted"),
  );
  if (behind.length === 0)
    return <p className="ok">Every agent is online and has its current policy.</p>;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">Workload</th>
          <th scope="col">Host</th>
          <th scope="col">Online</th>
          <th scope="col">Applied revision</th>
          <th scope="col">Drift</th>
          <th scope="col">Last heartbeat</th>
        </tr>
      </thead>
      <tbody>
        {behind.map((a) => (
          <tr key={a.id}>
            <td>{a.workload}</td>
            <td>{a.hostname}</td>
            <td>{a.online ? "yes" : "offline"}</td>
            <td>
              {a.appliedRevision ?? "none"}
              {a.converged ? "" : " (behind)"}
            </td>
            <td>{a.drift}</td>
            <td>{a.lastHeartbeat ?? "never"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
