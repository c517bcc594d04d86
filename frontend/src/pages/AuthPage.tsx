import { Workflow } from "lucide-react";
import { useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router-dom";

import { Button } from "@/components/ui/button";
import { Input, Label } from "@/components/ui/input";
import { api, ensureCsrf, errorText } from "@/lib/api";
import { type Me, useSession } from "@/store/session";

export function AuthPage({ mode }: { mode: "login" | "signup" }) {
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [email, setEmail] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const setMe = useSession((s) => s.setMe);
  const next = search.get("next");
  const target = next?.startsWith("/") && !next.startsWith("//") ? next : "/";

  async function submit(event: React.FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await ensureCsrf();
      const body = mode === "signup" ? { username, password, ...(email ? { email } : {}) } : { username, password };
      await api(mode === "signup" ? "auth/register/" : "auth/login/", { method: "POST", body, quiet401: true });
      // Login rotates the CSRF token; fetch the fresh one before the next unsafe request.
      await fetch("/api/auth/csrf/", { credentials: "same-origin" });
      const me = await api<Me>("auth/me/", { quiet401: true });
      setMe(me);
      navigate(target, { replace: true });
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const isSignup = mode === "signup";
  return (
    <div className="flex min-h-full items-center justify-center bg-gradient-to-br from-slate-950 via-slate-900 to-slate-950 p-6">
      <form onSubmit={submit} className="w-full max-w-sm space-y-5 rounded-xl border border-slate-800 bg-slate-900/80 p-8 shadow-2xl">
        <div className="flex items-center gap-2 text-slate-100">
          <Workflow className="h-7 w-7 text-sky-400" />
          <span className="text-xl font-semibold">Node Engine</span>
        </div>
        <div>
          <h1 className="text-lg font-semibold text-slate-100">{isSignup ? "Create your account" : "Sign in"}</h1>
          <p className="text-sm text-slate-400">{isSignup ? "Build logic as a graph, see its Python, run it." : "Welcome back."}</p>
        </div>
        <div className="space-y-1.5">
          <Label htmlFor="username">Username</Label>
          <Input id="username" name="username" autoComplete="username" value={username} onChange={(e) => setUsername(e.target.value)} required autoFocus />
        </div>
        {isSignup && (
          <div className="space-y-1.5">
            <Label htmlFor="email">Email (optional)</Label>
            <Input id="email" name="email" type="email" autoComplete="email" value={email} onChange={(e) => setEmail(e.target.value)} />
          </div>
        )}
        <div className="space-y-1.5">
          <Label htmlFor="password">Password</Label>
          <Input
            id="password"
            name="password"
            type="password"
            autoComplete={isSignup ? "new-password" : "current-password"}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            required
          />
        </div>
        {error && (
          <p role="alert" className="rounded-md border border-red-900 bg-red-950/60 px-3 py-2 text-sm text-red-300">
            {error}
          </p>
        )}
        <Button type="submit" className="w-full" disabled={busy}>
          {busy ? "Please wait…" : isSignup ? "Sign up" : "Sign in"}
        </Button>
        <p className="text-center text-sm text-slate-400">
          {isSignup ? (
            <>
              Already have an account?{" "}
              <Link className="text-sky-400 hover:underline" to="/login">
                Sign in
              </Link>
            </>
          ) : (
            <>
              New here?{" "}
              <Link className="text-sky-400 hover:underline" to="/signup">
                Create an account
              </Link>
            </>
          )}
        </p>
      </form>
    </div>
  );
}
