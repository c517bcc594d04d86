"""Turning names drawn in a graph into valid, distinct Python identifiers.

A sanitised name is never a keyword, a soft keyword, a builtin or a name the generated script
itself uses (modules it imports, functions built from graphs: `reserved`), so user text can never
shadow or inject anything. Names that begin with `_ne_` belong to the runner and debug runs
(docs/debugging.md: `_ne_hit`, `_ne_stop`, `_ne_pause`, `_ne_tap` and the tapped values
`_ne_v<e>`; docs/interfaces.md: `_ne_inputs`, `_ne_output`): no name handed out here starts so.
"""

from __future__ import annotations

import builtins
import keyword
import unicodedata
from collections.abc import Iterable

MAX_IDENTIFIER = 40
RESERVED_PREFIX = "_ne_"  # debug instrumentation's names (graphs/compiler/debug.py)
IMPORTABLE_MODULES = ("math", "random", "time")
# Other names the script may use: matplotlib.pyplot's alias (Plot) and the sandbox's `show`
# builtin (docs/rich_output.md; not in this interpreter's builtins, so not in dir(builtins)).
SCRIPT_NAMES = ("plt", "show")
RESERVED = frozenset(
    [
        *keyword.kwlist,
        *keyword.softkwlist,
        *dir(builtins),
        *IMPORTABLE_MODULES,
        *SCRIPT_NAMES,
        "_",
        "__builtins__",
        "__name__",
        "__file__",
        "__doc__",
        "__spec__",
        "__loader__",
        "__package__",
        "__annotations__",
        "self",
    ]
)


def sanitise(raw: str, fallback: str = "value") -> str:
    """A readable identifier for `raw` (not yet made distinct)."""
    text = unicodedata.normalize("NFKC", raw)[:200]
    chars = [ch if ("a" + ch).isidentifier() else "_" for ch in text]
    identifier = "".join(chars)
    while "__" in identifier:
        identifier = identifier.replace("__", "_")
    identifier = identifier.strip("_")[:MAX_IDENTIFIER].rstrip("_")
    if not identifier:
        identifier = fallback
    if identifier[0].isdigit() or not identifier.isidentifier():
        identifier = f"{fallback}_{identifier}"
    if unicodedata.normalize("NFKC", identifier) != identifier or not identifier.isidentifier():
        identifier = fallback
    return identifier


def is_reserved(identifier: str) -> bool:
    """Whether a name belongs to debug instrumentation."""
    return identifier.startswith(RESERVED_PREFIX)


class NameAllocator:
    """Hands out distinct identifiers, in call order (so the same graph gives the same names)."""

    def __init__(self, reserved: Iterable[str] = ()) -> None:
        # `reserved`: names the script already uses elsewhere (functions built from graphs).
        self._taken: set[str] = set(RESERVED)
        self._taken.update(reserved)
        self._next_suffix: dict[str, int] = {}

    def allocate(self, raw: str, fallback: str = "value") -> str:
        base = sanitise(raw, fallback)
        if base in RESERVED:
            base = base + "_"
        if is_reserved(base):  # user text never gets here (no leading "_"); a fallback might
            base = "ne" + base
        candidate, number = base, self._next_suffix.get(base, 2)
        while candidate in self._taken:
            candidate = f"{base}_{number}"
            number += 1
        self._next_suffix[base] = number
        self._taken.add(candidate)
        return candidate
