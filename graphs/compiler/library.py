"""Library nodes (`lib:<id>`): each (entry, version) becomes one function of the script.

Like graphs used as nodes (linking.py), the compiler reads entries only through the resolver
it is given (`library(entry_id, version) -> {"name", "code", ...} or None`; the server's,
graphs/dependencies.py, reads the user's own entries and the copies a graph embeds). The code is
parsed again here (graphs/library/parse.py, never run), its node type built with the pinned
version's pins, and its factory (graphs/library/emit.py) emitted once under a safe unique name,
tagged with the first node that uses it: a runtime error inside the function points there.

A node whose entry cannot be read reports it without showing any of the code: the resolver
gives nothing for an entry the user neither owns nor holds a copy of.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphs.catalogue.model import NodeType
from graphs.compiler.codegen import NODE_KEY
from graphs.compiler.names import NameAllocator
from graphs.compiler.result import Diagnostic
from graphs.library import emit
from graphs.library import node as library_node
from graphs.library import parse as library_parse

LibraryResolver = Callable[[int, int], dict[str, Any] | None]

MAX_LIBRARY_VERSIONS = 200  # distinct (entry, version) pairs one script may use


@dataclass
class LibraryLink:
    definition: NodeType | None = None
    error: tuple[str, str] | None = None  # (code, message)


def library_key(entry_id: int, version: int) -> str:
    """The key of an entry version's copy in a graph's `snapshots` (docs/interfaces.md)."""
    return f"lib:{entry_id}@{version}"


def library_snapshots_resolver(document: Any) -> LibraryResolver:
    """A resolver reading only the document's own `snapshots` (an export, a test)."""
    snapshots = document.get("snapshots") if isinstance(document, dict) else None
    table = snapshots if isinstance(snapshots, dict) else {}

    def resolve(entry_id: int, version: int) -> dict[str, Any] | None:
        found = table.get(library_key(entry_id, version))
        return found if isinstance(found, dict) else None

    return resolve


def _version(raw_params: Any) -> int:
    value = raw_params.get(library_node.VERSION_PARAM) if isinstance(raw_params, dict) else None
    return value if type(value) is int and 0 < value < 2**63 else 0


class LibraryLinker:
    def __init__(
        self,
        resolver: LibraryResolver | None,
        names: NameAllocator,
        identifiers: list[str],
        definitions: list[ast.stmt],
    ) -> None:
        # Shared with the GraphLinker: one namespace and one list of definitions for the script.
        self.resolver = resolver
        self.names = names
        self.identifiers = identifiers
        self.definitions = definitions
        self.links: dict[tuple[int, int], LibraryLink] = {}

    def node_type(
        self,
        node_id: str,
        tag: str,
        type_name: str,
        raw_params: Any,
        diagnostics: list[Diagnostic],
    ) -> NodeType | None:
        """The node type of `node_id` (a `lib:` type), or None after reporting why not; `tag`
        is the node the function's lines map to."""
        entry_id = library_node.entry_id_of(type_name)
        version = _version(raw_params)
        if entry_id is None:
            link = LibraryLink(
                error=("unknown_node_type", f"Unknown node type {type_name[:60]!r}.")
            )
        elif version <= 0:
            link = LibraryLink(
                error=("library_not_set", "Choose the version of the node (data.params.version).")
            )
        else:
            key = (entry_id, version)
            found = self.links.get(key)
            if found is None:
                found = self._link(entry_id, version, tag)
                self.links[key] = found
            link = found
        if link.error is not None:
            diagnostics.append(Diagnostic("error", link.error[0], link.error[1], node_id))
            return None
        return link.definition

    def _link(self, entry_id: int, version: int, node_id: str) -> LibraryLink:
        label = f"Library node {entry_id} (version {version})"
        if len(self.links) >= MAX_LIBRARY_VERSIONS:
            return LibraryLink(
                error=(
                    "library_too_large",
                    f"The program uses more than {MAX_LIBRARY_VERSIONS} library node versions.",
                )
            )
        entry = self.resolver(entry_id, version) if self.resolver is not None else None
        code = entry.get("code") if isinstance(entry, dict) else None
        if not isinstance(code, str):
            # Nothing of the entry is shown: it may be another user's.
            return LibraryLink(
                error=(
                    "library_unreadable",
                    f"{label} cannot be read: it is not yours, or it was deleted, and this "
                    "graph keeps no copy of it.",
                )
            )
        function, problems = library_parse.parse_function(code)
        if function is None or function.factory is None:
            first = problems[0].message if problems else "it cannot be read."
            return LibraryLink(error=("library_error", f"{label} has an error: {first}"))
        assert isinstance(entry, dict)
        description = entry.get("description")
        identifier = self.names.allocate(function.name, "library")
        self.identifiers.append(identifier)
        statements = emit.emitted(function.factory, identifier)
        for statement in statements:
            setattr(statement, NODE_KEY, node_id)
        self.definitions.extend(statements)
        definition = library_node.node_type(
            function,
            entry_id,
            version,
            description if isinstance(description, str) else "",
            identifier,
        )
        return LibraryLink(definition=definition)
