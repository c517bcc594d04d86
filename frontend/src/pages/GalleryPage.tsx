// The gallery: graphs their owners published, for every signed-in user to open read-only, run
// and fork (pages/SharedGraphPage.tsx). The search and the page live in the address (?search=
// and the page parameters of the server's own next/previous links), so Back returns to the same list.

import { ChevronLeft, ChevronRight, Search } from "lucide-react";
import { useEffect, useMemo, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { AppHeader } from "@/components/AppHeader";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { ApiError, errorText } from "@/lib/api";
import type { GalleryRow, GalleryPage as Page } from "@/lib/schemas";
import { loadGallery, type PageQuery, pagePosition, pageQueryFrom, pageQueryOf, viewerPath } from "@/lib/sharing";
import { preloadSharedGraph } from "@/pages/lazyEditor";
import { Breadcrumb } from "../components/Breadcrumb";

const SEARCH_DELAY_MS = 250;

function GalleryCard({ row }: { row: GalleryRow }) {
  return (
    <li className="rounded-lg border border-slate-800 bg-slate-900 transition hover:border-sky-600" data-testid="gallery-item" data-id={row.id}>
      <Link to={viewerPath({ kind: "gallery", id: row.id })} className="block p-4">
        <div className="truncate font-medium text-slate-100">{row.title}</div>
        <div className="mt-1 line-clamp-2 h-10 text-sm text-slate-400">{row.description || "No description"}</div>
        <div className="mt-2 truncate text-xs text-slate-500">
          by <span className="text-slate-400">{row.owner}</span> · published {new Date(row.published_at).toLocaleDateString()}
        </div>
      </Link>
    </li>
  );
}

function Pager({ data, onPage }: { data: Page; onPage: (page: PageQuery) => void }) {
  const previous = pageQueryOf(data.previous);
  const next = pageQueryOf(data.next);
  if (!previous && !next) return null;
  return (
    <nav className="mt-6 flex items-center justify-center gap-3 text-sm text-slate-400" aria-label="Pages">
      <Button variant="outline" size="sm" disabled={!previous} onClick={() => previous && onPage(previous)} data-testid="gallery-previous">
        <ChevronLeft /> Previous
      </Button>
      <Button variant="outline" size="sm" disabled={!next} onClick={() => next && onPage(next)} data-testid="gallery-next">
        Next <ChevronRight />
      </Button>
    </nav>
  );
}

export function GalleryPage() {
  const [params, setParams] = useSearchParams();
  const search = params.get("search") ?? "";
  // The same object while the address stays (useSearchParams keeps `params` until it changes).
  const page = useMemo(() => pageQueryFrom(params), [params]);
  const [typed, setTyped] = useState(search);
  const [data, setData] = useState<Page | null>(null);
  const [error, setError] = useState<string | null>(null);

  // What is typed reaches the address once typing pauses, on the first page.
  useEffect(() => {
    if (typed === search) return;
    const timer = setTimeout(() => setParams(typed.trim() ? { search: typed } : {}, { replace: true }), SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [typed, search, setParams]);

  useEffect(() => {
    const controller = new AbortController();
    loadGallery(search, page, controller.signal).then(
      (answer) => {
        setData(answer);
        setError(null);
        // The next click most likely opens one: fetch the viewer's code meanwhile.
        preloadSharedGraph();
      },
      (err: unknown) => {
        if (controller.signal.aborted) return;
        // A page past the end (the list shrank): back to the first.
        if (err instanceof ApiError && err.status === 404 && Object.keys(page).length) setParams(search ? { search } : {}, { replace: true });
        else setError(errorText(err));
      },
    );
    return () => controller.abort();
  }, [search, page, setParams]);

  const goTo = (next: PageQuery) => setParams({ ...(search ? { search } : {}), ...next });

  return (
    <div className="flex h-full flex-col">
      <AppHeader>
        <Breadcrumb>
          <span className="px-1.5 py-0.5 font-medium text-slate-100">Gallery</span>
        </Breadcrumb>
      </AppHeader>
      <main className="mx-auto w-full max-w-5xl flex-1 overflow-auto p-6">
        <div className="mb-6 flex flex-wrap items-center gap-3">
          <div className="mr-auto">
            <h1 className="text-2xl font-semibold text-slate-100">Gallery</h1>
            <p className="text-sm text-slate-400">Graphs shared by their authors: open one to read it, run it, or fork it into your graphs.</p>
          </div>
          <div className="relative">
            <Search className="pointer-events-none absolute left-2.5 top-2.5 h-4 w-4 text-slate-500" />
            <Input
              className="w-64 pl-8"
              placeholder="Search titles, descriptions, authors"
              value={typed}
              onChange={(e) => setTyped(e.target.value)}
              aria-label="Search the gallery"
              data-testid="gallery-search"
            />
          </div>
        </div>
        {error && (
          <p role="alert" className="mb-4 rounded-md border border-red-900 bg-red-950/60 px-3 py-2 text-sm text-red-300">
            {error}
          </p>
        )}
        {data === null ? (
          !error && <p className="text-slate-400">Loading…</p>
        ) : data.results.length === 0 ? (
          <div className="rounded-lg border border-dashed border-slate-700 p-10 text-center text-slate-400" data-testid="gallery-empty">
            {search ? "No published graph matches." : "Nothing is published yet. Publish one of your graphs from its Share button."}
          </div>
        ) : (
          <>
            <p className="mb-3 text-xs text-slate-500" data-testid="gallery-count">
              {pagePosition(page, data.results.length, data.count)} graph{data.count === 1 ? "" : "s"}
            </p>
            <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="gallery-list">
              {data.results.map((row) => (
                <GalleryCard key={row.id} row={row} />
              ))}
            </ul>
            <Pager data={data} onPage={goTo} />
          </>
        )}
      </main>
    </div>
  );
}
