"""A `display` frame from the sandbox's side channel (docs/rich_output.md), checked.

The runner sends what the script showed: a PNG (base64) or a table. A script can forge such a
frame, so each is held to the same limits as the runner's own (a real PNG of at most 2 MiB; a
table of at most 1,000 rows and 50 columns of JSON scalars), and what reaches the page is data,
never markup: the browser draws the picture from the bytes and the table from the cells.
"""

from __future__ import annotations

import base64
import binascii
from typing import Any

MAX_PNG_BYTES = 2 * 1024 * 1024
# Base64 of the largest PNG plus the frame's JSON around it.
MAX_DISPLAY_FRAME_BYTES = 3_000_000
MAX_TABLE_ROWS = 1000
MAX_TABLE_COLUMNS = 50
MAX_CELL_CHARS = 200
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def display_event(frame: dict[str, Any]) -> dict[str, Any]:
    """The `display` event (without run_id and node_id; `line` to find the node, `bytes` for
    the output limit); ValueError saying what is wrong."""
    line = frame.get("line")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool) or line < 1):
        raise ValueError("its line is not a line number")
    mime, data = frame.get("mime"), frame.get("data")
    if mime == "image/png":
        size = _png_size(data)
    elif mime == "table":
        size = _table_size(data)
    else:
        raise ValueError(f"unknown kind {str(mime)[:20]!r}")
    return {"type": "display", "mime": mime, "data": data, "line": line, "bytes": size}


def _png_size(data: Any) -> int:
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
    return len(png)


def _table_size(data: Any) -> int:
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
    if not isinstance(total, int) or isinstance(total, bool) or total < len(rows):
        raise ValueError("a table's total counts its rows")
    size = sum(len(c) for c in columns)
    for row in rows:
        if not isinstance(row, list) or len(row) != len(columns):
            raise ValueError("each row of a table has one cell per column")
        for cell in row:
            if isinstance(cell, str):
                if len(cell) > MAX_CELL_CHARS:
                    raise ValueError(f"a table's cells are at most {MAX_CELL_CHARS} characters")
                size += len(cell)
            elif cell is None or isinstance(cell, bool | int | float):
                size += 8
            else:
                raise ValueError("a table's cells are text, numbers, true/false or null")
    return size
