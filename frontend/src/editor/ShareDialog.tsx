// Sharing a graph (its owner only): a secret link to create, copy and revoke, and the public
// gallery to publish it in (title and description), update or unlist. Viewers see the saved
// version; they open it at /s/<token> or /gallery/<id> (pages/SharedGraphPage.tsx).

import { Check, Copy, Globe, Link2, Link2Off, Share2 } from "lucide-react";
import { useId, useRef, useState } from "react";
import { Link } from "react-router-dom";

import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogDescription, DialogHeader, DialogTitle } from "@/components/ui/dialog";
import { Input, Label } from "@/components/ui/input";
import { copyText } from "@/editor/CopyButton";
import { errorText } from "@/lib/api";
import {
  checkListing,
  createShareLink,
  DESCRIPTION_MAX,
  type FieldErrors,
  fieldErrorsOf,
  type ListingField,
  publishToGallery,
  revokeShareLink,
  shareUrlOf,
  TITLE_MAX,
  unlistFromGallery,
  viewerPath,
} from "@/lib/sharing";
import type { GraphRecord, GraphSharing } from "@/lib/types";
import { cn } from "@/lib/utils";

type SharingPatch = Partial<Pick<GraphSharing, "share_token" | "share_url" | "gallery">>;

/** The header's Share button; a dot says the graph is shared (by link or in the gallery). */
export function ShareButton({ graph, onClick }: { graph: GraphRecord | null; onClick: () => void }) {
  const shared = Boolean(graph?.share_token || graph?.gallery);
  return (
    <Button
      size="sm"
      variant="outline"
      onClick={onClick}
      disabled={!graph}
      title={shared ? "Shared: manage the link and the gallery listing" : "Share a link, or publish to the gallery"}
      data-testid="share"
      data-shared={shared ? "true" : "false"}
    >
      <Share2 /> Share
      {shared && (
        <>
          <span className="h-1.5 w-1.5 rounded-full bg-sky-400" aria-hidden="true" />
          <span className="sr-only">(shared)</span>
        </>
      )}
    </Button>
  );
}

/** Where a forked graph came from, beside its name: `Forked from “Fizzbuzz” by alice`, linking to the original in the gallery. */
export function ForkedFrom({ graph }: { graph: Pick<GraphRecord, "forked_from" | "forked_from_note"> }) {
  if (!graph.forked_from_note) return null;
  const className = "hidden min-w-0 truncate text-xs text-slate-400 md:inline";
  if (graph.forked_from === null)
    return (
      <span className={className} title={graph.forked_from_note} data-testid="forked-from">
        {graph.forked_from_note}
      </span>
    );
  return (
    <Link
      to={viewerPath({ kind: "gallery", id: graph.forked_from })}
      className={cn(className, "hover:text-sky-300 hover:underline")}
      title={`${graph.forked_from_note} (open the original in the gallery, if it is listed there)`}
      data-testid="forked-from"
    >
      {graph.forked_from_note}
    </Link>
  );
}

function ErrorLine({ id, text }: { id?: string; text: string | null | undefined }) {
  if (!text) return null;
  return (
    <p id={id} className="text-xs text-red-300" role="alert">
      {text}
    </p>
  );
}

function LinkSection({ graph, onChange }: { graph: GraphRecord; onChange: (patch: SharingPatch) => void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [copy, setCopy] = useState<"idle" | "copied" | "failed">("idle");
  const [revoked, setRevoked] = useState(false);
  const headingId = useId();
  const field = useRef<HTMLInputElement>(null);
  const url = graph.share_token ? shareUrlOf(graph.share_token, graph.share_url, window.location.origin) : null;

  async function act(request: () => Promise<SharingPatch>) {
    setBusy(true);
    setError(null);
    setCopy("idle");
    try {
      const patch = await request();
      setRevoked(patch.share_token === null);
      onChange(patch);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  const create = () => act(async () => createShareLink(graph.id));
  const revoke = () =>
    act(async () => {
      await revokeShareLink(graph.id);
      return { share_token: null, share_url: null };
    });

  return (
    <section className="grid gap-2" aria-labelledby={headingId} data-testid="share-link-section">
      <h3 id={headingId} className="flex items-center gap-2 text-sm font-semibold text-slate-100">
        <Link2 className="h-4 w-4 text-sky-400" /> Secret link
      </h3>
      <p className="text-sm text-slate-400">Anyone signed in who has the link can open this graph read-only, run it and fork it.</p>
      {url ? (
        <>
          <div className="flex gap-2">
            <Input
              ref={field}
              readOnly
              value={url}
              aria-label="Share link"
              onFocus={(e) => e.currentTarget.select()}
              className="font-mono text-xs"
              data-testid="share-url"
            />
            <Button
              variant="outline"
              onClick={async () => setCopy((await copyText(url, field.current)) ? "copied" : "failed")}
              title="Copy the link"
              data-testid="share-copy"
            >
              {copy === "copied" ? <Check /> : <Copy />} {copy === "copied" ? "Copied" : "Copy"}
            </Button>
          </div>
          {copy === "failed" && <p className="text-xs text-amber-300">This browser refused to copy: the link is selected, press Ctrl+C.</p>}
          <div>
            <Button variant="destructive" size="sm" onClick={() => void revoke()} disabled={busy} data-testid="share-revoke">
              <Link2Off /> Revoke link
            </Button>
            <span className="ml-2 text-xs text-slate-400">The link stops working at once; a new one can be created later.</span>
          </div>
        </>
      ) : (
        <div className="flex items-center gap-2">
          <Button size="sm" onClick={() => void create()} disabled={busy} data-testid="share-create">
            <Link2 /> {busy ? "Creating…" : "Create link"}
          </Button>
          {revoked && (
            <span className="text-xs text-slate-400" data-testid="share-revoked">
              Link revoked.
            </span>
          )}
        </div>
      )}
      <ErrorLine text={error} />
    </section>
  );
}

const textareaClass =
  "w-full rounded-md border border-slate-700 bg-slate-950 px-3 py-2 text-sm text-slate-100 placeholder:text-slate-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-sky-400";

function GallerySection({ graph, onChange }: { graph: GraphRecord; onChange: (patch: SharingPatch) => void }) {
  const ids = useId();
  const listing = graph.gallery;
  const [title, setTitle] = useState(listing?.title ?? graph.name);
  const [description, setDescription] = useState(listing?.description ?? graph.description);
  const [errors, setErrors] = useState<FieldErrors<ListingField>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  async function publish(e: React.FormEvent) {
    e.preventDefault();
    const found = checkListing({ title, description });
    setErrors(found);
    setError(null);
    setDone(null);
    if (Object.keys(found).length) return;
    setBusy(true);
    try {
      const gallery = await publishToGallery(graph.id, { title, description });
      onChange({ gallery });
      setDone(listing ? "Listing updated." : "Published to the gallery.");
    } catch (err) {
      const { fields, other } = fieldErrorsOf(err, ["title", "description"] as const);
      setErrors(fields);
      setError(other);
    } finally {
      setBusy(false);
    }
  }

  async function unlist() {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      await unlistFromGallery(graph.id);
      onChange({ gallery: null });
      setDone("Unlisted: the graph is no longer in the gallery.");
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="grid gap-2 border-t border-slate-800 pt-4" aria-labelledby={`${ids}-heading`} data-testid="gallery-section">
      <h3 id={`${ids}-heading`} className="flex items-center gap-2 text-sm font-semibold text-slate-100">
        <Globe className="h-4 w-4 text-sky-400" /> Gallery
      </h3>
      <p className="text-sm text-slate-400" data-testid="gallery-state">
        {listing ? (
          <>
            Listed since {new Date(listing.published_at).toLocaleString()} ·{" "}
            <Link className="text-sky-400 underline" to={viewerPath({ kind: "gallery", id: graph.id })}>
              view in the gallery
            </Link>
          </>
        ) : (
          "Not listed. Published, every signed-in user can find, run and fork it."
        )}
      </p>
      <form className="grid gap-2" onSubmit={(e) => void publish(e)} noValidate>
        <div className="grid gap-1">
          <Label htmlFor={`${ids}-title`}>Title</Label>
          <Input
            id={`${ids}-title`}
            value={title}
            maxLength={TITLE_MAX}
            onChange={(e) => setTitle(e.target.value)}
            aria-invalid={errors.title ? true : undefined}
            aria-describedby={errors.title ? `${ids}-title-error` : undefined}
            className={cn(errors.title && "border-red-500")}
            data-testid="gallery-title"
          />
          <ErrorLine id={`${ids}-title-error`} text={errors.title} />
        </div>
        <div className="grid gap-1">
          <Label htmlFor={`${ids}-description`}>
            Description <span className="font-normal text-slate-500">(optional)</span>
          </Label>
          <textarea
            id={`${ids}-description`}
            rows={3}
            value={description}
            maxLength={DESCRIPTION_MAX}
            onChange={(e) => setDescription(e.target.value)}
            aria-invalid={errors.description ? true : undefined}
            aria-describedby={errors.description ? `${ids}-description-error` : undefined}
            className={cn(textareaClass, errors.description && "border-red-500")}
            data-testid="gallery-description"
          />
          <ErrorLine id={`${ids}-description-error`} text={errors.description} />
        </div>
        <div className="flex items-center gap-2">
          <Button type="submit" size="sm" disabled={busy} data-testid="gallery-publish">
            <Globe /> {listing ? "Update listing" : "Publish"}
          </Button>
          {listing && (
            <Button type="button" size="sm" variant="outline" onClick={() => void unlist()} disabled={busy} data-testid="gallery-unlist">
              Unlist
            </Button>
          )}
          {done && (
            <span className="text-xs text-emerald-300" role="status" data-testid="gallery-done">
              {done}
            </span>
          )}
        </div>
      </form>
      <ErrorLine text={error} />
    </section>
  );
}

export function ShareDialog({
  open,
  onClose,
  graph,
  dirty,
  onChange,
}: {
  open: boolean;
  onClose: () => void;
  graph: GraphRecord;
  /** The graph has unsaved changes: viewers would not see them. */
  dirty: boolean;
  onChange: (patch: SharingPatch) => void;
}) {
  return (
    <Dialog open={open} onOpenChange={(o) => !o && onClose()}>
      <DialogContent className="max-w-xl" data-testid="share-dialog">
        <DialogHeader>
          <DialogTitle>Share “{graph.name}”</DialogTitle>
          <DialogDescription>Viewers see the saved version, read-only; they can run it with their own account and fork it into their graphs.</DialogDescription>
        </DialogHeader>
        {dirty && (
          <p className="rounded-md border border-amber-900 bg-amber-950/40 px-3 py-2 text-xs text-amber-300" data-testid="share-unsaved">
            This graph has unsaved changes: save it for viewers to see them.
          </p>
        )}
        <LinkSection graph={graph} onChange={onChange} />
        <GallerySection graph={graph} onChange={onChange} />
      </DialogContent>
    </Dialog>
  );
}
