"""Hostile scripts meet the limits: each ends with the right reason, and the next run works."""

from __future__ import annotations

import asyncio

import pytest

from execution.sandbox import StdinLimitExceeded

# Every test here runs under runc and under runsc (gVisor): the same reason under both.
from tests import docker_support
from tests.docker_support import Transcript, run_code

pytestmark = pytest.mark.docker
make_pool = docker_support.make_pool_each_runtime  # each test under runc, then under runsc
sandbox_runtime = docker_support.sandbox_runtime


async def assert_next_run_works(pool) -> None:
    result, out = await run_code(pool, "print(sum(range(10)))")
    assert (result.reason, out.stdout) == ("ok", "45\n")


async def test_wall_time_limit_while_sleeping(make_pool):
    pool = await make_pool(wall_seconds=1.5)
    result, out = await run_code(pool, "import time\nprint('start')\ntime.sleep(60)")
    # A sleeping script uses no CPU, so only the wall limit can end it: the pool kills the
    # container (never the CPU limit's exit 152) after the script had started.
    assert (result.reason, out.stdout) == ("timeout", "start\n")
    assert result.exit_code != 152


async def test_waiting_for_input_counts_against_wall_time(make_pool):
    pool = await make_pool(wall_seconds=1.5)
    result, out = await run_code(pool, "x = input('name? ')")
    assert result.reason == "timeout"
    assert out.stdout == "name? "


async def test_cpu_time_limit_ends_a_busy_loop(make_pool):
    # wall (20 s) > cpu (1 s): only the CPU limit can end it this early.
    pool = await make_pool(cpu_seconds=1, wall_seconds=20)
    result, _ = await run_code(pool, "while True:\n    pass\n")
    assert result.reason == "cpu_limit"
    assert result.exit_code == 152  # the CPU limit's signal, not the pool's wall-time kill


async def test_cpu_limit_holds_when_the_script_ignores_sigxcpu(make_pool):
    pool = await make_pool(cpu_seconds=1, wall_seconds=20)
    code = "import signal\nsignal.signal(signal.SIGXCPU, signal.SIG_IGN)\nwhile True:\n    pass\n"
    result, _ = await run_code(pool, code)
    assert result.reason == "cpu_limit"
    assert result.exit_code == 152  # the supervisor reports the CPU limit, not a wall-time kill


async def test_kill_ends_the_run(make_pool):
    pool = await make_pool(wall_seconds=30)
    sandbox = await pool.acquire()
    started = asyncio.Event()

    async def on_output(stream: str, text: str) -> None:
        started.set()

    run = asyncio.create_task(
        sandbox.run("import time\nprint('up')\nwhile True:\n    time.sleep(1)", on_output)
    )
    await asyncio.wait_for(started.wait(), 10)
    await sandbox.kill()
    result = await asyncio.wait_for(run, 10)
    assert result.reason == "killed"
    await sandbox.kill()  # killing a finished run is harmless
    await assert_next_run_works(pool)


async def test_memory_bomb_is_reported_as_memory(make_pool):
    pool = await make_pool(memory_mb=64)
    code = "blocks = []\nwhile True:\n    blocks.append(bytearray(8 * 1024 * 1024))\n"
    result, _ = await run_code(pool, code)
    assert result.reason == "memory"
    await assert_next_run_works(pool)


async def test_one_huge_allocation_raising_memory_error_is_memory(make_pool, sandbox_runtime):
    pool = await make_pool(memory_mb=64)
    result, out = await run_code(pool, "x = bytearray(1 << 44)\n")
    assert result.reason == "memory"
    if sandbox_runtime == "runc":
        assert "MemoryError" in out.stderr
        assert result.error_line == 1
    # (gVisor may grant the mapping instead: then the cgroup's OOM kill ends it, as "memory".)
    await assert_next_run_works(pool)


async def test_fork_bomb_is_contained_and_the_next_run_works(make_pool):
    pool = await make_pool(pids=32, wall_seconds=3)
    code = (
        "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass\n"
    )
    result, _ = await run_code(pool, code)
    # The task limit holds the bomb under both runtimes, but the 32 interpreters it reaches each
    # dirty their own copy of the parent's pages (and, under gVisor, each refused fork costs
    # ptrace platform memory): whether the wall limit or the memory limit (64 MiB here) comes
    # first depends on the machine's speed, under runc too. Either way the run ends with its
    # reason and the sandbox after it works.
    assert result.reason in ("timeout", "error", "memory")
    await assert_next_run_works(pool)


async def test_a_shell_fork_bomb_leaves_the_script_running(make_pool):
    # The bomb's shells fill the task limit and keep forking in the background; the script
    # itself must go on and end normally under both runtimes. Under runsc each fork the bomb
    # tries costs a host stub process: a pids backstop below that peak made gVisor's kernel
    # panic and end the whole sandbox (exit 2) while runc let the script go on.
    pool = await make_pool(pids=32, wall_seconds=30)
    code = (
        "import os, time\n"
        "print('bomb returned', os.system('bomb(){ bomb|bomb& }; bomb 2>/dev/null'), flush=True)\n"
        "for _ in range(20):\n"
        "    time.sleep(0.1)\n"
        "print('still here')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code) == ("ok", 0)
    assert out.stdout == "bomb returned 0\nstill here\n"
    await assert_next_run_works(pool)


async def test_thread_bomb_is_contained_and_the_next_run_works(make_pool):
    pool = await make_pool(pids=32, wall_seconds=3)
    code = (
        "import threading, time\n"
        "n = 0\n"
        "try:\n"
        "    while True:\n"
        "        threading.Thread(target=time.sleep, args=(60,), daemon=True).start()\n"
        "        n += 1\n"
        "except RuntimeError as exc:\n"
        "    print('stopped after', n, 'threads:', exc)\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok"
    assert out.stdout.startswith("stopped after")
    assert int(out.stdout.split()[2]) < 32
    await assert_next_run_works(pool)


async def test_endless_print_hits_the_output_limit(make_pool):
    pool = await make_pool(output_bytes=64 * 1024)
    result, out = await run_code(pool, "while True:\n    print('spam spam spam')\n")
    assert result.reason == "output_limit"
    assert result.output_bytes == 64 * 1024
    assert len(out.stdout.encode()) == 64 * 1024  # delivered exactly up to the cap
    assert out.stdout.startswith("spam spam spam\n")
    await assert_next_run_works(pool)


async def test_one_huge_line_without_newline_hits_the_output_limit(make_pool):
    pool = await make_pool(output_bytes=64 * 1024)
    result, out = await run_code(pool, "import sys\nsys.stdout.write('y' * 10_000_000)\n")
    assert result.reason == "output_limit"
    assert out.stdout == "y" * 64 * 1024


async def test_stderr_counts_towards_the_output_limit(make_pool):
    pool = await make_pool(output_bytes=64 * 1024)
    code = "import sys\nwhile True:\n    print('o'); print('e' * 100, file=sys.stderr)\n"
    result, out = await run_code(pool, code)
    assert result.reason == "output_limit"
    assert len(out.stdout.encode()) + len(out.stderr.encode()) == 64 * 1024


async def test_output_cap_never_splits_a_character_into_garbage(make_pool):
    pool = await make_pool(output_bytes=1025)  # 1025 bytes end in the middle of a '€'
    result, out = await run_code(pool, "print('€' * 100_000)")
    assert result.reason == "output_limit"
    assert out.stdout == "€" * 341  # 1023 bytes; the partial 342nd character is dropped


async def test_stdin_total_is_capped(make_pool):
    pool = await make_pool(stdin_total_bytes=16 * 1024, wall_seconds=5)
    sandbox = await pool.acquire()
    run = asyncio.create_task(sandbox.run("import sys\nprint(len(sys.stdin.read()))", Transcript()))
    await sandbox.write_stdin("a" * 16 * 1024)
    with pytest.raises(StdinLimitExceeded, match="at most 16384 bytes"):
        await sandbox.write_stdin("b")
    await sandbox.close_stdin()
    result = await run
    assert result.reason == "ok"


async def test_script_that_never_reads_stdin_does_not_block_the_writer(make_pool):
    pool = await make_pool(stdin_total_bytes=1024 * 1024, wall_seconds=2)
    sandbox = await pool.acquire()
    run = asyncio.create_task(sandbox.run("import time\ntime.sleep(30)", Transcript()))
    for _ in range(16):
        await asyncio.wait_for(sandbox.write_stdin("z" * 65536), 1)
    result = await run
    assert result.reason == "timeout"


async def test_writing_a_big_file_to_scratch_is_limited(make_pool):
    pool = await make_pool()
    code = (
        "try:\n"
        "    with open('/tmp/big', 'wb') as f:\n"
        "        for _ in range(64):\n"
        "            f.write(b'x' * (1 << 20))\n"
        "except OSError as exc:\n"
        "    print('refused', exc.errno)\n"
    )
    result, out = await run_code(pool, code)
    # fsize (8 MiB) or the 16 MiB tmpfs stops it: EFBIG (27) or ENOSPC (28); SIGXFSZ otherwise.
    assert result.reason in ("ok", "error")
    assert out.stdout.startswith("refused") or result.exit_code == 128 + 25
    await assert_next_run_works(pool)


async def test_output_after_a_kill_still_respects_the_cap(make_pool):
    pool = await make_pool(output_bytes=64 * 1024)
    sandbox = await pool.acquire()
    out = Transcript()
    killed = False

    async def on_output(stream: str, text: str) -> None:
        nonlocal killed
        await out(stream, text)
        if not killed:
            killed = True
            await sandbox.kill()  # the reason is now "killed"; output keeps draining

    result = await sandbox.run("while True:\n    print('x' * 1000)\n", on_output)
    assert result.reason == "killed"
    assert len(out.stdout.encode()) <= 64 * 1024
