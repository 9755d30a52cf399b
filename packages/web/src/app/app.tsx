// The console shell: nothing but the sign-in until a token is accepted; then the navigation
// and the view for the current path. A 401 from any call ends the session (client.ts).
import { lazy, type ReactNode, Suspense, useEffect, useState } from "react";
import { SIGNED_OUT_EVENT } from "./api/client.js";
import { clearToken, readToken } from "./api/token.js";
import { Link, useLocation } from "./router.js";
import { AlertsView } from "./views/alerts.js";
import { AuditView } from "./views/audit.js";
import { DashboardView } from "./views/dashboard.js";
import { EnrolmentView } from "./views/enrolment.js";
import { FlowsView } from "./views/flows.js";
import { PolicyView } from "./views/policy.js";
import { SignIn } from "./views/sign-in.js";
import { WorkloadsView } from "./views/workloads.js";

// The map brings Cytoscape (most of the bundle): loaded when the map is first opened.
const MapView = lazy(() => import("./views/map.js").then((m) => ({ default: m.MapView })));

interface ViewEntry {
  readonly path: string;
  readonly title: string;
  readonly render: () => ReactNode;
}

const VIEWS: readonly ViewEntry[] = [
  { path: "/", title: "Dashboard", render: () => <DashboardView /> },
  {
    path: "/map",
    title: "Map",
    render: () => (
      <Suspense fallback={<p className="muted">Loading the map…</p>}>
        <MapView />
      </Suspense>
    ),
  },
  { path: "/workloads", title: "Workloads", render: () => <WorkloadsView /> },
  { path: "/policy", title: "Policy", render: () => <PolicyView /> },
  { path: "/flows", title: "Flows", render: () => <FlowsView /> },
  { path: "/alerts", title: "Alerts", render: () => <AlertsView /> },
  { path: "/enrolment", title: "Enrolment", render: () => <EnrolmentView /> },
  { path: "/audit", title: "Audit log", render: () => <AuditView /> },
];

export function App() {
  const [signedIn, setSignedIn] = useState(() => readToken() !== null);
  useEffect(() => {
    const out = () => setSignedIn(false);
    window.addEventListener(SIGNED_OUT_EVENT, out);
    return () => window.removeEventListener(SIGNED_OUT_EVENT, out);
  }, []);
  if (!signedIn) return <SignIn onSignedIn={() => setSignedIn(true)} />;
  return (
    <Shell
      onSignOut={() => {
        clearToken();
        setSignedIn(false);
      }}
    />
  );
}

function Shell(props: { onSignOut: () => void }) {
  const { path } = useLocation();
  const view = VIEWS.find((v) => v.path === path);
  useEffect(() => {
    document.title = `${view?.title ?? "Not found"} · microseg`;
  }, [view]);
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">microseg</span>
        <nav aria-label="Main">
          <ul>
            {VIEWS.map((v) => (
              <li key={v.path}>
                <Link to={v.path} current={v.path === path}>
                  {v.title}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <button type="button" className="secondary" onClick={props.onSignOut}>
          Sign out
        </button>
      </header>
      <main id="main">
        {view !== undefined ? (
          view.render()
        ) : (
          <section>
            <h1>Not found</h1>
            <p>
              The console has no page at <code>{path}</code>. <Link to="/">Dashboard</Link>
            </p>
          </section>
        )}
      </main>
    </div>
  );
}
