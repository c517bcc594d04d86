import { ChevronRight } from "lucide-react";
import { Link } from "react-router-dom";

/** The header's "Graphs › <here>" trail; `back` names another parent page than the graph list. */
export function Breadcrumb({
  back = { to: "/", label: "Graphs", testId: "nav-graphs" },
  children,
}: {
  back?: { to: string; label: string; testId: string };
  children: React.ReactNode;
}) {
  return (
    <nav className="flex min-w-0 items-center gap-1 text-sm" aria-label="Breadcrumb">
      <Link to={back.to} className="rounded px-1.5 py-0.5 text-slate-300 hover:bg-slate-800 hover:text-slate-100" data-testid={back.testId}>
        {back.label}
      </Link>
      <ChevronRight className="h-3.5 w-3.5 shrink-0 text-slate-400" />
      {children}
    </nav>
  );
}
