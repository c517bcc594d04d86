// The Call dialog's pure parts: example inputs from a signature, by type, and the curl lines, whose
// quoting is checked by a real POSIX shell reading them back word by word.

import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";

import { exampleInputs, exampleValue, hookCurl, inputSummary, restCurl, restRunUrl, shellQuote, tokenCurl, withQuery } from "./callGraph";
import { webhookCreatedSchema, webhookListSchema } from "./schemas";
import type { Signature, SignatureInput } from "./signature";

const input = (name: string, type: SignatureInput["type"], required = true, fallback: unknown = null): SignatureInput => ({
  name,
  type,
  required,
  default: fallback,
  description: "",
});

/** The words a shell makes of a command line: each printed on its own, NUL-terminated. */
function shellWords(line: string): string[] {
  const out = execFileSync("/bin/sh", ["-c", `set -- ${line}; for w in "$@"; do printf '%s\\0' "$w"; done`], {
    encoding: "utf8",
    env: { TOKEN: "tok-123", PATH: process.env.PATH ?? "/usr/bin:/bin" },
  });
  return out.split("\0").slice(0, -1);
}

describe("example inputs from a signature", () => {
  it("gives a required input a value of its type", () => {
    expect(exampleValue(input("a", "int"))).toBe(1);
    expect(exampleValue(input("a", "number"))).toBe(1.5);
    expect(exampleValue(input("a", "float"))).toBe(1.5);
    expect(exampleValue(input("a", "text"))).toBe("example");
    expect(exampleValue(input("a", "bool"))).toBe(true);
    expect(exampleValue(input("a", "list"))).toEqual([1, 2]);
    expect(exampleValue(input("a", "dict"))).toEqual({ key: "value" });
    expect(exampleValue(input("a", "none"))).toBeNull();
    expect(exampleValue(input("a", "any"))).toBe("example");
  });

  it("gives an optional input its default, and one without a default a value of its type", () => {
    expect(exampleValue(input("n", "int", false, 7))).toBe(7);
    expect(exampleValue(input("t", "text", false, ""))).toBe("");
    expect(exampleValue(input("b", "bool", false, false))).toBe(false);
    expect(exampleValue(input("x", "float", false, null))).toBe(1.5);
  });

  it("names every input, in the signature's order; none gives {}", () => {
    const signature: Signature = { inputs: [input("b", "int"), input("a", "text", false, "hi")], outputs: [{ name: "out", type: "any" }] };
    const inputs = exampleInputs(signature);
    expect(Object.keys(inputs)).toEqual(["b", "a"]);
    expect(inputs).toEqual({ b: 1, a: "hi" });
    expect(exampleInputs({ inputs: [], outputs: [] })).toEqual({});
  });

  it("says whether an input is required, or its default", () => {
    expect(inputSummary(input("a", "int"))).toBe("required");
    expect(inputSummary(input("a", "text", false, "x"))).toBe('optional, default "x"');
    expect(inputSummary(input("a", "int", false, 3))).toBe("optional, default 3");
  });
});

describe("shell quoting", () => {
  it("single-quotes, closing and escaping a quote inside", () => {
    expect(shellQuote("abc")).toBe("'abc'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote("")).toBe("''");
  });

  it.each(["plain", "it's", "''", '{"a": "x\'y"}', "$HOME `id` $(id) \\ ! * ? ~ # ; & | < > ( ) { } [ ]", "line\nbreak\ttab", "ünïcødé ✓ 𝄞", ""])(
    "reads back %j unchanged in a real shell",
    (text) => {
      expect(shellWords(`x ${shellQuote(text)} y`)).toEqual(["x", text, "y"]);
    },
  );
});

describe("curl lines", () => {
  const origin = "http://127.0.0.1:8000";
  const tricky = { quote: "it's", dollar: "$HOME and `id`", n: 2, list: [1, "a'b"], nested: { ok: true, none: null } };

  it("builds the REST URL from the origin and the graph id", () => {
    expect(restRunUrl(origin, 12)).toBe("http://127.0.0.1:8000/api/graphs/12/runs/?wait=30");
    expect(restRunUrl(`${origin}/`, 12)).toBe("http://127.0.0.1:8000/api/graphs/12/runs/?wait=30");
  });

  it("REST: the shell passes the URL, the token header and the JSON body through exactly", () => {
    const line = restCurl(origin, 12, tricky);
    expect(line).toContain(`-H "Authorization: Token $TOKEN"`);
    expect(shellWords(line)).toEqual([
      "curl",
      "-s",
      "-X",
      "POST",
      "http://127.0.0.1:8000/api/graphs/12/runs/?wait=30",
      "-H",
      // $TOKEN is left to the shell: it expands it, and only it.
      "Authorization: Token tok-123",
      "-H",
      "Content-Type: application/json",
      "-d",
      JSON.stringify({ inputs: tricky }),
    ]);
    expect(JSON.parse(shellWords(line).at(-1) ?? "")).toEqual({ inputs: tricky });
  });

  it("REST with no inputs sends an empty object", () => {
    expect(shellWords(restCurl(origin, 3, {})).at(-1)).toBe('{"inputs":{}}');
  });

  it("webhook: the hook's URL with ?wait=10 and the inputs themselves as the body, no credential", () => {
    const url = "http://127.0.0.1:8000/api/hooks/Ab_c-123/";
    const words = shellWords(hookCurl(url, tricky));
    expect(words).toEqual([
      "curl",
      "-s",
      "-X",
      "POST",
      "http://127.0.0.1:8000/api/hooks/Ab_c-123/?wait=10",
      "-H",
      "Content-Type: application/json",
      "-d",
      JSON.stringify(tricky),
    ]);
    expect(words.join(" ")).not.toContain("Authorization");
  });

  it("sets the wait on a URL once, whatever it already has", () => {
    expect(withQuery("http://h/api/hooks/t/?wait=3", "wait", "10")).toBe("http://h/api/hooks/t/?wait=10");
    expect(withQuery("http://h/api/hooks/t/?x=1", "wait", "10")).toBe("http://h/api/hooks/t/?x=1&wait=10");
  });

  it("token: the username quoted, the password left to fill in", () => {
    const words = shellWords(tokenCurl(origin, "o'neil"));
    expect(words[4]).toBe("http://127.0.0.1:8000/api/auth/token/");
    expect(JSON.parse(words.at(-1) ?? "")).toEqual({ username: "o'neil", password: "YOUR PASSWORD" });
  });
});

describe("webhook answers", () => {
  it("reads a page of hooks, or a plain list", () => {
    const row = { id: 3, created_at: "2025-01-01T00:00:00Z" };
    expect(webhookListSchema.parse({ count: 1, next: null, previous: null, results: [row] })).toEqual({ count: 1, results: [row] });
    expect(webhookListSchema.parse([row])).toEqual({ count: 1, results: [row] });
    expect(webhookListSchema.safeParse({ results: [{ id: "3" }] }).success).toBe(false);
  });

  it("wants the created hook's URL", () => {
    expect(webhookCreatedSchema.safeParse({ id: 1, url: "http://h/api/hooks/t/", created_at: "x" }).success).toBe(true);
    expect(webhookCreatedSchema.safeParse({ id: 1, created_at: "x" }).success).toBe(false);
    expect(webhookCreatedSchema.safeParse({ id: 1, url: "", created_at: "x" }).success).toBe(false);
  });
});
