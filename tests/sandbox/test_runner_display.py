"""Rich output, the runner's half (sandbox_image/display.py, side_channel.py, preload.py;
docs/rich_output.md, section 1).

Host tests run the real runner.py as a subprocess of the host's Python, as
tests/sandbox/test_runner_debug.py does, and read its two outputs as the pool does: the stdout pipe
(stdout and framed stderr) and descriptor 2, which in every run carries only runner frames.
The host may lack numpy, pandas and matplotlib: the cases that need them are skipped there and
run in a real container (the `docker` tests) with the image's data stack.
"""

from __future__ import annotations

import base64
import contextlib
import json
import subprocess
import sys
import textwrap
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from execution.sandbox.protocol import (
    READY_MARKER,
    STDERR,
    STDERR_FRAME_MAGIC,
    STDOUT,
    StderrFrameSplitter,
)

RUNNER = Path(__file__).resolve().parents[2] / "sandbox_image" / "runner.py"
FRAME_MAGIC = b"\x1eNE3"
DISPLAY_FRAME_MAX_BYTES = 3_000_000
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DEADLINE = 20.0
EXIT_RECORD_PREFIX = STDERR_FRAME_MAGIC + b"\xff\xff"


@dataclass
class Run:
    code: int
    pipe: bytes  # the stdout pipe after the ready marker
    channel: bytes  # descriptor 2 (Docker's stream 2)
    frames: list[dict[str, Any]] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    oom: bool = False

    def __post_init__(self) -> None:
        rest = self.channel
        while rest:
            assert rest[:4] == FRAME_MAGIC, f"not a runner frame on descriptor 2: {rest[:80]!r}"
            size = int.from_bytes(rest[4:8], "big")
            assert size <= DISPLAY_FRAME_MAX_BYTES
            assert len(rest) >= 8 + size, "a frame cut short"
            self.frames.append(json.loads(rest[8 : 8 + size]))
            rest = rest[8 + size :]
        # The exit records end the pipe (the script's, then PID 1's): `pipe` is the output.
        if EXIT_RECORD_PREFIX in self.pipe:
            self.pipe = self.pipe[: self.pipe.find(EXIT_RECORD_PREFIX)]
        for stream, data in StderrFrameSplitter().feed(self.pipe):
            if stream == STDOUT:
                self.stdout += data.decode()
            else:
                assert stream == STDERR
                self.stderr += data.decode()

    @property
    def displays(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["t"] == "display"]

    def output_before(self, frame: dict[str, Any]) -> str:
        """The script's stdout written before `frame` (its `out` counts raw pipe bytes)."""
        before = StderrFrameSplitter().feed(self.pipe[: frame["out"]])
        return "".join(data.decode() for stream, data in before if stream == STDOUT)


def run_script(source: str, *args: str) -> Run:
    body = textwrap.dedent(source).encode()
    result = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "--wall-seconds=20", *args],
        input=b"NE1 %d\n" % len(body) + body,
        capture_output=True,
        timeout=DEADLINE,
    )
    assert result.stdout.startswith(READY_MARKER), result.stdout[:200]
    return Run(result.returncode, result.stdout.removeprefix(READY_MARKER), result.stderr)


def png_of(frame: dict[str, Any]) -> bytes:
    assert frame["mime"] == "image/png"
    png = base64.b64decode(frame["data"], validate=True)
    assert png.startswith(PNG_SIGNATURE)
    return png


# --- host: the side channel and show() without the data stack ---


def test_show_of_a_list_of_dicts_is_a_table_frame():
    run = run_script(
        """\
        rows = [{"name": "Ada", "age": 36}, {"name": "Grace", "score": 1.5, "age": None}]
        show(rows)
        """
    )
    assert run.code == 0, run.stderr
    assert run.stdout == run.stderr == ""
    [frame] = run.frames
    assert frame == {
        "t": "display",
        "out": 0,
        "line": 2,
        "mime": "table",
        "data": {
            "columns": ["name", "age", "score"],
            "rows": [["Ada", 36, None], ["Grace", None, 1.5]],
            "total": 2,
        },
    }


def test_tables_of_lists_and_dicts_keep_to_the_limits():
    run = run_script(
        """\
        show([[1, 2.5], (3, "x" * 500, float("nan"), float("inf"))] * 600)
        show({"a": [1, 2, 3], "b": ("x",)})
        show({"k": object, 2: True})
        show([list(range(80))])
        """
    )
    assert run.code == 0, run.stderr
    lists, columns, pairs, wide = (f["data"] for f in run.displays)
    assert lists["columns"] == ["0", "1", "2", "3"]
    assert lists["total"] == 1200 and len(lists["rows"]) == 1000
    assert lists["rows"][0] == [1, 2.5, None, None]
    long = lists["rows"][1][1]
    assert len(long) == 200 and long.endswith("...")
    assert lists["rows"][1][2:] == [None, "inf"]
    assert columns == {"columns": ["a", "b"], "rows": [[1, "x"], [2, None], [3, None]], "total": 3}
    assert pairs == {
        "columns": ["key", "value"],
        "rows": [["k", "<class 'object'>"], [2, True]],
        "total": 2,
    }
    assert len(wide["columns"]) == 50 and wide["rows"] == [list(range(50))]


def test_anything_else_is_printed_and_png_bytes_are_shown_as_they_are():
    png = PNG_SIGNATURE + b"\x00\x00\x00\rIHDR rest of a tiny image"
    run = run_script(
        f"""\
        show("just text")
        show(42)
        show(b"not a png")
        show({png!r})
        """
    )
    assert run.code == 0, run.stderr
    assert run.stdout == "just text\n42\nb'not a png'\n"
    [frame] = run.displays
    assert png_of(frame) == png
    assert frame["line"] == 4
    assert run.output_before(frame) == run.stdout


def test_an_oversized_png_is_not_sent_and_says_so_on_stderr():
    run = run_script(
        """\
        print("before")
        show(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(3 * 1024 * 1024))
        print("after")
        """
    )
    assert run.code == 0
    assert run.frames == []
    assert run.stdout == "before\nafter\n"
    assert run.stderr.count("\n") == 1
    assert "image not shown" in run.stderr and "2 MiB" in run.stderr


def test_printed_fake_display_json_and_frame_bytes_stay_stdout():
    fake = json.dumps({"t": "display", "out": 0, "line": 1, "mime": "table", "data": {}})
    run = run_script(
        f"""\
        import os, sys
        print({fake!r})
        sys.stdout.buffer.write(b"\\x1eNE3\\x00\\x00\\x00\\x02{{}}\\n")
        print({fake!r}, file=sys.stderr)
        sys.stderr.flush()
        os.write(2, b"\\x1eNE3\\x00\\x00\\x00\\x02{{}}")  # descriptor 2 is relayed as stderr
        """
    )
    assert run.code == 0, run.stderr
    assert run.channel == b"" and run.frames == []
    assert run.stdout.startswith(fake + "\n\x1eNE3")
    assert run.stderr == fake + "\n\x1eNE3\x00\x00\x00\x02{}"


def test_a_plain_runs_frames_follow_exactly_the_output_before_them():
    run = run_script(
        """\
        import sys
        print("one")
        show([{"n": 1}])
        print("two", end="")
        print("err", file=sys.stderr)
        def helper():
            show([[2]])
        helper()
        print("three")
        """
    )
    assert run.code == 0, run.stderr
    first, second = run.displays
    assert run.output_before(first) == "one\n"
    assert run.output_before(second) == "one\ntwo"
    assert first["out"] == len(b"one\n")
    assert second["out"] == len(b"one\ntwo") + 22 + len(b"err\n")  # a stderr frame's header
    assert (first["line"], second["line"]) == (3, 7)
    assert run.stdout == "one\ntwothree\n"


def test_a_child_process_stderr_is_relayed_as_stderr_not_on_the_channel():
    run = run_script('import os\nos.system("echo from-a-child >&2")\nshow([[1]])\n')
    assert run.code == 0
    assert (run.stdout, run.stderr) == ("", "from-a-child\n")
    [frame] = run.displays
    # The relay's frame counts once it is in the pipe (it may come after the show).
    assert frame["out"] in (0, 22 + len(b"from-a-child\n"))


def test_a_malformed_header_still_says_so_on_descriptor_2():
    result = subprocess.run(
        [sys.executable, "-I", str(RUNNER)],
        input=b"garbage\n",
        capture_output=True,
        timeout=DEADLINE,
    )
    assert result.returncode == 2
    assert result.stderr == b"runner: malformed script header\n"


def test_a_debug_runs_displays_come_before_its_last_trace_frame():
    source = "print('hi')\nshow([{'a': 1}])\n"
    table = json.dumps({"nodes": 0, "edges": 0, "lines": [], "stoppable": []}).encode()
    body = source.encode()
    result = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "--wall-seconds=20"],
        input=b"NE1 %d %d\n" % (len(body), len(table)) + body + table,
        capture_output=True,
        timeout=DEADLINE,
    )
    run = Run(result.returncode, result.stdout.removeprefix(READY_MARKER), result.stderr)
    assert run.code == 0
    kinds = [f["t"] for f in run.frames]
    assert "display" in kinds and kinds[-1] == "trace"
    assert run.displays[0]["out"] == len(b"hi\n")


# --- host, when it has the data stack (the docker tests below always do) ---


def test_dataframes_and_numpy_cells_on_the_host():
    pytest.importorskip("pandas")
    run = run_script(
        """\
        import numpy as np, pandas as pd
        df = pd.DataFrame({"x": np.arange(5000), "y": np.linspace(0, 1, 5000)})
        df.loc[3, "y"] = np.nan
        show(df)
        show(pd.Series([1, 2], index=["a", "b"], name="s"))
        """
    )
    assert run.code == 0, run.stderr
    table, series = (f["data"] for f in run.displays)
    assert table["columns"] == ["x", "y"] and table["total"] == 5000
    assert len(table["rows"]) == 1000 and table["rows"][3] == [3, None]
    assert series == {"columns": ["", "s"], "rows": [["a", 1], ["b", 2]], "total": 2}


# --- in a real container ---


def container_run(docker_ready, source: str, limits=None, timeout: float = 60.0) -> Run:
    """One script in a container made by the pool's own code: stream 1 is the stdout pipe,
    stream 2 the side channel."""
    from execution.sandbox.container import create_and_start, exit_state, remove_container
    from execution.sandbox.limits import RunLimits
    from execution.sandbox.protocol import FrameDecoder
    from tests.docker_support import SANDBOX_IMAGE, unique_worker_name

    limits = limits or RunLimits(wall_seconds=30)
    body = textwrap.dedent(source).encode()
    container = create_and_start(
        docker_ready.api, unique_worker_name("disp"), SANDBOX_IMAGE, limits
    )
    try:
        sock = container.sock
        sock.settimeout(timeout)
        decoder = FrameDecoder()
        pipe, channel = b"", b""
        sent = False
        deadline = time.monotonic() + timeout
        while True:
            assert time.monotonic() < deadline, (pipe[:500], channel[:200])
            chunk = sock.recv(1 << 20)
            if not chunk:
                break
            for stream, data in decoder.feed(chunk):
                if stream == STDOUT:
                    pipe += data
                else:
                    channel += data
            if not sent and pipe.startswith(READY_MARKER):
                sock.sendall(b"NE1 %d\n" % len(body) + body)
                sock.shutdown(1)  # the script's stdin ends
                sent = True
        assert sent, pipe
        code, oom = exit_state(docker_ready.api, container.id, timeout=30)
    finally:
        with contextlib.suppress(Exception):
            container.sock.close()
        remove_container(docker_ready.api, container.id)
    run = Run(code, pipe.removeprefix(READY_MARKER), channel)
    run.oom = oom
    return run


@pytest.mark.docker
def test_numpy_and_pandas_work_under_the_default_limits(docker_ready):
    from execution.sandbox.limits import RunLimits

    run = container_run(
        docker_ready,
        """\
        import sys
        print(sorted(k for k in sys.modules if k in ("numpy", "pandas", "matplotlib.pyplot")))
        import numpy as np, pandas as pd, matplotlib.pyplot as plt
        df = pd.DataFrame({"a": np.arange(100_000), "b": np.random.default_rng(1).random(100_000)})
        print(df.groupby(df.a % 3).b.count().tolist())
        plt.plot(df.a[:100], df.b[:100])
        """,
        RunLimits(wall_seconds=30),  # the defaults: 128 MB, 1 CPU
    )
    assert (run.code, run.oom) == (0, False), run.stderr
    lines = run.stdout.splitlines()
    # Preloaded: in the interpreter before the script's first line, so its imports cost
    # nothing (how little is bench/display.py's "import" row).
    assert lines[0] == "['matplotlib.pyplot', 'numpy', 'pandas']"
    assert lines[1] == "[33334, 33333, 33333]"
    assert len(run.displays) == 1  # the figure left open, shown at exit


@pytest.mark.docker
def test_plt_show_sends_a_png_and_closes_the_figure(docker_ready):
    run = container_run(
        docker_ready,
        """\
        import matplotlib.pyplot as plt
        print("before")
        plt.plot(range(100), [x * x for x in range(100)])
        plt.title("squares")
        plt.show()
        print("after", plt.get_fignums())
        """,
    )
    assert run.code == 0, run.stderr
    assert run.stdout == "before\nafter []\n"
    [frame] = run.displays
    png = png_of(frame)
    assert 1000 < len(png) <= 2 * 1024 * 1024
    assert frame["line"] == 5
    assert run.output_before(frame) == "before\n"


@pytest.mark.docker
def test_a_figure_left_open_is_shown_at_exit_after_the_last_output(docker_ready):
    run = container_run(
        docker_ready,
        """\
        import matplotlib.pyplot as plt
        fig, ax = plt.subplots()
        ax.bar(["a", "b"], [3, 5])
        show(ax)  # shown now, and still open
        print("last words")
        """,
    )
    assert run.code == 0, run.stderr
    now, at_exit = run.displays
    png_of(now), png_of(at_exit)
    assert now["line"] == 4 and at_exit["line"] is None
    assert run.output_before(at_exit) == "last words\n"


@pytest.mark.docker
def test_a_dataframe_of_5000_rows_is_cut_to_1000(docker_ready):
    run = container_run(
        docker_ready,
        """\
        import numpy as np, pandas as pd
        df = pd.DataFrame({"i": np.arange(5000), "f": np.arange(5000) / 2, "s": ["x"] * 5000})
        df["t"] = pd.Timestamp("2024-01-02")
        df.loc[0, "f"] = np.nan
        show(df)
        """,
    )
    assert run.code == 0, run.stderr
    [frame] = run.displays
    table = frame["data"]
    assert table["columns"] == ["i", "f", "s", "t"]
    assert table["total"] == 5000 and len(table["rows"]) == 1000
    assert table["rows"][0] == [0, None, "x", "2024-01-02 00:00:00"]
    assert table["rows"][999][:2] == [999, 499.5]


@pytest.mark.docker
def test_an_oversized_png_is_not_sent_in_a_container(docker_ready):
    run = container_run(
        docker_ready,
        """\
        show(b"\\x89PNG\\r\\n\\x1a\\n" + bytes(3 * 1024 * 1024))
        print("went on")
        """,
    )
    assert run.code == 0
    assert run.frames == []
    assert run.stdout == "went on\n"
    assert "image not shown" in run.stderr


@pytest.mark.docker
def test_a_memory_hungry_pandas_script_ends_by_the_memory_limit(docker_ready):
    from execution.sandbox.limits import RunLimits

    run = container_run(
        docker_ready,
        """\
        import numpy as np, pandas as pd
        frames = []
        while True:
            frames.append(pd.DataFrame(np.ones((1000, 1000))))
        """,
        RunLimits(wall_seconds=30),
    )
    assert run.oom and run.code == 137
