"""The order of statements in a graph without execution wires (docs/catalogue.md, "Dataflow").

Statements run in the order of their data dependencies, with pure nodes looked through: a Print of
`Input + 1` depends on the Input, wherever the Arithmetic between them sits. Ties go by the
statement's own place on the canvas (top to bottom, then left to right), never by a pure node's.
Variables order their accesses too: a Get variable's reader runs after the Set variable above it
on the canvas (or, when no Set is above it, after every Set of that variable, with a warning), and
before the Sets below it, so the canvas order of reads and writes is what runs.
"""

from __future__ import annotations

import heapq

from graphs.compiler.graph import Graph, Node
from graphs.compiler.result import Diagnostic


def _is_statement(node: Node) -> bool:
    return node.definition is not None and node.definition.statements is not None


class _Reads:
    """What each node reads, looking through pure nodes: statements and variable names."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.memo: dict[str, tuple[frozenset[str], frozenset[str]]] = {}

    def _direct(self, node_id: str) -> list[str]:
        node = self.graph.nodes[node_id]
        return [
            source
            for port in node.ports.values()
            if port.direction == "input"
            and (source := self.graph.data_in.get((node_id, port.id), (None,))[0]) is not None
        ]

    def of(self, statement_id: str) -> tuple[frozenset[str], frozenset[str]]:
        statements: set[str] = set()
        variables: set[str] = set()
        for source in self._direct(statement_id):
            found = self._through_pure(source)
            statements |= found[0]
            variables |= found[1]
        return frozenset(statements), frozenset(variables)

    def _through_pure(self, root: str) -> tuple[frozenset[str], frozenset[str]]:
        nodes = self.graph.nodes
        stack: list[tuple[str, bool]] = [(root, False)]
        while stack:
            node_id, expanded = stack.pop()
            if node_id in self.memo:
                continue
            node = nodes[node_id]
            definition = node.definition
            if definition is None or not definition.pure:
                self.memo[node_id] = (
                    frozenset({node_id}) if _is_statement(node) else frozenset(),
                    frozenset(),
                )
                continue
            sources = self._direct(node_id)
            if not expanded:
                stack.append((node_id, True))
                stack.extend((s, False) for s in sources if s not in self.memo)
                continue
            statements: set[str] = set()
            variables: set[str] = set()
            if node.type == "get_variable":
                variables.add(variable_key(node.params.get("name")))
            for source in sources:
                found = self.memo.get(source, (frozenset(), frozenset()))
                statements |= found[0]
                variables |= found[1]
            self.memo[node_id] = (frozenset(statements), frozenset(variables))
        return self.memo[root]


def variable_key(raw: object) -> str:
    return str(raw).strip() or "variable"


def statement_order(graph: Graph, diagnostics: list[Diagnostic]) -> list[Node]:
    nodes = graph.nodes
    statements = sorted((n for n in nodes.values() if _is_statement(n)), key=lambda n: n.canvas_key)
    reads = _Reads(graph)
    hard: dict[str, set[str]] = {}  # data dependencies, never broken
    soft: dict[str, set[str]] = {}  # variable order, given up only to break a cycle
    readers: dict[str, list[Node]] = {}
    writers: dict[str, list[Node]] = {}
    for node in statements:
        found_statements, found_variables = reads.of(node.id)
        hard[node.id] = set(found_statements) - {node.id}
        soft[node.id] = set()
        for variable in found_variables:
            readers.setdefault(variable, []).append(node)
        if node.type == "set_variable":
            writers.setdefault(variable_key(node.params.get("name")), []).append(node)
    for variable, reading in readers.items():
        writing = writers.get(variable, [])
        for reader in reading:
            above = [w for w in writing if w.canvas_key < reader.canvas_key and w is not reader]
            below = [w for w in writing if w.canvas_key > reader.canvas_key and w is not reader]
            if above:
                soft[reader.id].update(w.id for w in above)
                for writer in below:
                    soft[writer.id].add(reader.id)
            elif below:
                soft[reader.id].update(w.id for w in below)
                diagnostics.append(
                    Diagnostic(
                        "warning",
                        "variable_order",
                        f"Variable {variable[:60]!r} is read here, above "
                        "every node that sets it; with no execution wires the Set variable runs "
                        "first. Wire the order with execution edges to read it earlier.",
                        reader.id,
                    )
                )
    return _kahn(statements, hard, soft)


def _kahn(
    statements: list[Node], hard: dict[str, set[str]], soft: dict[str, set[str]]
) -> list[Node]:
    """Topological order of both kinds of dependency, ties by canvas position; a stall (a cycle
    that variable order made) releases the topmost statement whose data is ready."""
    by_id = {node.id: node for node in statements}
    waiting = {n.id: len(hard[n.id]) + len(soft[n.id]) for n in statements}
    hard_waiting = {n.id: len(hard[n.id]) for n in statements}
    dependents: dict[str, list[tuple[str, bool]]] = {}
    for node_id in by_id:
        for dependency in hard[node_id]:
            dependents.setdefault(dependency, []).append((node_id, True))
        for dependency in soft[node_id]:
            dependents.setdefault(dependency, []).append((node_id, False))
    ready = [(by_id[n].canvas_key, n) for n, count in waiting.items() if count == 0]
    heapq.heapify(ready)
    order: list[Node] = []
    done: set[str] = set()
    while len(order) < len(statements):
        if not ready:
            remaining = [n for n in statements if n.id not in done]
            pick = next((n for n in remaining if hard_waiting[n.id] == 0), remaining[0])
            heapq.heappush(ready, (pick.canvas_key, pick.id))
        _, node_id = heapq.heappop(ready)
        if node_id in done:
            continue
        done.add(node_id)
        order.append(by_id[node_id])
        for dependent, is_hard in dependents.get(node_id, []):
            waiting[dependent] -= 1
            if is_hard:
                hard_waiting[dependent] -= 1
            if waiting[dependent] == 0 and dependent not in done:
                heapq.heappush(ready, (by_id[dependent].canvas_key, dependent))
    return order
