import { Copy, FileUp, Globe, Plus, Search, Trash2 } from "lucide-react";
import { useCallback, useEffect, useRef, useState } from "react";
import { Link, useNavigate } from "react-router-dom";

import { AppHeader } from "@/components/AppHeader";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { api, errorText, type Page, results } from "@/lib/api";
import { preloadEditor } from "@/pages/lazyEditor";

interface GraphRow {
  id: number;
  name: string;
  description: string;
  version: number;
  updated_at: string;
}

function ago(iso: string): string {
  const seconds = Math.max(0, (Date.now() - new Date(iso).getTime()) / 1000);
  if (seconds < 60) return "just now";
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} h ago`;
  return new Date(iso).toLocaleDateString();
}

export function GraphListPage() {
  const [rows, setRows] = useState<GraphRow[] | null>(null);
  const [search, setSearch] = useState("");
  const [error, setError] = useState<string | null>(null);
  const navigate = useNavigate();
  const fileInput = useRef<HTMLInputElement>(null);

  const load = useCallback(async (query: string) => {
    try {
      const page = await api<Page<GraphRow> | GraphRow[]>(`graphs/?limit=200&ordering=-updated_at${query ? `&search=${encodeURIComponent(query)}` : ""}`);
      setRows(results(page));
      setError(null);
      // The next click most likely opens a graph: fetch the editor's code meanwhile.
      preloadEditor();
    } catch (err) {
      setError(errorText(err));
    }
  }, []);

  useEffect(() => {
    const timer = setTimeout(() => void load(search), search ? 200 : 0);
    return () => clearTimeout(timer);
  }, [load, search]);

  async function create() {
    try {
      const graph = await api<{ id: number }>("graphs/", { method: "POST", body: { name: "Untitled graph", nodes: [], edges: [] } });
      navigate(`/graphs/${graph.id}`);
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function importFile(file: File) {
    try {
      const body: unknown = JSON.parse(await file.text());
      const graph = await api<{ id: number }>("graphs/import/", { method: "POST", body });
      navigate(`/graphs/${graph.id}`);
    } catch (err) {
      setError(err instanceof SyntaxError ? `${file.name} is not valid JSON.` : errorText(err));
    }
  }

  async function duplicate(row: GraphRow) {
    try {
      await api(`graphs/${row.id}/duplicate/`, { method: "POST", body: {} });
      await load(search);
    } catch (err) {
      setError(errorText(err));
    }
  }

  async function remove(row: GraphRow) {
    if (!window.confirm(`Delete "${row.name}"? This cannot be undone.`)) return;
    try {
      await api(`graphs/${row.id}/`, { method: "DELETE" });
      await load(search);
    } catch (err) {
      setError(errorText(err));
    }
  }

  return (
    <div className="flex h-full flex-col">
      <AppHeader>
        <Link
          to="/gallery"
          className="ml-auto flex items-center gap-1.5 rounded px-2 py-1 text-sm text-slate-300 hover:bg-slate-800 hover:text-slate-100"
          title="Graphs other users published: read, run and fork them"
          data-testid="nav-gallery"
        >
          <Globe className="h-4 w-4" /> Gallery
        </Link>
      </AppHeader>
      <main className="mx-auto w-full max-w-5xl flex-1 overflow-auto p-6">
        <div className="mb-6 flex flex-wrap items-center gap-3">
          <h1 className="mr-auto text-2xl font-semibold text-slate-100">Your graphs</h1>
          <div className="relative">
            <Search className="pointer-events-none absolute left-2.5 top-2.5 h-4 w-4 text-slate-500" />
            <Input className="w-56 pl-8" placeholder="Search graphs" value={search} onChange={(e) => setSearch(e.target.value)} aria-label="Search graphs" />
          </div>
          <input
            ref={fileInput}
            type="file"
            accept="application/json,.json"
            className="hidden"
            data-testid="import-file"
            onChange={(e) => {
              const file = e.target.files?.[0];
              if (file) void importFile(file);
              e.target.value = "";
            }}
          />
          <Button variant="outline" onClick={() => fileInput.current?.click()}>
            <FileUp /> Import JSON
          </Button>
          <Button onClick={create}>
            <Plus /> New graph
          </Button>
        </div>
        {error && (
          <p role="alert" className="mb-4 rounded-md border border-red-900 bg-red-950/60 px-3 py-2 text-sm text-red-300">
            {error}
          </p>
        )}
        {rows === null ? (
          <p className="text-slate-400">Loading…</p>
        ) : rows.length === 0 ? (
          <div className="rounded-lg border border-dashed border-slate-700 p-10 text-center text-slate-400">
            {search ? "No graph matches." : "No graphs yet. Create one to start."}
          </div>
        ) : (
          <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="graph-list">
            {rows.map((row) => (
              <li key={row.id} className="group relative rounded-lg border border-slate-800 bg-slate-900 transition hover:border-sky-600">
                <Link to={`/graphs/${row.id}`} className="block p-4">
                  <div className="truncate font-medium text-slate-100">{row.name}</div>
                  <div className="mt-1 line-clamp-2 h-10 text-sm text-slate-400">{row.description || "No description"}</div>
                  <div className="mt-2 text-xs text-slate-500">
                    v{row.version} · edited {ago(row.updated_at)}
                  </div>
                </Link>
                <div className="absolute right-2 top-2 hidden gap-1 group-hover:flex">
                  <Button variant="ghost" size="icon" title="Duplicate" onClick={() => void duplicate(row)}>
                    <Copy />
                  </Button>
                  <Button variant="ghost" size="icon" title="Delete" onClick={() => void remove(row)}>
                    <Trash2 />
                  </Button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </main>
    </div>
  );
}
