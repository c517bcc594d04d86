"""A `display` frame from the sandbox's side channel (docs/rich_output.md), checked.

The runner sends what the script showed: a PNG (base64) or a table. A script can forge such a
frame, so each is held to the same limits as the runner's own (a real PNG of at most 2 MiB; a
table of at most 1,000 rows and 50 columns of JSON scalars), and what reaches the page is data,
never markup: the browser draws the picture from the bytes and the table from the cells.

What a display counts toward the run's output limit is what it costs to send: `display_bytes`,
the event's JSON as the socket sends it (a picture's base64 text; a table's cells with their
quotes, commas and brackets, so a table of empty strings is not free).
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from execution.portable_json import MAX_EXACT_INTEGER

MAX_PNG_BYTES = 2 * 1024 * 1024
# Base64 of the largest PNG plus the frame's JSON around it.
MAX_DISPLAY_FRAME_BYTES = 3_000_000
MAX_TABLE_ROWS = 1000
MAX_TABLE_COLUMNS = 50
MAX_CELL_CHARS = 200
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# The socket event around a display's data: type, run_id, mime, node_id, and their JSON.
DISPLAY_EVENT_BYTES = 128


def display_event(frame: dict[str, Any]) -> dict[str, Any]:
    """The `display` event (without run_id and node_id; `line` to find the node); ValueError
    saying what is wrong."""
    line = frame.get("line")
    if line is not None and not _count(line, 1):
        raise ValueError("its line is not a line number")
    mime, data = frame.get("mime"), frame.get("data")
    if mime == "image/png":
        _check_png(data)
    elif mime == "table":
        _check_table(data)
    else:
        raise ValueError(f"unknown kind {str(mime)[:20]!r}")
    return {"type": "display", "mime": mime, "data": data, "line": line}


def display_bytes(data: Any) -> int:
    """What a display's `data` (made portable) costs to send, with the event around it: its JSON
    as the socket writes it (UTF-8, json.dumps' default separators)."""
    return len(json.dumps(data, ensure_ascii=False).encode("utf-8")) + DISPLAY_EVENT_BYTES


def _count(value: Any, least: int = 0) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and least <= value <= MAX_EXACT_INTEGER
    )


def _check_png(data: Any) -> None:
    if not isinstance(data, str) or len(data) > MAX_PNG_BYTES * 4 // 3 + 4:
        raise ValueError("an image must be base64 text of at most 2 MiB")
    try:
        png = base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise ValueError("the image is not base64") from None
    if not png.startswith(PNG_SIGNATURE):
        raise ValueError("the image is not a PNG")
    if len(png) > MAX_PNG_BYTES:
        raise ValueError("the image is over 2 MiB")


def _check_table(data: Any) -> None:
    if not isinstance(data, dict) or set(data) != {"columns", "rows", "total"}:
        raise ValueError("a table is {columns, rows, total}")
    columns, rows, total = data["columns"], data["rows"], data["total"]
    if (
        not isinstance(columns, list)
        or len(columns) > MAX_TABLE_COLUMNS
        or not all(isinstance(c, str) and len(c) <= MAX_CELL_CHARS for c in columns)
    ):
        raise ValueError(f"a table has at most {MAX_TABLE_COLUMNS} named columns")
    if not isinstance(rows, list) or len(rows) > MAX_TABLE_ROWS:
        raise ValueError(f"a table has at most {MAX_TABLE_ROWS} rows")
    if not _count(total, len(rows)):
        raise ValueError("a table's total counts its rows")
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            raise ValueError("each row of a table has one cell per column")
        for cell in row:
            if isinstance(cell, str):
                if len(cell) > MAX_CELL_CHARS:
                    raise ValueError(f"a table's cells are at most {MAX_CELL_CHARS} characters")
            elif not (cell is None or isinstance(cell, bool | int | float)):
                raise ValueError("a table's cells are text, numbers, true/false or null")
