import { useEffect } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation, useNavigate } from "react-router-dom";

import { prefetchEditorData } from "./editor/prefetch";
import { setUnauthorizedHandler } from "./lib/api";
import { AuthPage } from "./pages/AuthPage";
import { GraphListPage } from "./pages/GraphListPage";
import { LazyEditorPage, preloadEditor } from "./pages/lazyEditor";
import { useSession } from "./store/session";

// The editor (React Flow, dialogs, CodeMirror) is loaded on demand: the sign-in and list pages do
// not wait for it, and the list page warms it up once it has drawn (pages/lazyEditor.tsx).
// Opening a graph's address directly: fetch the editor's code and the graph while the session is
// checked, not after.
const openedGraph = /^\/graphs\/(\d+)\/?$/.exec(window.location.pathname);
if (openedGraph) {
  preloadEditor();
  prefetchEditorData(Number(openedGraph[1]));
}

function RequireAuth({ children }: { children: React.ReactNode }) {
  const me = useSession((s) => s.me);
  const location = useLocation();
  if (me === undefined) return <div className="p-8 text-slate-400">Loading…</div>;
  if (me === null) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  return <>{children}</>;
}

function SessionWatcher() {
  const navigate = useNavigate();
  const refresh = useSession((s) => s.refresh);
  useEffect(() => {
    void refresh();
    setUnauthorizedHandler(() => {
      useSession.getState().setMe(null);
      if (!["/login", "/signup"].includes(window.location.pathname)) navigate(`/login?next=${encodeURIComponent(window.location.pathname)}`, { replace: true });
    });
  }, [navigate, refresh]);
  return null;
}

export default function App() {
  return (
    <BrowserRouter>
      <SessionWatcher />
      <Routes>
        <Route path="/login" element={<AuthPage mode="login" />} />
        <Route path="/signup" element={<AuthPage mode="signup" />} />
        <Route
          path="/"
          element={
            <RequireAuth>
              <GraphListPage />
            </RequireAuth>
          }
        />
        <Route path="/graphs" element={<Navigate to="/" replace />} />
        <Route
          path="/graphs/:id"
          element={
            <RequireAuth>
              <LazyEditorPage />
            </RequireAuth>
          }
        />
        <Route path="*" element={<Navigate to="/" replace />} />
      </Routes>
    </BrowserRouter>
  );
}
