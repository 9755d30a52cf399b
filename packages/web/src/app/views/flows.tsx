// Flows explorer: the observed flow graph's edges over a time range, filtered by either end, a
// label, a port or a verdict; each edge names the rule that decided it.
import { type FormEvent, useState } from "react";
import { PATHS, route } from "../api/paths.js";
import type { FlowEdgeList } from "../api/types.js";
import { Show } from "../components/page-state.js";
import { useApi } from "../components/use-api.js";
import { navigate, useLocation } from "../router.js";
import { FlowTable } from "./flow-table.js";

const FIELDS = ["workload", "from", "to", "label", "port", "verdict", "since", "until"] as const;
type Filters = Record<(typeof FIELDS)[number], string>;

export function FlowsView() {
  const { search } = useLocation();
  const current = Object.fromEntries(FIELDS.map((f) => [f, search.get(f) ?? ""])) as Filters;
  if (current.since === "") current.since = "24h";
  const [form, setForm] = useState<Filters>(current);
  const [flows] = useApi<FlowEdgeList>(route(PATHS.flows, {}, { ...current, limit: 1000 }));

  function apply(e: FormEvent) {
    e.preventDefault();
    const qs = new URLSearchParams(Object.entries(form).filter(([, v]) => v.trim() !== ""));
    navigate(`/flows?${qs}`);
  }

  const input = (f: (typeof FIELDS)[number], label: string, placeholder = "") => (
    <div className="field" key={f}>
      <label htmlFor={`flow-${f}`}>{label}</label>
      <input
        id={`flow-${f}`}
        placeholder={placeholder}
        value={form[f]}
        onChange={(e) => setForm({ ...form, [f]: e.target.value })}
      />
    </div>
  );
  return (
    <section>
      <h1>Flows</h1>
      <form className="toolbar" onSubmit={apply}>
        {input("workload", "Either end", "web-1")}
        {input("from", "From")}
        {input("to", "To")}
        {input("label", "Label (key=value)", "app=shop")}
        {input("port", "Port", "tcp/443")}
        <div className="field">
          <label htmlFor="flow-verdict">Verdict</label>
          <select
            id="flow-verdict"
            value={form.verdict}
            onChange={(e) => setForm({ ...form, verdict: e.target.value })}
          >
            <option value="">any</option>
            <option value="allowed">allowed</option>
            <option value="blocked">blocked</option>
            <option value="would-block">would-block</option>
          </select>
        </div>
        {input("since", "Since (ISO or 15m, 24h, 7d)")}
        {input("until", "Until")}
        <button type="submit">Show flows</button>
      </form>
      <Show loaded={flows}>{(f) => <FlowTable edges={f.edges} />}</Show>
    </section>
  );
}
