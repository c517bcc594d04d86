// The REST client: same origin, session cookie, CSRF header on unsafe methods, errors as ApiError.

import type { ZodType } from "zod";

export class ApiError extends Error {
  constructor(
    public status: number,
    message: string,
    public body: Record<string, unknown> | null,
  ) {
    super(message);
  }

  /** Field errors as one readable line each, e.g. "password: This password is too common." */
  get fieldMessages(): string[] {
    const errors = this.body?.errors;
    if (!errors || typeof errors !== "object") return [];
    return Object.entries(errors as Record<string, unknown>).flatMap(([field, msgs]) =>
      (Array.isArray(msgs) ? msgs : [msgs]).map((m) => (field === "non_field_errors" ? String(m) : `${field}: ${String(m)}`)),
    );
  }
}

function cookie(name: string): string | null {
  const match = document.cookie.split("; ").find((c) => c.startsWith(`${name}=`));
  return match ? decodeURIComponent(match.slice(name.length + 1)) : null;
}

let onUnauthorized: (() => void) | null = null;
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler;
}

export async function ensureCsrf(): Promise<void> {
  if (!cookie("csrftoken")) await fetch("/api/auth/csrf/", { credentials: "same-origin" });
}

export async function api<T = unknown>(path: string, options: { method?: string; body?: unknown; signal?: AbortSignal; quiet401?: boolean } = {}): Promise<T> {
  const method = options.method ?? "GET";
  const headers: Record<string, string> = { Accept: "application/json" };
  if (method !== "GET" && method !== "HEAD") {
    await ensureCsrf();
    headers["X-CSRFToken"] = cookie("csrftoken") ?? "";
  }
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(`/api/${path}`, {
      method,
      headers,
      credentials: "same-origin",
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (err) {
    if ((err as Error).name === "AbortError") throw err;
    throw new ApiError(0, "The server cannot be reached. Check that it is running.", null);
  }
  if (response.status === 204) return undefined as T;
  let body: Record<string, unknown> | null = null;
  const text = await response.text();
  if (text) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = null;
    }
  }
  if (!response.ok) {
    if (response.status === 401 && !options.quiet401) onUnauthorized?.();
    const detail = typeof body?.detail === "string" ? body.detail : `Request failed (${response.status}).`;
    throw new ApiError(response.status, detail, body);
  }
  return body as T;
}

/**
 * The message of an error for the user, each sentence once: the API's `detail` repeats the first
 * field error (nodeengine/errors.py), so it is left out when a field message already says it.
 */
export function errorText(err: unknown): string {
  if (err instanceof ApiError) {
    const fields = [...new Set(err.fieldMessages)];
    const said = (text: string) => fields.some((f) => f === text || f.includes(text) || text.includes(f));
    const lines = fields.length === 0 || !said(err.message) ? [err.message, ...fields] : fields;
    return lines.join(" ");
  }
  return err instanceof Error ? err.message : String(err);
}

/** A request whose answer is checked against a schema: a body of another shape is an error. */
export async function apiAs<T>(schema: ZodType<T>, path: string, options: Parameters<typeof api>[1] = {}): Promise<T> {
  const body = await api<unknown>(path, options);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new ApiError(0, `The server's answer to ${path.split("?")[0]} has an unexpected shape.`, null);
  return parsed.data;
}

export interface Page<T> {
  count: number;
  next: string | null;
  previous: string | null;
  results: T[];
}

/** A list endpoint answers either a page or a plain array; both become an array here. */
export function results<T>(value: Page<T> | T[]): T[] {
  return Array.isArray(value) ? value : value.results;
}

export function download(filename: string, content: string): void {
  const url = URL.createObjectURL(new Blob([content], { type: "application/json" }));
  const a = document.createElement("a");
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
