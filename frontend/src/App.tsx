import { useEffect, useState } from "react";
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation, useNavigate } from "react-router-dom";

import { prefetchEditorData } from "./editor/prefetch";
import { setUnauthorizedHandler } from "./lib/api";
import { AuthPage } from "./pages/AuthPage";
import { GalleryPage } from "./pages/GalleryPage";
import { GraphListPage } from "./pages/GraphListPage";
import { LazyEditorPage, LazySharedGraphPage, preloadEditor, preloadSharedGraph } from "./pages/lazyEditor";
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
// A shared graph's address (a link, a gallery entry): the viewer's code likewise.
if (/^\/(s|gallery)\/[^/]+\/?$/.test(window.location.pathname)) preloadSharedGraph();

function RequireAuth({ children }: { children: React.ReactNode }) {
  const me = useSession((s) => s.me);
  const location = useLocation();
  if (me === undefined) return <div className="p-8 text-slate-400">Loading…</div>;
  if (me === null) return <Navigate to={`/login?next=${encodeURIComponent(location.pathname)}`} replace />;
  return <>{children}</>;
}

/** Pages a signed-out visitor sees: no /api/auth/me/ there (it would only log a 401). */
const SIGNED_OUT_PAGES = ["/login", "/signup"];

function SessionWatcher() {
  const navigate = useNavigate();
  const refresh = useSession((s) => s.refresh);
  useEffect(() => {
    if (SIGNED_OUT_PAGES.includes(window.location.pathname)) useSession.getState().setMe(null);
    else void refresh();
    setUnauthorizedHandler(() => {
      useSession.getState().setMe(null);
      if (!SIGNED_OUT_PAGES.includes(window.location.pathname)) navigate(`/login?next=${encodeURIComponent(window.location.pathname)}`, { replace: true });
    });
  }, [navigate, refresh]);
  return null;
}

/** Asks who is signed in when a page that needs it is reached from a signed-out one. */
function RequireAuthRefresh({ children }: { children: React.ReactNode }) {
  const me = useSession((s) => s.me);
  const refresh = useSession((s) => s.refresh);
  const [checked, setChecked] = useState(me !== null);
  useEffect(() => {
    if (me === null && !checked) void refresh().finally(() => setChecked(true));
  }, [me, checked, refresh]);
  if (me === null && !checked) return <div className="p-8 text-slate-400">Loading…</div>;
  return <RequireAuth>{children}</RequireAuth>;
}

function Root() {
  return (
    <>
      <SessionWatcher />
      <Outlet />
    </>
  );
}

// A data router: the editor's leave guard (useBlocker) needs one.
const router = createBrowserRouter([
  {
    element: <Root />,
    children: [
      { path: "/login", element: <AuthPage mode="login" /> },
      { path: "/signup", element: <AuthPage mode="signup" /> },
      {
        path: "/",
        element: (
          <RequireAuthRefresh>
            <GraphListPage />
          </RequireAuthRefresh>
        ),
      },
      { path: "/graphs", element: <Navigate to="/" replace /> },
      {
        path: "/graphs/:id",
        element: (
          <RequireAuthRefresh>
            <LazyEditorPage />
          </RequireAuthRefresh>
        ),
      },
      {
        path: "/gallery",
        element: (
          <RequireAuthRefresh>
            <GalleryPage />
          </RequireAuthRefresh>
        ),
      },
      // Someone's shared graph, read-only: from the gallery, or by a secret link.
      {
        path: "/gallery/:id",
        element: (
          <RequireAuthRefresh>
            <LazySharedGraphPage />
          </RequireAuthRefresh>
        ),
      },
      {
        path: "/s/:token",
        element: (
          <RequireAuthRefresh>
            <LazySharedGraphPage />
          </RequireAuthRefresh>
        ),
      },
      { path: "*", element: <Navigate to="/" replace /> },
    ],
  },
]);

export default function App() {
  return <RouterProvider router={router} />;
}
