// Sharing's pure helpers: viewer addresses, API paths, run and fork requests, the gallery's
// query, the publish form's checks and the server's field errors; and the schemas of the answers.

import { describe, expect, it } from "vitest";

import { ApiError } from "./api";
import { galleryPageSchema, graphRecordSchema, sharedGraphSchema, shareLinkSchema } from "./schemas";
import {
  checkListing,
  fieldErrorsOf,
  forkRequest,
  galleryListPath,
  notFoundText,
  pagePosition,
  pageQueryOf,
  runFields,
  type ShareSource,
  sharedGraphApiPath,
  shareUrlOf,
  sourceFromParams,
  viewerPath,
} from "./sharing";

const link: ShareSource = { kind: "link", token: "abc_DEF-123" };
const gallery: ShareSource = { kind: "gallery", id: 42 };

describe("sources and addresses", () => {
  it("reads the viewer's params", () => {
    expect(sourceFromParams({ token: "abc_DEF-123" })).toEqual(link);
    expect(sourceFromParams({ id: "42" })).toEqual(gallery);
  });

  it.each([[{ token: "" }], [{ token: "  " }], [{ id: "0" }], [{ id: "-1" }], [{ id: "4.5" }], [{ id: "12abc" }], [{ id: "99999999999999999999" }], [{}]])(
    "refuses %j",
    (params) => {
      expect(sourceFromParams(params)).toBeNull();
    },
  );

  it("builds the viewer's address and the API path, escaping the token", () => {
    expect(viewerPath(link)).toBe("/s/abc_DEF-123");
    expect(viewerPath(gallery)).toBe("/gallery/42");
    expect(sharedGraphApiPath(link)).toBe("shared/abc_DEF-123/");
    expect(sharedGraphApiPath(gallery)).toBe("gallery/42/");
    const odd: ShareSource = { kind: "link", token: "a/b?c#d" };
    expect(viewerPath(odd)).toBe("/s/a%2Fb%3Fc%23d");
    expect(sharedGraphApiPath(odd)).toBe("shared/a%2Fb%3Fc%23d/");
  });

  it("says what a 404 means for each source", () => {
    expect(notFoundText(link)).toBe("This link was revoked or never existed.");
    expect(notFoundText(gallery)).toMatch(/not in the gallery/);
  });

  it("uses the server's share URL, else one on this origin", () => {
    expect(shareUrlOf("tok", "http://host/s/tok", "http://other")).toBe("http://host/s/tok");
    expect(shareUrlOf("tok", null, "http://localhost:8000/")).toBe("http://localhost:8000/s/tok");
  });
});

describe("runs and forks", () => {
  it("sends the token with a link's run only", () => {
    expect(runFields(link, 7)).toEqual({ graph_id: 7, share_token: "abc_DEF-123" });
    expect(runFields(gallery, 42)).toEqual({ graph_id: 42 });
    expect("share_token" in runFields(gallery, 42)).toBe(false);
  });

  it("forks with the token for a link, without for the gallery", () => {
    expect(forkRequest(link, 7)).toEqual({ path: "graphs/7/fork/", body: { share_token: "abc_DEF-123" } });
    expect(forkRequest(gallery, 42)).toEqual({ path: "graphs/42/fork/", body: {} });
    expect(forkRequest(gallery, 42, "Mine")).toEqual({ path: "graphs/42/fork/", body: { name: "Mine" } });
  });
});

describe("the gallery's query", () => {
  it.each([
    ["", {}, "gallery/"],
    ["  ", {}, "gallery/"],
    ["fizz buzz", {}, "gallery/?search=fizz+buzz"],
    ["a&b=c", { page: "3" }, "gallery/?search=a%26b%3Dc&page=3"],
    ["x", { limit: "50", offset: "100" }, "gallery/?search=x&offset=100&limit=50"],
  ])("%j %j -> %s", (search, page, path) => {
    expect(galleryListPath(search, page)).toBe(path);
  });

  it("follows the server's next and previous links, limit/offset or numbered", () => {
    expect(pageQueryOf("http://host/api/gallery/?limit=50&offset=50&search=fizz")).toEqual({ limit: "50", offset: "50" });
    expect(pageQueryOf("http://host/api/gallery/?limit=50&search=fizz")).toEqual({ limit: "50" });
    expect(pageQueryOf("/api/gallery/?page=2")).toEqual({ page: "2" });
    expect(pageQueryOf("http://host/api/gallery/?offset=-5&page=abc")).toEqual({});
    expect(pageQueryOf(null)).toBeNull();
    expect(pageQueryOf("")).toBeNull();
  });

  it("says where a page sits", () => {
    expect(pagePosition({}, 50, 120)).toBe("1–50 of 120");
    expect(pagePosition({ limit: "50", offset: "100" }, 20, 120)).toBe("101–120 of 120");
    expect(pagePosition({ page: "3" }, 10, 120)).toBe("Page 3");
    expect(pagePosition({ offset: "500" }, 0, 120)).toBe("none of 120");
  });
});

describe("the publish form", () => {
  it("needs a title of at most 200 characters and a description of at most 2000", () => {
    expect(checkListing({ title: "Fizzbuzz", description: "" })).toEqual({});
    expect(checkListing({ title: "   ", description: "" }).title).toBe("A title is needed.");
    expect(checkListing({ title: "x".repeat(200), description: "d".repeat(2000) })).toEqual({});
    expect(checkListing({ title: "x".repeat(201), description: "" }).title).toMatch(/At most 200/);
    expect(checkListing({ title: "ok", description: "d".repeat(2001) }).description).toMatch(/At most 2000/);
  });

  it("reads the API's field errors, nested or at the top level", () => {
    const nested = new ApiError(400, "title: Too long.", { detail: "title: Too long.", errors: { title: ["Too long."], description: "Bad." } });
    expect(fieldErrorsOf(nested, ["title", "description"])).toEqual({ fields: { title: "Too long.", description: "Bad." }, other: null });
    const flat = new ApiError(400, "Request failed (400).", { title: ["This field may not be blank."] });
    expect(fieldErrorsOf(flat, ["title", "description"])).toEqual({ fields: { title: "This field may not be blank." }, other: null });
  });

  it("reports what names no field as a whole", () => {
    const other = new ApiError(400, "Nope.", { detail: "Nope.", errors: { non_field_errors: ["Nope."] } });
    expect(fieldErrorsOf(other, ["title"])).toEqual({ fields: {}, other: "Nope." });
    expect(fieldErrorsOf(new ApiError(404, "Not found.", { detail: "Not found." }), ["title"])).toEqual({ fields: {}, other: "Not found." });
    expect(fieldErrorsOf(new Error("offline"), ["title"]).other).toBe("offline");
  });
});

describe("schemas", () => {
  const base = { id: 3, name: "Fizz", description: "", nodes: [], edges: [], viewport: null, version: 2 };

  it("reads the owner's sharing fields", () => {
    const record = graphRecordSchema.parse({
      ...base,
      share_token: "tok",
      share_url: "http://h/s/tok",
      gallery: { title: "Fizz", description: "d", published_at: "2026-01-01T00:00:00Z" },
      forked_from: 9,
      forked_from_note: "Forked from “Buzz” by alice",
    });
    expect(record).toMatchObject({ share_token: "tok", share_url: "http://h/s/tok", gallery: { title: "Fizz" }, forked_from: 9 });
    expect(record.forked_from_note).toBe("Forked from “Buzz” by alice");
  });

  it("reads a graph without them (an older server) as not shared", () => {
    const record = graphRecordSchema.parse(base);
    expect(record).toMatchObject({ share_token: null, share_url: null, gallery: null, forked_from: null, forked_from_note: "" });
    expect(graphRecordSchema.parse({ ...base, share_token: "", gallery: { title: 5 } })).toMatchObject({ share_token: null, gallery: null });
  });

  it("reads a share link and refuses one without a token", () => {
    expect(shareLinkSchema.parse({ share_token: "t", share_url: "http://h/s/t" })).toEqual({ share_token: "t", share_url: "http://h/s/t" });
    expect(shareLinkSchema.safeParse({ share_url: "http://h/s/t" }).success).toBe(false);
  });

  it("reads a gallery page", () => {
    const page = galleryPageSchema.parse({
      count: 1,
      next: null,
      previous: null,
      results: [{ id: 1, title: "T", description: "D", owner: "alice", published_at: "2026-01-01T00:00:00Z", updated_at: "2026-01-02T00:00:00Z" }],
    });
    expect(page.results[0]).toMatchObject({ id: 1, owner: "alice" });
    expect(galleryPageSchema.safeParse({ count: 1, results: [{ id: 1, title: "T" }] }).success).toBe(false);
  });

  it("reads a shared graph from either source", () => {
    const shared = { ...base, owner: "alice", title: "Fizz!", source: "link", updated_at: "2026-01-01T00:00:00Z" };
    expect(sharedGraphSchema.parse(shared)).toMatchObject({ owner: "alice", title: "Fizz!", source: "link", viewport: {} });
    expect(sharedGraphSchema.parse({ ...shared, title: null, source: "gallery" })).toMatchObject({ title: "", source: "gallery" });
    expect(sharedGraphSchema.safeParse({ ...shared, source: "elsewhere" }).success).toBe(false);
    expect(sharedGraphSchema.safeParse({ ...shared, owner: undefined }).success).toBe(false);
  });
});
