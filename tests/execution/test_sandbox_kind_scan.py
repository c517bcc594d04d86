"""Which sandbox kind a script gets (execution/sandbox_kind.py) and how a pool splits its warm
sandboxes between the kinds (execution/sandbox/demand.py): pure logic, no Docker."""

from __future__ import annotations

import pytest

from execution.sandbox.demand import KindDemand
from execution.sandbox_kind import DATA, KINDS, LIGHT, PLOT, sandbox_kind
from graphs.compiler import compile_graph
from graphs.examples import example_documents
from tests.compiler.test_compiler_rich_nodes import plot_graph


@pytest.mark.parametrize(
    "code",
    [
        "from pandas import DataFrame\nshow(DataFrame({'a': [1]}))",
        "import pandas as pd, matplotlib.pyplot as plt\n",
        "def f():\n    import pandas\n    return pandas\n",
        "pd = __import__('pandas')\n",
        "import importlib\nimportlib.import_module('pandas.io')\n",
        # Does not parse: the names it mentions are the best guess.
        "import pandas as pd\nprint(pd.DataFrame()\n",
    ],
)
def test_pandas_wants_the_fully_preloaded_sandbox(code):
    assert sandbox_kind(code) == DATA


@pytest.mark.parametrize(
    "code",
    [
        "import numpy as np\nprint(np.arange(3))",
        "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()",
        "import os, matplotlib\n",
        "np = __import__('numpy')\n",
        "import importlib\nimportlib.import_module('matplotlib.pyplot')\n",
        "from pylab import *\n",
        "import numpy.linalg\n",
        "import numpy as np\nprint(np.arange(3)\n",
    ],
)
def test_numpy_and_matplotlib_want_a_plot_sandbox(code):
    assert sandbox_kind(code) == PLOT


@pytest.mark.parametrize(
    "code",
    [
        "print('hi')",
        "for i in range(10):\n    print(i)\n",
        "show([{'a': 1}, {'a': 2}])",  # a table needs no data stack
        "print('numpy and pandas are words here')",
        "pandas = 'a word'\nprint(pandas)",
        "numpy = 3\nprint(numpy)",
        "from .numpy import x\n",  # a relative import is not the package
        "import numpyish\n",
        "import json\njson.loads('[]')\n",
        "",
    ],
)
def test_anything_else_gets_a_light_sandbox(code):
    assert sandbox_kind(code) == LIGHT


def test_the_plot_node_wants_a_plot_sandbox_and_the_examples_are_light():
    plotting = compile_graph(plot_graph("line"))
    assert plotting.code, plotting.diagnostics
    assert sandbox_kind(plotting.code) == PLOT
    for example in example_documents():  # none of the examples plots
        printing = compile_graph(example)
        assert printing.code, printing.diagnostics
        assert sandbox_kind(printing.code) == LIGHT


def test_targets_follow_demand_and_keep_one_of_each_kind_in_use():
    demand = KindDemand(KINDS)
    assert demand.targets(4) == {LIGHT: 2, PLOT: 1, DATA: 1}
    assert demand.likely() == LIGHT
    for _ in range(30):  # a class starts plotting
        demand.note(PLOT)
    assert demand.likely() == PLOT
    # Light and data unused for 30 runs: no longer kept.
    assert demand.targets(4) == {LIGHT: 0, PLOT: 4, DATA: 0}
    for _ in range(5):
        demand.note(LIGHT)
    assert demand.targets(4)[LIGHT] >= 1
    for _ in range(40):
        demand.note(LIGHT)
    assert demand.targets(4) == {LIGHT: 4, PLOT: 0, DATA: 0}
    assert demand.targets(30)[LIGHT] == 30
    assert sum(KindDemand(KINDS).targets(7).values()) == 7


def test_one_odd_request_does_not_turn_the_pool_over():
    demand = KindDemand(KINDS)
    for _ in range(30):
        demand.note(LIGHT)
    demand.note(DATA)
    assert demand.targets(4) == {LIGHT: 3, PLOT: 0, DATA: 1}
    assert demand.likely() == LIGHT


def test_a_pool_of_one_kind_keeps_only_that_kind():
    assert KindDemand((LIGHT,)).targets(4) == {LIGHT: 4}
    only_data = KindDemand((DATA,))
    only_data.note(LIGHT)  # a kind it does not keep: nothing changes
    assert only_data.targets(2) == {DATA: 2}
    assert only_data.likely() == DATA
    assert KindDemand(KINDS).targets(1) == {LIGHT: 1, PLOT: 0, DATA: 0}
    assert KindDemand(KINDS).targets(0) == {LIGHT: 0, PLOT: 0, DATA: 0}
    with pytest.raises(ValueError):
        KindDemand(("gpu",))
