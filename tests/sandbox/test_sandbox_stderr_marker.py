"""Printing the old stderr-frame marker (`\\x1eNE2`) on stdout turned the script's own
output into stderr, and its exit-record form ended the run. Now only a 20-byte marker, 16 of its
bytes random, starts a frame: whatever a script or its children print is their stdout, their
stderr keeps its place among it, and tracebacks still classify. Real containers, each runtime."""

from __future__ import annotations

import pytest

from tests import docker_support
from tests.docker_support import run_code

pytestmark = pytest.mark.docker
make_pool = docker_support.make_pool_each_runtime
sandbox_runtime = docker_support.sandbox_runtime

OLD_FRAME = b"\x1eNE2\x00\x05hello"
OLD_EXIT_RECORD = b"\x1eNE2\xff\xff\x09\x00" + bytes(8)


async def test_printing_old_markers_every_way_stays_stdout_in_order_with_stderr(make_pool):
    pool = await make_pool()
    code = f"""
import os, subprocess, sys
for magic in ({OLD_FRAME!r}, {OLD_EXIT_RECORD!r}):
    print(magic.decode("latin-1"), end="|")
    print("e1", file=sys.stderr)
    sys.stdout.buffer.write(magic + b"|")
    print("e2", file=sys.stderr)
    sys.stdout.flush(); sys.stderr.flush()
    os.write(1, magic + b"|")
    print("e3", file=sys.stderr)
    sys.stderr.flush()
    subprocess.run(["printf", "%b|", "".join("\\\\%03o" % b for b in magic)], check=True)
    print("e4", file=sys.stderr)
print("end")
"""
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code) == ("ok", 0), out.events
    expected = []
    for magic in (OLD_FRAME, OLD_EXIT_RECORD):
        text = magic.decode("latin-1")
        expected += [
            ("stdout", text + "|"),
            ("stderr", "e1\n"),
            ("stdout", text.encode("latin-1").decode("utf-8", "replace") + "|"),
            ("stderr", "e2\n"),
            ("stdout", text.encode("latin-1").decode("utf-8", "replace") + "|"),
            ("stderr", "e3\n"),
            ("stdout", text.encode("latin-1").decode("utf-8", "replace") + "|"),
            ("stderr", "e4\n"),
        ]
    expected.append(("stdout", "end\n"))
    assert _merged(out.events) == _merged(expected)


async def test_a_child_processes_stderr_is_stderr(make_pool):
    pool = await make_pool()
    code = (
        "import os, subprocess, sys\n"
        "os.system('echo from-system >&2')\n"
        "subprocess.run([sys.executable, '-c', 'import sys; sys.exit(\"from-child\")'])\n"
        "print('out')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "out\n")
    assert out.stderr == "from-system\nfrom-child\n"


async def test_a_traceback_still_gives_the_error_line(make_pool):
    pool = await make_pool()
    code = "import sys\nprint('a', file=sys.stderr)\ndef f():\n    raise ValueError('x')\nf()\n"
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code, result.error_line) == ("error", 1, 4)
    assert out.stderr.startswith("a\nTraceback") and out.stderr.endswith("ValueError: x\n")


def _merged(events: list[tuple[str, str]]) -> list[tuple[str, str]]:
    merged: list[tuple[str, str]] = []
    for stream, text in events:
        if merged and merged[-1][0] == stream:
            merged[-1] = (stream, merged[-1][1] + text)
        elif text:
            merged.append((stream, text))
    return merged
