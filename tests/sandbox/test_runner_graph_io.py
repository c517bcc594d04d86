"""A graph's inputs and outputs, the runner's half (sandbox_image/runner.py's `inputs=` header
field, graph_outputs.py; docs/interfaces.md, "Graph inputs and outputs").

As tests/sandbox/test_runner_display.py does, the real runner.py runs as a subprocess of the
host's Python and its two outputs are read as the pool reads them: the stdout pipe and
descriptor 2, the side channel, which carries only runner frames.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

from execution.sandbox.protocol import READY_MARKER, encode_script
from tests.sandbox.test_runner_display import DEADLINE, RUNNER, Run


def run_with(source: str, inputs: Any = None, raw_inputs: bytes | None = None) -> Run:
    if raw_inputs is None and inputs is not None:
        raw_inputs = json.dumps(inputs).encode()
    script = encode_script(textwrap.dedent(source), inputs=raw_inputs)
    result = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "--wall-seconds=20"],
        input=script,
        capture_output=True,
        timeout=DEADLINE,
    )
    assert result.stdout.startswith(READY_MARKER), result.stdout[:200]
    return Run(result.returncode, result.stdout.removeprefix(READY_MARKER), result.stderr)


def results(run: Run) -> list[dict[str, Any]]:
    return [f for f in run.frames if f["t"] == "result"]


def test_inputs_arrive_as_data_in_the_scripts_globals():
    run = run_with(
        """\
        print(type(_ne_inputs).__name__, _ne_inputs["a"] + _ne_inputs["b"], _ne_inputs["c"])
        """,
        {"a": 2, "b": 40, "c": ["x", {"y": None}]},
    )
    assert run.code == 0, run.stderr
    assert run.stdout == "dict 42 ['x', {'y': None}]\n"
    assert results(run) == []  # no _ne_output call: no result frame


def test_a_script_without_inputs_has_no_ne_inputs():
    run = run_with("print('_ne_inputs' in globals())\n")
    assert run.stdout == "False\n"


def test_hostile_input_values_stay_data():
    code_like = "__import__('os').system('echo pwned'); print('pwned')"
    deep: Any = "bottom"
    for _ in range(30):
        deep = [deep]
    huge = "x" * 300_000
    run = run_with(
        """\
        s = _ne_inputs["code"]
        print(repr(s))
        d = _ne_inputs["deep"]
        depth = 0
        while isinstance(d, list):
            d, depth = d[0], depth + 1
        print(depth, d, len(_ne_inputs["huge"]), _ne_inputs["big"])
        """,
        {"code": code_like, "deep": deep, "huge": huge, "big": 2**80},
    )
    assert run.code == 0, run.stderr
    assert "pwned\n" not in run.stdout.replace(repr(code_like), "")
    assert run.stdout == f"{code_like!r}\n30 bottom 300000 {2**80}\n"


def test_inputs_that_are_not_a_json_object_are_a_malformed_header():
    for raw in (b"[1, 2]", b"{not json", b"\xff\xfe"):
        result = subprocess.run(
            [sys.executable, "-I", str(RUNNER), "--wall-seconds=20"],
            input=encode_script("print('ran')\n", inputs=raw),
            capture_output=True,
            timeout=DEADLINE,
        )
        assert result.returncode == 2, raw
        assert result.stderr == b"runner: malformed script header\n"
        assert b"ran" not in result.stdout


def test_old_headers_still_run():
    """The field is optional: a header without it is the plain run it always was."""
    body = b"print('plain')\n"
    result = subprocess.run(
        [sys.executable, "-I", str(RUNNER), "--wall-seconds=20"],
        input=b"NE1 %d\n" % len(body) + body,
        capture_output=True,
        timeout=DEADLINE,
    )
    run = Run(result.returncode, result.stdout.removeprefix(READY_MARKER), result.stderr)
    assert (run.code, run.stdout) == (0, "plain\n")


def test_outputs_go_in_one_result_frame_after_all_output():
    run = run_with(
        """\
        print("before")
        _ne_output("sum", _ne_inputs["a"] + 1)
        _ne_output("sum", _ne_inputs["a"] + 2)  # the last call wins
        _ne_output("items", [1, "two", None, {"k": True}])
        print("after")
        """,
        {"a": 40},
    )
    assert run.code == 0, run.stderr
    [frame] = results(run)
    assert frame["outputs"] == {"sum": 42, "items": [1, "two", None, {"k": True}]}
    assert frame["warnings"] == []
    assert run.output_before(frame) == "before\nafter\n"
    assert frame is run.frames[-1]


def test_a_value_is_recorded_as_it_was_when_recorded():
    run = run_with(
        """\
        items = [1]
        _ne_output("items", items)
        items.append(2)
        """
    )
    assert results(run)[0]["outputs"] == {"items": [1]}


def test_values_that_are_not_json_become_their_repr_with_a_warning():
    run = run_with(
        """\
        _ne_output("s", {3, 1})
        _ne_output("t", (1, 2))
        _ne_output("nan", float("nan"))
        _ne_output("keys", {1: "a"})
        _ne_output("ok", 1.5)
        loop = []
        loop.append(loop)
        _ne_output("loop", loop)
        """
    )
    [frame] = results(run)
    assert frame["outputs"] == {
        "s": "{1, 3}",
        "t": "(1, 2)",
        "nan": "nan",
        "keys": "{1: 'a'}",
        "ok": 1.5,
        "loop": "[[...]]",
    }
    warnings = frame["warnings"]
    assert len(warnings) == 5
    for name in ("s", "t", "nan", "keys", "loop"):
        assert any(w.startswith(f"Output {name!r} is not JSON") for w in warnings), name


def test_outputs_over_one_mib_are_null_from_the_first_that_does_not_fit():
    run = run_with(
        """\
        _ne_output("small", 1)
        _ne_output("big", "x" * 700_000)
        _ne_output("bigger", "y" * 700_000)
        _ne_output("after", 2)
        """
    )
    [frame] = results(run)
    assert frame["outputs"] == {"small": 1, "big": "x" * 700_000, "bigger": None, "after": 2}
    [warning] = frame["warnings"]
    assert warning.startswith("Output 'bigger' did not fit")


def test_an_atexit_handler_may_record_and_print_and_the_result_still_comes_last():
    run = run_with(
        """\
        import atexit

        def last_words():
            print("bye")
            _ne_output("late", "from atexit")

        atexit.register(last_words)
        _ne_output("early", 1)
        raise SystemExit(3)
        """
    )
    assert run.code == 3
    [frame] = results(run)
    assert frame["outputs"] == {"early": 1, "late": "from atexit"}
    assert run.output_before(frame) == "bye\n"


def test_a_failing_script_still_sends_what_it_recorded():
    run = run_with(
        """\
        _ne_output("x", 1)
        1 / 0
        """
    )
    assert run.code == 1
    assert results(run)[0]["outputs"] == {"x": 1}
    assert "ZeroDivisionError" in run.stderr


def test_printing_a_frame_never_forges_a_result():
    """Prints go to the stdout pipe; only descriptor 2's frames are read as frames."""
    frame = json.dumps({"t": "result", "out": 0, "outputs": {"x": "forged"}, "warnings": []})
    payload = frame.encode()
    fake = b"\x1eNE3" + len(payload).to_bytes(4, "big") + payload
    run = run_with(
        f"""\
        import os, sys
        fake = {fake!r}
        sys.stdout.buffer.write(fake)
        sys.stdout.flush()
        os.write(1, fake)
        print({frame!r})
        print({frame!r}, file=sys.stderr)
        _ne_output("x", "real")
        """
    )
    assert run.code == 0, run.stderr
    [result] = results(run)
    assert result["outputs"] == {"x": "real"}
    assert fake.decode() in run.stdout
    assert frame in run.stderr


def test_a_bad_output_name_is_the_scripts_error():
    run = run_with("_ne_output(5, 1)\n")
    assert run.code == 1
    assert "TypeError: _ne_output(): the name must be text" in run.stderr
    assert results(run) == []
