"""Example graphs every new account starts with (the first-run experience of the editor).

Each `*.json` file here is one graph in the catalogue's format (`name`, `description`, `nodes`,
`edges`); tests/compiler/test_examples.py compiles each one so that none of them rots as the
catalogue moves.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from django.db import transaction

from graphs.models import Graph

EXAMPLES_DIR = Path(__file__).resolve().parent


@cache
def example_documents() -> tuple[dict[str, Any], ...]:
    """The examples in file-name order (the order the list shows them in, oldest first)."""
    return tuple(
        json.loads(path.read_text(encoding="utf-8")) for path in sorted(EXAMPLES_DIR.glob("*.json"))
    )


@transaction.atomic
def seed_examples(user: Any) -> list[Graph]:
    """Give `user` a copy of every example graph."""
    return [
        Graph.objects.create(
            owner=user,
            name=doc["name"],
            description=doc.get("description", ""),
            nodes=doc["nodes"],
            edges=doc["edges"],
        )
        for doc in reversed(example_documents())  # newest first in the list = the first example
    ]
