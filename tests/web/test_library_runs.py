"""Library nodes end to end (docs/catalogue.md, "Library nodes"): real daphne, `runpool` worker,
Redis, Postgres and Docker. A saved graph using a library node computes its value in the sandbox,
and a runtime error inside the function points at that node."""

from __future__ import annotations

import pytest

from graphs.library.node import node_json
from graphs.library.parse import parse_function
from graphs.library_models import NodeLibraryEntry, NodeLibraryVersion
from graphs.models import Graph
from tests.graphs.test_library_dependencies import using
from tests.web.test_graph_io_runs import ws_run

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]

MEAN = (
    "import statistics\n"
    "from typing import Literal\n"
    "_SCALE = 10\n\n"
    "def scaled_mean(x: int, mode: Literal['up', 'down'] = 'up') -> float:\n"
    "    '''The mean of 0..x, scaled.'''\n"
    "    values = list(range(x + 1))\n"
    "    return statistics.mean(values) * _SCALE if mode == 'up' else 0.0\n"
)
BOOM = "def boom(x: int) -> int:\n    '''Divides by x.'''\n    return 100 // x\n"


def entry(owner, code: str) -> int:
    function, diagnostics = parse_function(code)
    assert function is not None, diagnostics
    row = NodeLibraryEntry.objects.create(owner=owner, name=function.name, code=code)
    row.node = node_json(function, row.pk, 1)
    row.save(update_fields=["node"])
    NodeLibraryVersion.objects.create(entry=row, n=1, code=code, node=row.node)
    return int(row.pk)


def test_a_library_node_computes_in_the_sandbox(engine_servers, engine_token, engine_user):
    graph = Graph.objects.create(
        owner=engine_user, name="mean", **using(entry(engine_user, MEAN), value=4)
    )
    outcome = ws_run(engine_servers, engine_token, graph_id=graph.pk)
    assert (outcome.exit["exit_code"], outcome.reason) == (0, "ok"), outcome.events
    assert outcome.stdout == "20\n"


def test_a_runtime_error_inside_the_function_points_at_its_node(
    engine_servers, engine_token, engine_user
):
    graph = Graph.objects.create(
        owner=engine_user, name="boom", **using(entry(engine_user, BOOM), value=0)
    )
    outcome = ws_run(engine_servers, engine_token, graph_id=graph.pk)
    assert outcome.reason == "error"
    assert outcome.exit["node_id"] == "l"
    assert "ZeroDivisionError" in outcome.stderr
