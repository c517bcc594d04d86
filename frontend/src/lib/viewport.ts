// Where "fit view" puts the graph: as large as fits (not above MAX_FIT_ZOOM), never so small that
// nodes hide their fields (MIN_FIT_ZOOM: a big graph opens at its start, readable, instead of
// whole and unreadable), and clear of the controls (bottom left) and the minimap (bottom right).

export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface Viewport {
  x: number;
  y: number;
  zoom: number;
}

export const MIN_FIT_ZOOM = 0.85;
export const MAX_FIT_ZOOM = 1.1;

/** The canvas overlays a fitted graph keeps clear of (css px, with their margins). */
export const OVERLAYS = { controls: { width: 48, height: 110 }, minimap: { width: 176, height: 126 } };
const MARGIN = 24;

/** The viewport showing `bounds` (flow coordinates) in a canvas of `size` (screen pixels). */
export function fitViewport(
  bounds: Box,
  size: { width: number; height: number },
  { minZoom = MIN_FIT_ZOOM, maxZoom = MAX_FIT_ZOOM }: { minZoom?: number; maxZoom?: number } = {},
): Viewport {
  const left = OVERLAYS.controls.width + 8;
  // Either keep a strip on the right for the minimap, or one at the bottom: whichever leaves the
  // larger zoom for this graph's shape.
  const areas = [
    { x: left, y: MARGIN, width: size.width - left - OVERLAYS.minimap.width - 8, height: size.height - 2 * MARGIN },
    { x: left, y: MARGIN, width: size.width - left - MARGIN, height: size.height - MARGIN - OVERLAYS.minimap.height - 8 },
  ].filter((a) => a.width > 40 && a.height > 40);
  if (areas.length === 0) areas.push({ x: 0, y: 0, width: Math.max(1, size.width), height: Math.max(1, size.height) });
  const w = Math.max(1, bounds.width);
  const h = Math.max(1, bounds.height);
  const zoomIn = (a: Box) => Math.min(a.width / w, a.height / h);
  const area = areas.reduce((best, a) => (zoomIn(a) > zoomIn(best) ? a : best));
  const zoom = Math.min(maxZoom, Math.max(minZoom, zoomIn(area)));
  // Centred where the graph fits; where it does not (held at minZoom), its start (left, top) shows.
  const place = (start: number, room: number, from: number, length: number) =>
    length * zoom <= room ? start + (room - length * zoom) / 2 - from * zoom : start - from * zoom;
  return { x: place(area.x, area.width, bounds.x, w), y: place(area.y, area.height, bounds.y, h), zoom };
}

/** The bounds of nodes from their positions, with a guessed size for nodes not yet measured. */
export function estimateBounds(nodes: ReadonlyArray<{ position: { x: number; y: number }; measured?: { width?: number; height?: number } }>): Box | null {
  if (nodes.length === 0) return null;
  let minX = Number.POSITIVE_INFINITY;
  let minY = Number.POSITIVE_INFINITY;
  let maxX = Number.NEGATIVE_INFINITY;
  let maxY = Number.NEGATIVE_INFINITY;
  for (const n of nodes) {
    minX = Math.min(minX, n.position.x);
    minY = Math.min(minY, n.position.y);
    maxX = Math.max(maxX, n.position.x + (n.measured?.width ?? 240));
    maxY = Math.max(maxY, n.position.y + (n.measured?.height ?? 120));
  }
  return { x: minX, y: minY, width: maxX - minX, height: maxY - minY };
}
