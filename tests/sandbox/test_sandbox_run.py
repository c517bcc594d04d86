"""A sandbox run as its user sees it: output streams, stdin, exit codes, tracebacks."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from execution.sandbox import SandboxError
from execution.sandbox.protocol import coalesce
from harness.waiting import wait_until_async
from tests.docker_support import Transcript, run_code

pytestmark = pytest.mark.docker


async def test_hello_world(make_pool):
    pool = await make_pool()
    result, out = await run_code(pool, "print('hello, world')")
    assert out.stdout == "hello, world\n"
    assert out.stderr == ""
    assert (result.exit_code, result.reason, result.error_line) == (0, "ok", None)
    assert result.output_bytes == len("hello, world\n")


async def test_output_streams_while_the_script_runs(make_pool):
    """The first print reaches us while the script still sleeps: we record which events came
    before the moment we released the script (a marker), not how long anything took."""
    pool = await make_pool()
    sandbox = await pool.acquire()
    events: list[tuple[str, str]] = []
    first_chunk = asyncio.Event()

    async def on_output(stream: str, text: str) -> None:
        events.append((stream, text))
        first_chunk.set()

    code = (
        "import sys\n"
        "print('before', end='')\n"  # a partial line: must arrive without its newline
        "line = sys.stdin.readline()\n"  # blocks until the test sends the marker
        "print('after', line.strip())\n"
    )
    run = asyncio.create_task(sandbox.run(code, on_output))
    await asyncio.wait_for(first_chunk.wait(), timeout=10)
    assert not run.done()
    events.append(("marker", ""))
    await sandbox.write_stdin("go\n")
    result = await run
    assert result.reason == "ok"
    assert events[0] == ("stdout", "before")
    assert events.index(("marker", "")) == 1
    assert "".join(t for s, t in events if s == "stdout") == "beforeafter go\n"


async def test_prints_separated_by_sleeps_arrive_separately(make_pool):
    """Each print is delivered on its own, in order, not gathered up until the end."""
    pool = await make_pool()
    out = Transcript()
    sandbox = await pool.acquire()
    code = "import time\nfor i in range(3):\n    print(i)\n    time.sleep(0.4)\nprint('end')\n"
    result = await sandbox.run(code, out)
    assert result.reason == "ok"
    assert out.stdout == "0\n1\n2\nend\n"
    texts = [text for _, text in out.events]
    # No delivery carries two of the prints that the sleeps kept apart.
    holders = [next(i for i, t in enumerate(texts) if d in t) for d in ("0", "1", "2", "end")]
    assert holders == sorted(set(holders))


async def test_input_round_trip_with_prompt(make_pool):
    pool = await make_pool()
    sandbox = await pool.acquire()
    prompts: asyncio.Queue[str] = asyncio.Queue()
    out = Transcript()

    async def on_output(stream: str, text: str) -> None:
        await out(stream, text)
        if text.endswith("? "):
            await prompts.put(text)

    code = "a = input('first? ')\nb = input('second? ')\nprint(int(a) + int(b))\n"
    run = asyncio.create_task(sandbox.run(code, on_output))
    assert await asyncio.wait_for(prompts.get(), 10) == "first? "
    await sandbox.write_stdin("40\n")
    assert await asyncio.wait_for(prompts.get(), 10) == "second? "
    await sandbox.write_stdin("2\n")
    result = await run
    assert result.reason == "ok"
    assert out.stdout == "first? second? 42\n"


async def test_stdin_sent_before_the_run_starts_is_kept(make_pool):
    pool = await make_pool()
    sandbox = await pool.acquire()
    await sandbox.write_stdin("early\n")
    await sandbox.close_stdin()
    out = Transcript()
    result = await sandbox.run("import sys\nprint(repr(sys.stdin.read()))", out)
    assert result.reason == "ok"
    assert out.stdout == "'early\\n'\n"


async def test_closing_stdin_gives_eof(make_pool):
    pool = await make_pool()
    sandbox = await pool.acquire()
    out = Transcript()
    code = (
        "import sys\n"
        "print('ready', flush=True)\n"
        "data = sys.stdin.read()\n"
        "print('read', len(data))\n"
        "try:\n    input()\nexcept EOFError:\n    print('eof')\n"
    )
    ready = asyncio.Event()

    async def on_output(stream: str, text: str) -> None:
        await out(stream, text)
        if "ready" in text:
            ready.set()

    run = asyncio.create_task(sandbox.run(code, on_output))
    await asyncio.wait_for(ready.wait(), 10)
    await sandbox.write_stdin("abc")
    await sandbox.close_stdin()
    result = await asyncio.wait_for(run, 10)
    assert result.reason == "ok"
    assert out.stdout == "ready\nread 3\neof\n"


async def test_stderr_is_kept_apart_from_stdout(make_pool):
    pool = await make_pool()
    result, out = await run_code(
        pool, "import sys\nprint('to out')\nprint('to err', file=sys.stderr)\n"
    )
    assert out.stdout == "to out\n"
    assert out.stderr == "to err\n"
    assert result.reason == "ok"


async def test_stdout_and_stderr_arrive_in_the_order_they_were_written(make_pool):
    """One ordered stream out of the container: the line printed before a traceback comes
    before it, every time (two Docker pipes swapped them in about 3 runs of 10)."""
    pool = await make_pool(size=2)
    code = "print('About to divide by zero...')\n1 / 0\n"
    for _ in range(10):
        _, out = await run_code(pool, code)
        streams = [stream for stream, _ in coalesce(out.events)]
        assert streams == ["stdout", "stderr"], out.events
        assert out.stderr.endswith("ZeroDivisionError: division by zero\n")
    interleaved = (
        "import sys\n"
        "for i in range(200):\n"
        "    print(f'out {i}')\n"
        "    print(f'err {i}', file=sys.stderr)\n"
    )
    _, out = await run_code(pool, interleaved)
    expected = [
        pair for i in range(200) for pair in (("stdout", f"out {i}\n"), ("stderr", f"err {i}\n"))
    ]
    assert coalesce(out.events) == coalesce(expected)


@pytest.mark.parametrize(
    ("code", "exit_code", "reason"),
    [
        ("import sys\nsys.exit(3)", 3, "error"),
        ("import sys\nsys.exit(0)", 0, "ok"),
        ("raise SystemExit", 0, "ok"),
        ("exit(5)", 5, "error"),
        ("import os\nos._exit(7)", 7, "error"),
    ],
)
async def test_exit_codes(make_pool, code, exit_code, reason):
    pool = await make_pool()
    result, _ = await run_code(pool, code)
    assert (result.exit_code, result.reason) == (exit_code, reason)


async def test_system_exit_with_message_prints_it_and_exits_1(make_pool):
    pool = await make_pool()
    result, out = await run_code(pool, "import sys\nsys.exit('bad input')")
    assert (result.exit_code, result.reason) == (1, "error")
    assert out.stderr == "bad input\n"


async def test_uncaught_exception_names_main_py_and_the_innermost_line(make_pool):
    pool = await make_pool()
    code = "def inner():\n    return 1 / 0\n\ndef outer():\n    inner()\n\nouter()\n"
    result, out = await run_code(pool, code)
    assert (result.exit_code, result.reason, result.error_line) == (1, "error", 2)
    assert 'File "main.py", line 7, in <module>' in out.stderr
    assert 'File "main.py", line 2, in inner' in out.stderr
    assert "return 1 / 0" in out.stderr  # the source line is shown
    assert "runner.py" not in out.stderr  # the runner's frames are hidden
    assert out.stderr.rstrip().endswith("ZeroDivisionError: division by zero")


async def test_error_line_is_the_innermost_frame_in_main_py_not_in_the_stdlib(make_pool):
    pool = await make_pool()
    code = "import json\n\njson.loads('{not json')\n"
    result, _ = await run_code(pool, code)
    assert result.error_line == 3


async def test_syntax_error_reports_its_line(make_pool):
    pool = await make_pool()
    result, out = await run_code(pool, "x = 1\ny = (\n")
    assert (result.exit_code, result.reason, result.error_line) == (1, "error", 2)
    assert "SyntaxError" in out.stderr


async def test_script_runs_as_main(make_pool):
    pool = await make_pool()
    code = (
        "import sys\n"
        "from dataclasses import dataclass\n"
        "@dataclass\nclass P:\n    x: int\n"
        "if __name__ == '__main__':\n"
        "    print(P(1), __file__, sys.argv)\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok", out.stderr
    assert out.stdout == "P(x=1) main.py ['main.py']\n"


async def test_multibyte_characters_split_across_chunks_arrive_whole(make_pool):
    pool = await make_pool()
    code = (
        "import sys, time\n"
        "euro = '€'.encode()\n"
        "sys.stdout.buffer.write(euro[:1]); sys.stdout.buffer.flush(); time.sleep(0.2)\n"
        "sys.stdout.buffer.write(euro[1:] + '✓\\n'.encode()); sys.stdout.buffer.flush()\n"
        "print('naïve ☃', file=sys.stderr)\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok"
    assert out.stdout == "€✓\n"
    assert out.stderr == "naïve ☃\n"
    assert "\ufffd" not in out.stdout


async def test_unicode_in_the_script_and_stdin(make_pool):
    pool = await make_pool()
    sandbox = await pool.acquire()
    await sandbox.write_stdin("Zoë ☕\n")
    out = Transcript()
    result = await sandbox.run("name = input()\nprint(f'héllo {name}!')", out)
    assert result.reason == "ok"
    assert out.stdout == "héllo Zoë ☕!\n"


async def test_a_sandbox_serves_one_run_only(make_pool):
    pool = await make_pool()
    sandbox = await pool.acquire()
    await sandbox.run("pass", Transcript())
    with pytest.raises(SandboxError):
        await sandbox.run("pass", Transcript())


def exists_in(client: Any, container_id: str, path: str) -> bool:
    """Whether `path` exists inside the container (docker exec test -e)."""
    exec_id = client.api.exec_create(container_id, ["test", "-e", path])["Id"]
    client.api.exec_start(exec_id)
    return client.api.exec_inspect(exec_id)["ExitCode"] == 0


async def test_slow_consumer_slows_the_script_instead_of_buffering_everything(
    make_pool, docker_ready
):
    """on_output is awaited: while we do not return from it, the script blocks on its writes."""
    pool = await make_pool(output_bytes=8 * 1024 * 1024)
    sandbox = await pool.acquire()
    released = asyncio.Event()
    first_seen = asyncio.Event()
    seen: list[str] = []

    async def on_output(stream: str, text: str) -> None:
        seen.append(text)
        first_seen.set()
        if len(seen) == 1:
            await released.wait()

    # The script writes its 4 MiB without blocking; the first write that would block (its
    # stdout pipe is full: nothing downstream reads) leaves /tmp/blocked, then it waits until
    # it can write again.
    code = (
        "import os, select, sys\n"
        "chunk = b'x' * 65536\n"
        "os.set_blocking(1, False)\n"
        "for i in range(64):\n"
        "    left = memoryview(chunk)\n"
        "    while left:\n"
        "        try:\n"
        "            left = left[os.write(1, left):]\n"
        "        except BlockingIOError:\n"
        "            open('/tmp/blocked', 'w').close()\n"
        "            select.select([], [1], [])\n"
        "sys.stderr.write('done writing\\n')\n"
    )
    run = asyncio.create_task(sandbox.run(code, on_output))
    await asyncio.wait_for(first_seen.wait(), 10)
    await wait_until_async(
        lambda: asyncio.to_thread(exists_in, docker_ready, sandbox.id, "/tmp/blocked"),
        30,
        "the script to block on a full stdout",
        interval=0.2,
    )
    assert not any("done writing" in t for t in seen)
    assert not run.done()
    released.set()
    result = await run
    # The script left the pipe non-blocking: the runner's own writes (its stderr frame, the exit
    # record) still wait for room instead of failing the run with BlockingIOError.
    assert result.reason == "ok", result
    assert any("done writing" in t for t in seen)
    assert sum(len(t) for t in seen) == 64 * 65536 + len("done writing\n")


async def test_on_output_errors_propagate_and_the_sandbox_is_destroyed(make_pool, docker_ready):
    pool = await make_pool()
    sandbox = await pool.acquire()

    async def broken(stream: str, text: str) -> None:
        raise RuntimeError("consumer broke")

    with pytest.raises(RuntimeError, match="consumer broke"):
        await sandbox.run("import time\nprint('x')\ntime.sleep(30)", broken)
    assert pool.stats()["busy"] == 0
