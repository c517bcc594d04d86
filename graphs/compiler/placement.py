"""Where each statement node goes: a tree of blocks built from the execution wiring.

Execution edges are followed chain by chain (On Start chains and function bodies); a graph with no
execution edges at all runs its statements in data order. Every placed node gets a sequence number
in code order, which the code generator uses to tell whether a value is surely set when read.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from graphs.compiler.graph import Graph, Node
from graphs.compiler.result import Diagnostic

MAX_NESTING = 40          # blocks inside blocks (Python's parser allows 100 indent levels)
# Loops/try inside each other: CPython refuses more than 20 ("too many statically nested blocks").
MAX_LOOP_NESTING = 15


@dataclass(eq=False)
class Block:
    scope: str                      # "" for the module, else the function_def node id
    parent: Block | None = None
    depth: int = 0
    loop_depth: int = 0
    items: list[Placed] = field(default_factory=list)

    def encloses(self, other: Block) -> bool:
        """Whether `other` is this block or nested inside it."""
        block: Block | None = other
        while block is not None:
            if block is self:
                return True
            block = block.parent
        return False


@dataclass(eq=False)
class Placed:
    node: Node
    seq: int
    block: Block
    bodies: dict[str, Block] = field(default_factory=dict)
    valid: bool = True


@dataclass
class Placement:
    module: Block
    functions: list[tuple[Node, Block]]
    placed: dict[str, Placed]
    dataflow: bool


def is_statement(node: Node) -> bool:
    definition = node.definition
    return definition is not None and definition.statements is not None


class Placer:
    def __init__(self, graph: Graph, data_successors: dict[str, list[str]],
                 diagnostics: list[Diagnostic]) -> None:
        self.graph = graph
        self.successors = data_successors
        self.diagnostics = diagnostics
        self.placed: dict[str, Placed] = {}
        self.seq = 0
        self.active: list[str] = []
        self.active_index: dict[str, int] = {}

    def report(self, severity: str, code: str, message: str, node_id: str | None,
               port: str | None = None) -> None:
        self.diagnostics.append(Diagnostic(severity, code, message, node_id, port))  # type: ignore[arg-type]

    def run(self) -> Placement:
        nodes = sorted(self.graph.nodes.values(), key=lambda n: n.canvas_key)
        module = Block("")
        functions = []
        for node in nodes:
            if node.definition is not None and node.definition.defines_function:
                root = Block(node.id)
                functions.append((node, root))
                self._walk(self.graph.exec_next.get((node.id, "body")), root, [], node.id)
        dataflow = self.graph.exec_edge_count == 0
        if dataflow:
            for node in self._data_order():
                if is_statement(node) and node.id not in self.placed:
                    self._place(node, module, [], None)
        else:
            for node in nodes:
                if node.definition is not None and node.definition.starts_chain:
                    self._walk(self.graph.exec_next.get((node.id, "next")), module, [], None)
            for node in nodes:
                if is_statement(node) and node.id not in self.placed:
                    self.report("warning", "disconnected", "This node is not connected to an "
                                "execution chain (On Start or a function body); it generates "
                                "no code.", node.id)
        return Placement(module, functions, self.placed, dataflow)

    def _data_order(self) -> list[Node]:
        """Kahn's topological order of the data edges, ties by canvas position."""
        nodes = self.graph.nodes
        indegree = dict.fromkeys(nodes, 0)
        for targets in self.successors.values():
            for target in targets:
                indegree[target] += 1
        ready = [(nodes[n].canvas_key, n) for n, degree in indegree.items() if degree == 0]
        heapq.heapify(ready)
        order = []
        while ready:
            _, node_id = heapq.heappop(ready)
            order.append(nodes[node_id])
            for target in self.successors.get(node_id, []):
                indegree[target] -= 1
                if indegree[target] == 0:
                    heapq.heappush(ready, (nodes[target].canvas_key, target))
        return order

    def _place(self, node: Node, block: Block, loops: list[str], function: str | None) -> Placed:
        placed = Placed(node, self.seq, block)
        self.seq += 1
        self.placed[node.id] = placed
        block.items.append(placed)
        assert node.definition is not None
        needs = node.definition.needs
        if needs == "loop" and not loops:
            placed.valid = False
            self.report("error", "outside_loop", f"{node.definition.title} is only allowed inside "
                        "a loop body.", node.id)
        if needs == "function" and function is None:
            placed.valid = False
            self.report("error", "outside_function", "Return is only allowed inside a function "
                        "body.", node.id)
        return placed

    def _walk(self, start: str | None, block: Block, loops: list[str],
              function: str | None) -> None:
        entry = len(self.active)
        node_id = start
        previous: str | None = None
        while node_id is not None:
            node = self.graph.nodes[node_id]
            if node_id in self.placed:
                self._revisit(node_id, previous, loops)
                break
            if not is_statement(node):
                break
            placed = self._place(node, block, loops, function)
            self.active_index[node_id] = len(self.active)
            self.active.append(node_id)
            definition = node.definition
            assert definition is not None
            for port in definition.body_ports:
                is_loop_body = definition.loop
                child = Block(block.scope, block, block.depth + 1,
                              block.loop_depth + (1 if is_loop_body or node.type == "try" else 0))
                placed.bodies[port] = child
                target = self.graph.exec_next.get((node_id, port))
                if target is None:
                    continue
                if child.depth > MAX_NESTING or child.loop_depth > MAX_LOOP_NESTING:
                    self.report("error", "nesting_too_deep", "Blocks are nested too deeply here; "
                                "the nested part is left out.", node_id, port)
                    continue
                self._walk(target, child, [*loops, node_id] if is_loop_body else loops, function)
            previous = node_id
            node_id = self.graph.exec_next.get((node_id, "next"))
        for stale in self.active[entry:]:
            del self.active_index[stale]
        del self.active[entry:]

    def _revisit(self, node_id: str, previous: str | None, loops: list[str]) -> None:
        if loops and node_id == loops[-1] and node_id in self.active_index:
            self.report("info", "loop_back_edge", "A loop body returns to its loop by itself; "
                        "this execution edge is not needed.", previous or node_id)
        elif node_id in self.active_index:
            cycle = self.active[self.active_index[node_id]:]
            names = ", ".join(repr(n) for n in cycle)
            for member in cycle:
                self.report("error", "exec_cycle", f"Execution cycle not through a loop node: "
                            f"{names}. Use a While or For loop instead.", member)
        else:
            self.report("warning", "exec_merge", "This node already runs elsewhere; a second "
                        "execution edge into it is ignored (wire the 'next' port of If/loops "
                        "instead).", node_id)
