// Workloads: a server-paged table (limit/offset, name or label search) with the agent's health,
// mode changes, label editing, label suggestions, and quarantine / release.
import { type FormEvent, useState } from "react";
import { PATHS, route } from "../api/paths.js";
import type { AgentList, AgentView, WorkloadList } from "../api/types.js";
import { labelList } from "../components/labels.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { LabelSuggestions } from "./label-suggestions.js";
import { WorkloadRow } from "./workload-row.js";

const PAGE = 50;

export function WorkloadsView() {
  const [offset, setOffset] = useState(0);
  const [filter, setFilter] = useState({ q: "", label: "" });
  const [draft, setDraft] = useState(filter);
  const path = route(
    PATHS.workloads,
    {},
    { limit: PAGE, offset, q: filter.q, label: filter.label },
  );
  const [page, reload] = useApi<WorkloadList>(path);
  const [agents, reloadAgents] = useApi<AgentList>(PATHS.agents);
  const byWorkload = new Map<string, AgentView>();
  if (agents.state === "ok")
    for (const a of agents.data.agents) if (!a.revoked) byWorkload.set(a.workload, a);

  function search(e: FormEvent) {
    e.preventDefault();
    setOffset(0);
    setFilter(draft);
  }

  return (
    <section>
      <h1>Workloads</h1>
      <form className="toolbar" onSubmit={search}>
        <div className="field">
          <label htmlFor="wl-q">Name contains</label>
          <input
            id="wl-q"
            value={draft.q}
            onChange={(e) => setDraft({ ...draft, q: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="wl-label">Label (key=value)</label>
          <input
            id="wl-label"
            placeholder="app=shop"
            value={draft.label}
            onChange={(e) => setDraft({ ...draft, label: e.target.value })}
          />
        </div>
        <button type="submit">Search</button>
      </form>
      <Show loaded={page}>
        {(p) => (
          <>
            <table>
              <caption>{describePage(offset, p.workloads.length, p.total)}</caption>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Labels</th>
                  <th scope="col">Addresses</th>
                  <th scope="col">Mode</th>
                  <th scope="col">Agent</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {p.workloads.map((w) => (
                  <WorkloadRow
                    key={w.name}
                    workload={w}
                    agent={byWorkload.get(w.name)}
                    onChanged={() => {
                      reload();
                      reloadAgents();
                    }}
                  />
                ))}
              </tbody>
            </table>
            <div className="pager">
              <button
                type="button"
                className="secondary"
                disabled={offset === 0}
                onClick={() => setOffset(Math.max(0, offset - PAGE))}
              >
                Previous page
              </button>
              <button
                type="button"
                className="secondary"
                disabled={
                  p.total === undefined ? p.workloads.length < PAGE : offset + PAGE >= p.total
                }
                onClick={() => setOffset(offset + PAGE)}
              >
                Next page
              </button>
            </div>
          </>
        )}
      </Show>
      <h2>Label suggestions</h2>
      <LabelSuggestions onAccepted={reload} />
      <p className="muted">
        Labels shown as <code>{labelList({ key: "value" })}</code>; edit them one{" "}
        <code>key=value</code> per line.
      </p>
    </section>
  );
}

function describePage(offset: number, shown: number, total: number | undefined): string {
  if (shown === 0) return "No workloads match.";
  const range = `${offset + 1}–${offset + shown}`;
  return total === undefined ? `Workloads ${range}` : `Workloads ${range} of ${total}`;
}
