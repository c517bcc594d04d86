import { LogOut, Moon, Sun, Workflow } from "lucide-react";
import { Link, useNavigate } from "react-router-dom";

import { Button } from "@/components/ui/button";
import { useTheme } from "@/lib/theme";
import { useSession } from "@/store/session";

export function ThemeToggle() {
  const theme = useTheme((s) => s.theme);
  const toggle = useTheme((s) => s.toggle);
  return (
    <Button
      variant="ghost"
      size="icon"
      title={theme === "dark" ? "Light theme" : "Dark theme"}
      aria-label={theme === "dark" ? "Switch to the light theme" : "Switch to the dark theme"}
      onClick={toggle}
      data-testid="theme-toggle"
      data-theme={theme}
    >
      {theme === "dark" ? <Sun /> : <Moon />}
    </Button>
  );
}

export function AppHeader({ children }: { children?: React.ReactNode }) {
  const me = useSession((s) => s.me);
  const logout = useSession((s) => s.logout);
  const navigate = useNavigate();
  return (
    <header className="flex h-12 shrink-0 items-center gap-3 border-b border-slate-800 bg-slate-950 px-3">
      <Link to="/" className="flex items-center gap-2 font-semibold text-slate-100" title="All graphs" data-testid="logo">
        <Workflow className="h-5 w-5 text-sky-400" />
        <span className="hidden sm:inline">Node Engine</span>
      </Link>
      <div className="flex min-w-0 flex-1 items-center gap-2">{children}</div>
      <ThemeToggle />
      {me && (
        <div className="flex items-center gap-2 text-sm text-slate-400">
          <span className="hidden lg:inline" data-testid="username">
            {me.username}
          </span>
          <Button
            variant="ghost"
            size="icon"
            title="Sign out"
            onClick={async () => {
              await logout();
              navigate("/login");
            }}
          >
            <LogOut />
          </Button>
        </div>
      )}
    </header>
  );
}
