// Calling a saved graph from outside the editor (the Call dialog, editor/CallDialog.tsx): example
// inputs built from its signature, the REST and webhook curl lines, and the owner's webhook
// requests. The routes are docs/interfaces.md's ("Graph inputs and outputs", "Webhooks"); the
// pure helpers are tested in callGraph.test.ts.

import { api, apiAs } from "./api";
import { signatureAnswerSchema, type WebhookList, webhookCreatedSchema, webhookListSchema } from "./schemas";
import type { Signature, SignatureInput } from "./signature";
import type { WebhookCreated } from "./types";

/** How long the REST example waits for the end of the run (the route's maximum). */
export const REST_WAIT_SECONDS = 30;
/** How long the webhook example waits (the hook's default). */
export const HOOK_WAIT_SECONDS = 10;

/**
 * A value that fits an input's type (docs/catalogue.md, the rule for values typed on pins), for
 * examples: an optional input shows its default, so the example runs as the graph would without it.
 */
export function exampleValue(input: Pick<SignatureInput, "type" | "required" | "default">): unknown {
  if (!input.required && input.default !== null && input.default !== undefined) return input.default;
  switch (input.type) {
    case "int":
      return 1;
    case "number":
    case "float":
      return 1.5;
    case "bool":
      return true;
    case "list":
      return [1, 2];
    case "dict":
      return { key: "value" };
    case "none":
      return null;
    default:
      // text and any: a word.
      return "example";
  }
}

/** `{input name: example value}` for every input of a signature, in its order. */
export function exampleInputs(signature: Signature): Record<string, unknown> {
  const inputs: Record<string, unknown> = {};
  for (const input of signature.inputs) inputs[input.name] = exampleValue(input);
  return inputs;
}

/**
 * A word for a POSIX shell, quoted so that nothing in it is expanded: inside single quotes every
 * character is literal, and a single quote itself is closed, escaped and reopened (`'\''`).
 */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** `url` with one query parameter set (an existing one of that name replaced). */
export function withQuery(url: string, name: string, value: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set(name, value);
  return parsed.toString();
}

/** The absolute URL that runs a saved graph over REST (POST), waiting for its end. */
export function restRunUrl(origin: string, graphId: number): string {
  return `${origin.replace(/\/+$/, "")}/api/graphs/${graphId}/runs/?wait=${REST_WAIT_SECONDS}`;
}

/** The absolute URL that answers an API token for a username and password. */
export function tokenUrl(origin: string): string {
  return `${origin.replace(/\/+$/, "")}/api/auth/token/`;
}

const JSON_HEADER = `-H ${shellQuote("Content-Type: application/json")}`;

/** The curl line that runs a graph over REST with inputs; `$TOKEN` stays for the shell to expand. */
export function restCurl(origin: string, graphId: number, inputs: Record<string, unknown>): string {
  const body = JSON.stringify({ inputs });
  return `curl -s -X POST ${shellQuote(restRunUrl(origin, graphId))} -H "Authorization: Token $TOKEN" ${JSON_HEADER} -d ${shellQuote(body)}`;
}

/** The curl line that calls a webhook with inputs (its body is the inputs themselves). */
export function hookCurl(hookUrl: string, inputs: Record<string, unknown>): string {
  const url = withQuery(hookUrl, "wait", String(HOOK_WAIT_SECONDS));
  return `curl -s -X POST ${shellQuote(url)} ${JSON_HEADER} -d ${shellQuote(JSON.stringify(inputs))}`;
}

/** The curl line that answers an API token (`{"token": ...}`): the password is left to fill in. */
export function tokenCurl(origin: string, username: string): string {
  const body = JSON.stringify({ username, password: "YOUR PASSWORD" });
  return `curl -s -X POST ${shellQuote(tokenUrl(origin))} ${JSON_HEADER} -d ${shellQuote(body)}`;
}

/** How a type reads in the signature's table. */
export function inputSummary(input: Pick<SignatureInput, "required" | "default">): string {
  if (input.required) return "required";
  return `optional, default ${JSON.stringify(input.default)}`;
}

// ---------------------------------------------------------------- requests (the owner's)

/** The signature of the graph as saved. */
export function loadSignature(graphId: number, signal?: AbortSignal): Promise<Signature> {
  return apiAs(signatureAnswerSchema, `graphs/${graphId}/signature/`, { signal });
}

/** The graph's webhooks, newest first as the server orders them (the route's largest page). */
export function loadWebhooks(graphId: number, signal?: AbortSignal): Promise<WebhookList> {
  return apiAs(webhookListSchema, `graphs/${graphId}/webhooks/?limit=500`, { signal });
}

export function createWebhook(graphId: number): Promise<WebhookCreated> {
  return apiAs(webhookCreatedSchema, `graphs/${graphId}/webhooks/`, { method: "POST" });
}

export async function revokeWebhook(graphId: number, hookId: number): Promise<void> {
  await api(`graphs/${graphId}/webhooks/${hookId}/`, { method: "DELETE" });
}
