"""The script's end: the run ends at the runner's exit record (after the script's non-daemon
threads and atexit handlers, with its output flushed), not when the interpreter has torn down.
The exit code and reason stay exactly as Python gives them. Each test under runc and runsc."""

from __future__ import annotations

import pytest

from execution.sandbox.protocol import STDERR_FRAME_MAGIC
from tests import docker_support
from tests.docker_support import run_code

pytestmark = pytest.mark.docker
make_pool = docker_support.make_pool_each_runtime
sandbox_runtime = docker_support.sandbox_runtime


def exit_record(code: int, flags: int = 0, side_bytes: int = 0) -> str:
    """The record's bytes as a script could print them (latin-1 keeps each byte one char)."""
    raw = STDERR_FRAME_MAGIC + b"\xff\xff" + bytes((code, flags)) + side_bytes.to_bytes(8, "big")
    return repr(raw)


async def test_an_atexit_handler_prints_before_the_exit(make_pool):
    pool = await make_pool()
    code = "import atexit\natexit.register(print, 'at exit')\nprint('main')\n"
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code, out.stdout) == ("ok", 0, "main\nat exit\n")


async def test_a_non_daemon_thread_is_joined_before_the_exit(make_pool):
    pool = await make_pool()
    code = (
        "import threading, time\n"
        "def late():\n"
        "    time.sleep(0.3)\n"
        "    print('thread done')\n"
        "threading.Thread(target=late).start()\n"
        "print('main done')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code) == ("ok", 0)
    assert out.stdout == "main done\nthread done\n"


@pytest.mark.parametrize(
    ("code", "exit_code", "reason"),
    [
        ("raise SystemExit(3)", 3, "error"),
        ("import sys\nsys.exit(0)", 0, "ok"),
        ("import sys\nsys.exit(None)", 0, "ok"),
        ("import sys\nsys.exit(256 + 4)", 4, "error"),
        ("import sys\nsys.exit(-1)", 255, "error"),
        ("import sys\nsys.exit(True)", 1, "error"),
        ("import atexit, sys\natexit.register(print, 'bye')\nsys.exit(3)", 3, "error"),
        ("import os\nprint('x', end='')\nos._exit(7)", 7, "error"),
        ("import os, signal\nos.kill(os.getpid(), signal.SIGTERM)", 128 + 15, "error"),
    ],
)
async def test_exit_codes_stay_exact(make_pool, code, exit_code, reason):
    pool = await make_pool()
    result, _ = await run_code(pool, code)
    assert (result.exit_code, result.reason) == (exit_code, reason)


async def test_an_exception_in_an_atexit_handler_is_reported_and_keeps_the_exit_code(make_pool):
    pool = await make_pool()
    code = (
        "import atexit\n"
        "def broken():\n"
        "    raise ValueError('in a handler')\n"
        "atexit.register(broken)\n"
        "print('main')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code, out.stdout) == ("ok", 0, "main\n")
    assert "ValueError: in a handler" in out.stderr


async def test_a_slow_finaliser_at_teardown_does_not_delay_the_exit(make_pool):
    # The finaliser sleeps past the run's wall limit (3 s): were the run to wait for the
    # interpreter's teardown, it would end as a timeout.
    pool = await make_pool(wall_seconds=3)
    code = (
        "import time\n"
        "class Slow:\n"
        "    def __del__(self):\n"
        "        time.sleep(30)\n"
        "keep = Slow()\n"
        "print('done')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code, out.stdout) == ("ok", 0, "done\n")


async def test_output_of_a_child_process_before_the_end_arrives(make_pool):
    # The child's bytes bypass the output policy's count: the record still comes after them.
    pool = await make_pool()
    code = (
        "import subprocess, sys\n"
        "subprocess.run([sys.executable, '-c', 'print(\"from the child \" * 200)'])\n"
        "print('parent')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code) == ("ok", 0)
    assert out.stdout == "from the child " * 200 + "\nparent\n"


async def test_a_forked_child_ending_first_does_not_end_the_run(make_pool):
    pool = await make_pool()
    code = (
        "import os, sys, time\n"
        "if os.fork() == 0:\n"
        "    print('child')\n"
        "    sys.exit(5)\n"
        "os.wait()\n"
        "time.sleep(0.2)\n"
        "print('parent')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code) == ("ok", 0)
    assert out.stdout == "child\nparent\n"


async def test_a_daemon_thread_still_printing_does_not_change_the_exit(make_pool):
    pool = await make_pool()
    code = (
        "import threading, time\n"
        "def chatter():\n"
        "    while True:\n"
        "        print('tick')\n"
        "        time.sleep(0.001)\n"
        "threading.Thread(target=chatter, daemon=True).start()\n"
        "time.sleep(0.05)\n"
        "raise SystemExit(4)\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code) == ("error", 4)
    assert set(out.stdout.split()) == {"tick"}


async def test_a_forged_exit_record_only_ends_its_own_run_early(make_pool):
    # A script can print the record itself: the run ends there, with the code it chose, as if
    # it had called os._exit: the output before it arrives, and the next run is unaffected.
    pool = await make_pool()
    code = (
        "import sys\n"
        "print('before', flush=True)\n"
        f"sys.stdout.buffer.write({exit_record(9)})\n"
        "sys.stdout.flush()\n"
        "import time\n"
        "time.sleep(30)\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code, out.stdout) == ("error", 9, "before\n")
    result, out = await run_code(pool, "print('next')")
    assert (result.reason, result.exit_code, out.stdout) == ("ok", 0, "next\n")


async def test_an_exit_record_never_complete_ends_nothing(make_pool):
    # It counts side-channel bytes that never come: the run goes on to its real end, and the
    # output after it is delivered.
    pool = await make_pool()
    code = (
        "import sys\n"
        f"sys.stdout.buffer.write({exit_record(0, side_bytes=10**9)})\n"
        "sys.stdout.flush()\n"
        "print('after')\n"
        "raise SystemExit(6)\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code, out.stdout) == ("error", 6, "after\n")
