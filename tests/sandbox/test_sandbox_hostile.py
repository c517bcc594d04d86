"""Hostile scripts against the sandbox's own machinery: the supervisor (PID 1), the output
protocol, processes left behind, and the tmpfs mounts. Each run must end cleanly, with the
reason the limits dictate, and the next run must work."""

from __future__ import annotations

import pytest

# Every test here runs under runc and under runsc (gVisor): the same outcome, the same reason,
# but for the few gVisor differences each test names (the README's sandbox section lists them).
from tests import docker_support
from tests.docker_support import Transcript, run_code

pytestmark = pytest.mark.docker
make_pool = docker_support.make_pool_each_runtime  # each test under runc, then under runsc
sandbox_runtime = docker_support.sandbox_runtime


async def assert_next_run_works(pool) -> None:
    result, out = await run_code(pool, "print(sum(range(10)))")
    assert (result.reason, out.stdout) == ("ok", "45\n")


# --- the supervisor, PID 1 ---


@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGSTOP", "SIGTERM", "SIGINT", "SIGUSR1"])
async def test_script_cannot_signal_its_supervisor(make_pool, signal_name):
    # The supervisor is root and the script uid 10001 (runner.py, "Two users"): permission to
    # signal is refused before any runtime's protection of a namespace's init comes in. gVisor
    # has none: SIGKILL from the script used to end the run there.
    pool = await make_pool(wall_seconds=3)
    code = (
        "import os, signal, time\n"
        "try:\n"
        f"    os.kill(1, signal.{signal_name})\n"
        "    print('sent')\n"
        "except PermissionError:\n"
        "    print('refused')\n"
        "time.sleep(0.3)\n"
        "print('still running')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code, out.stdout) == ("ok", 0, "refused\nstill running\n")
    assert "runner.py" not in out.stderr
    await assert_next_run_works(pool)


async def test_script_cannot_signal_its_supervisor_from_a_child_process(make_pool):
    # A shell, a subprocess: the same user as the script, the same refusal.
    pool = await make_pool(wall_seconds=3)
    code = (
        "import subprocess\n"
        "print(subprocess.run(['sh', '-c', 'kill -KILL 1'], capture_output=True).returncode != 0)\n"
        "print('still running')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "True\nstill running\n")


async def test_script_cannot_ptrace_or_read_its_supervisor(make_pool, sandbox_runtime):
    # Attaching used to succeed (same user) and stopped PID 1: the run then hung to the wall limit.
    pool = await make_pool()
    code = (
        "import ctypes, errno\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "PTRACE_ATTACH, PTRACE_SEIZE = 16, 0x4206\n"
        "for request in (PTRACE_ATTACH, PTRACE_SEIZE):\n"
        "    result = libc.ptrace(request, 1, 0, 0)\n"
        "    print('attach', result, errno.errorcode[ctypes.get_errno()])\n"
        "for path in ('/proc/1/mem', '/proc/1/io', '/proc/1/cwd/.', '/proc/1/root/.',\n"
        "             '/proc/1/environ', '/proc/1/maps'):\n"
        "    try:\n"
        "        open(path, 'rb').read(1)\n"
        "        print('read', path)\n"
        "    except (PermissionError, IsADirectoryError) as exc:\n"
        "        print('refused' if isinstance(exc, PermissionError) else 'read', path)\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok"
    # gVisor (2022-12-19) checks no permission at all on /proc/<pid>/environ and maps (of any
    # process, any user): the fixed sandbox environment and the supervisor's memory map, nothing
    # of the host's. The rest is refused under both, as Linux refuses it to another user.
    readable = "read" if sandbox_runtime == "runsc" else "refused"
    assert out.stdout.splitlines() == [
        "attach -1 EPERM",
        "attach -1 EPERM",
        "refused /proc/1/mem",
        "refused /proc/1/io",
        "refused /proc/1/cwd/.",
        "refused /proc/1/root/.",
        f"{readable} /proc/1/environ",
        f"{readable} /proc/1/maps",
    ]
    await assert_next_run_works(pool)


async def test_no_new_namespaces_or_mounts(make_pool, sandbox_runtime):
    pool = await make_pool()
    code = (
        "import ctypes\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "CLONE_NEWUSER, CLONE_NEWNS = 0x10000000, 0x00020000\n"
        "print(libc.unshare(CLONE_NEWUSER), libc.unshare(CLONE_NEWNS),\n"
        "      libc.mount(b'none', b'/tmp', b'tmpfs', 0, None))\n"
    )
    result, out = await run_code(pool, code)
    # gVisor lets unshare(CLONE_NEWNS) through (a mount namespace of its own kernel's); mounting
    # in it is still refused.
    unshared = "0" if sandbox_runtime == "runsc" else "-1"
    assert (result.reason, out.stdout) == ("ok", f"-1 {unshared} -1\n")


# --- processes that try to outlive the script ---


async def test_a_double_forked_daemon_does_not_keep_the_run_alive(make_pool):
    # wall 5 s: had the daemon (own session, stdout still open) kept the run, it would be "timeout".
    pool = await make_pool(wall_seconds=5)
    code = (
        "import os, time\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    if os.fork() == 0:\n"
        "        while True:\n"
        "            time.sleep(0.05)\n"
        "    os._exit(0)\n"
        "print('main done')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, result.exit_code) == ("ok", 0)
    assert out.stdout == "main done\n"
    await assert_next_run_works(pool)


async def test_a_child_holding_stdout_open_does_not_keep_the_run_alive(make_pool):
    pool = await make_pool(wall_seconds=5)
    code = (
        "import signal, subprocess, sys\n"
        "subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)'],\n"
        "                 preexec_fn=lambda: signal.signal(signal.SIGTERM, signal.SIG_IGN))\n"
        "print('parent exits')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "parent exits\n")


async def test_ignoring_sigterm_does_not_survive_the_wall_limit(make_pool):
    pool = await make_pool(wall_seconds=1.5)
    code = (
        "import signal, time\n"
        "for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):\n"
        "    signal.signal(sig, signal.SIG_IGN)\n"
        "time.sleep(600)\n"
    )
    result, _ = await run_code(pool, code)
    assert result.reason == "timeout"
    await assert_next_run_works(pool)


async def test_closing_stdout_and_stderr_ends_cleanly(make_pool):
    pool = await make_pool()
    code = "import os\nprint('bye', flush=True)\nos.close(1)\nos.close(2)\n"
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "bye\n")


# --- the output protocol ---


async def test_forged_protocol_lines_are_plain_output(make_pool):
    # The ready marker is consumed before the script exists and Docker frames every write, so
    # the runner's markers printed by the script (even on another fd) are just text.
    pool = await make_pool()
    code = (
        "import os, sys\n"
        "print('NE1 READY')\n"
        "print('NE1 999')\n"
        "os.write(2, b'\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x05hello')\n"
        "r, w = os.pipe()\n"
        "os.dup2(w, 1)\n"
        "print('into a pipe nobody reads')\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok"
    # Descriptor 2 is a pipe the runner relays as stderr frames (the side channel is a
    # descriptor of the runner's own): a Docker frame header written there is the script's
    # stderr, as it wrote it.
    forged = "\x01\x00\x00\x00\x00\x00\x00\x05hello"
    assert out.stdout == "NE1 READY\nNE1 999\n"
    assert out.stderr == forged
    await assert_next_run_works(pool)


async def test_invalid_utf8_and_control_characters_arrive_as_safe_text(make_pool):
    pool = await make_pool()
    code = (
        "import os\nos.write(1, b'a\\xff\\xfe\\x80b \\x1b[31mred\\x1b[0m \\x00 \\xe2\\x82 end')\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok"
    # Bytes that are not UTF-8 become U+FFFD; control characters pass through unchanged.
    assert out.stdout == "a\ufffd\ufffd\ufffdb \x1b[31mred\x1b[0m \x00 \ufffd end"
    out.stdout.encode("utf-8")  # always encodable: never a lone surrogate


async def test_reading_stdin_after_eof_in_a_tight_loop_hits_the_cpu_limit(make_pool):
    pool = await make_pool(cpu_seconds=1, wall_seconds=20)
    sandbox = await pool.acquire()
    await sandbox.close_stdin()
    result = await sandbox.run("import sys\nwhile True:\n    sys.stdin.read()\n", Transcript())
    assert result.reason == "cpu_limit"
    assert result.exit_code == 152  # the CPU limit, not the 20 s wall limit


# --- tmpfs mounts: small, not executable, and paid for with the memory limit ---


async def test_dev_shm_is_as_small_as_scratch_and_not_executable(make_pool):
    pool = await make_pool(scratch_mb=16)
    code = (
        "import os\n"
        "for path in ('/tmp', '/dev/shm'):\n"
        "    st = os.statvfs(path)\n"
        "    mounts = [line.split() for line in open('/proc/self/mountinfo')]\n"
        "    options = [m[5] for m in mounts if m[4] == path]\n"
        "    print(path, st.f_blocks * st.f_frsize >> 20, 'noexec' in options[0].split(','))\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "/tmp 16 True\n/dev/shm 16 True\n")


async def test_filling_dev_shm_stops_at_its_size(make_pool):
    pool = await make_pool(scratch_mb=16)
    code = (
        "written = 0\n"
        "try:\n"
        "    for i in range(16):\n"
        "        with open(f'/dev/shm/f{i}', 'wb') as f:\n"
        "            f.write(b'x' * (4 << 20))\n"
        "        written += 4\n"
        "except OSError as exc:\n"
        "    print('stopped after', written, 'MiB, errno', exc.errno)\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "stopped after 16 MiB, errno 28\n")  # ENOSPC


async def test_files_in_tmpfs_count_against_the_memory_limit(make_pool):
    # 28 MiB of objects fit in 48 MiB; after 24 MiB of files in /tmp and /dev/shm they do not.
    pool = await make_pool(memory_mb=48)
    allocate = "blocks = [bytearray(1 << 20) for _ in range(28)]\nprint('allocated')\n"
    result, out = await run_code(pool, allocate)
    assert (result.reason, out.stdout) == ("ok", "allocated\n")
    fill = (
        "for prefix in ('/tmp/f', '/dev/shm/f'):\n"
        "    for i in range(3):\n"
        "        with open(f'{prefix}{i}', 'wb') as f:\n"
        "            f.write(b'x' * (4 << 20))\n"
    )
    result, out = await run_code(pool, fill + allocate)
    assert result.reason == "memory"
    assert out.stdout == ""
    await assert_next_run_works(pool)


@pytest.mark.parametrize("scratch", ["/tmp", "/dev/shm"])
async def test_copied_binaries_and_libraries_cannot_run_from_tmpfs(
    make_pool, sandbox_runtime, scratch
):
    # Defence in depth only: a script may run any Python (ctypes included) by design.
    pool = await make_pool()
    code = (
        "import ctypes, glob, os, shutil, subprocess\n"
        f"shutil.copy('/bin/true', '{scratch}/t')\n"
        f"os.chmod('{scratch}/t', 0o755)\n"
        "try:\n"
        f"    subprocess.run(['{scratch}/t'])\n"
        "    print('binary ran')\n"
        "except PermissionError:\n"
        "    print('binary refused')\n"
        "library = sorted(glob.glob('/usr/lib/*/libz.so*') + glob.glob('/lib/*/libz.so*'))[0]\n"
        f"shutil.copy(library, '{scratch}/l.so')\n"
        "try:\n"
        f"    ctypes.CDLL('{scratch}/l.so')\n"
        "    print('library loaded')\n"
        "except OSError:\n"
        "    print('library refused')\n"
    )
    result, out = await run_code(pool, code)
    # gVisor refuses exec from noexec but maps a library from it executable: that code still
    # meets only gVisor's kernel.
    library = "loaded" if sandbox_runtime == "runsc" else "refused"
    assert (result.reason, out.stdout) == ("ok", f"binary refused\nlibrary {library}\n")


async def test_anonymous_mmap_is_held_to_the_memory_limit(make_pool):
    pool = await make_pool(memory_mb=64)
    code = (
        "import mmap\n"
        "m = mmap.mmap(-1, 256 << 20)\n"
        "for offset in range(0, 256 << 20, 4096):\n"
        "    m[offset] = 1\n"
        "print('touched 256 MiB')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("memory", "")
    await assert_next_run_works(pool)


# --- the network ---


async def test_raw_and_packet_sockets_are_refused(make_pool):
    pool = await make_pool()
    code = (
        "import socket\n"
        "for family, proto in ((socket.AF_INET, socket.IPPROTO_ICMP), (socket.AF_PACKET, 0)):\n"
        "    try:\n"
        "        socket.socket(family, socket.SOCK_RAW, proto)\n"
        "        print('opened')\n"
        "    except PermissionError:\n"
        "        print('refused')\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "refused\nrefused\n")
