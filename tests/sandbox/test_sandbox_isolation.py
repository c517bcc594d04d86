"""What a script cannot reach: the network, the file system outside scratch, the host's
environment, root, or anything left behind by an earlier run."""

from __future__ import annotations

import os

import pytest

# Every test here runs under runc and under runsc (gVisor): the same outcome, the same reason.
from tests import docker_support
from tests.docker_support import run_code

pytestmark = pytest.mark.docker
make_pool = docker_support.make_pool_each_runtime  # each test under runc, then under runsc
sandbox_runtime = docker_support.sandbox_runtime


async def test_no_network_interface_but_loopback(make_pool):
    pool = await make_pool()
    result, out = await run_code(pool, "import os\nprint(sorted(os.listdir('/sys/class/net')))")
    assert result.reason == "ok"
    assert out.stdout == "['lo']\n"


async def test_outbound_connections_fail(make_pool):
    # 192.0.2.1 is TEST-NET-1 (documentation only): nothing would answer even with a network.
    pool = await make_pool()
    code = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('192.0.2.1', 80), timeout=2)\n"
        "    print('connected')\n"
        "except OSError as exc:\n"
        "    print('refused', type(exc).__name__)\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok"
    assert out.stdout.startswith("refused")


async def test_dns_lookups_fail(make_pool):
    pool = await make_pool()
    code = (
        "import socket\n"
        "try:\n"
        "    socket.getaddrinfo('deb.debian.org', 80)\n"
        "    print('resolved')\n"
        "except OSError as exc:\n"
        "    print('failed', type(exc).__name__)\n"
    )
    _result, out = await run_code(pool, code)
    assert out.stdout.startswith("failed")


@pytest.mark.parametrize("path", ["/etc/evil", "/home/evil", "/evil", "/opt/nodeengine/runner.py"])
async def test_writing_outside_scratch_fails(make_pool, path):
    pool = await make_pool()
    code = (
        "try:\n"
        f"    open({path!r}, 'w').write('x')\n"
        "    print('written')\n"
        "except OSError as exc:\n"
        "    print('refused', exc.errno)\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok"
    assert out.stdout.startswith("refused")


async def test_scratch_is_writable_and_the_working_directory(make_pool):
    pool = await make_pool()
    code = (
        "import os\n"
        "open('notes.txt', 'w').write('hi')\n"
        "print(os.getcwd(), open('/tmp/notes.txt').read())\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "/tmp hi\n")


async def test_files_left_in_tmp_are_gone_in_the_next_run(make_pool):
    pool = await make_pool()
    result, _ = await run_code(pool, "open('/tmp/left-behind', 'w').write('secret')")
    assert result.reason == "ok"
    result, out = await run_code(pool, "import os\nprint(os.path.exists('/tmp/left-behind'))")
    assert out.stdout == "False\n"


async def test_scratch_is_not_executable(make_pool):
    pool = await make_pool()
    code = (
        "import os, subprocess\n"
        "open('/tmp/x.sh', 'w').write('#!/bin/sh\\necho ran\\n')\n"
        "os.chmod('/tmp/x.sh', 0o755)\n"
        "try:\n"
        "    subprocess.run(['/tmp/x.sh'])\n"
        "except PermissionError:\n"
        "    print('noexec')\n"
    )
    _result, out = await run_code(pool, code)
    assert out.stdout == "noexec\n"


async def test_host_environment_is_invisible(make_pool, monkeypatch):
    monkeypatch.setenv("NODEENGINE_HOST_SECRET", "hunter2")
    pool = await make_pool()
    result, out = await run_code(pool, "import os\nprint(sorted(os.environ))")
    assert result.reason == "ok"
    names = eval(out.stdout)  # a list of strings printed by repr
    assert "NODEENGINE_HOST_SECRET" not in names
    assert "hunter2" not in out.stdout
    assert set(names) <= {
        "PATH",
        "LANG",
        "PYTHONIOENCODING",
        "PYTHONDONTWRITEBYTECODE",
        "HOME",
        "HOSTNAME",
        # Set by the runner for the data stack (sandbox_image/preload.py), not by the host.
        "MPLBACKEND",
        "MPLCONFIGDIR",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
    }
    assert os.environ["NODEENGINE_HOST_SECRET"] == "hunter2"


async def test_runs_as_an_unprivileged_user_without_capabilities(make_pool):
    # The container starts as root with four capabilities (execution/sandbox/container.py); the
    # script's process drops all of them, and root, before it reads the script (runner.py).
    pool = await make_pool()
    code = (
        "import ctypes, os\n"
        "print(os.getresuid(), os.getresgid(), os.getgroups())\n"
        "names = ('CapInh', 'CapPrm', 'CapEff', 'CapBnd')\n"
        "caps = [l for l in open('/proc/self/status') if l.startswith(names)]\n"
        "print(''.join(caps), end='')\n"
        # PR_GET_NO_NEW_PRIVS: gVisor's /proc/self/status has no NoNewPrivs line.
        "print('NoNewPrivs:', ctypes.CDLL(None).prctl(39, 0, 0, 0, 0))\n"
        # PR_CAPBSET_READ of CAP_SETUID, CAP_KILL: gone from the bounding set.
        "print('bounding:', ctypes.CDLL(None).prctl(23, 7, 0, 0, 0),\n"
        "      ctypes.CDLL(None).prctl(23, 5, 0, 0, 0))\n"
        # Its own /proc is its own (the drop left it dumpable), as in any process.
        "print('own environ:', b'HOME=/tmp' in open('/proc/self/environ', 'rb').read())\n"
    )
    result, out = await run_code(pool, code)
    assert result.reason == "ok", out.stderr
    assert out.stdout.splitlines() == [
        "(10001, 10001, 10001) (10001, 10001, 10001) []",
        "CapInh:\t0000000000000000",
        "CapPrm:\t0000000000000000",
        "CapEff:\t0000000000000000",
        "CapBnd:\t0000000000000000",
        "NoNewPrivs: 1",
        "bounding: 0 0",
        "own environ: True",
    ]


async def test_the_script_cannot_become_root_again(make_pool):
    pool = await make_pool()
    code = (
        "import ctypes, os\n"
        "attempts = {\n"
        "    'setuid': lambda: os.setuid(0),\n"
        "    'seteuid': lambda: os.seteuid(0),\n"
        "    'setresuid': lambda: os.setresuid(0, 0, 0),\n"
        "    'setgid': lambda: os.setgid(0),\n"
        "    'setgroups': lambda: os.setgroups([0]),\n"
        "}\n"
        "for name, attempt in attempts.items():\n"
        "    try:\n"
        "        attempt()\n"
        "        print(name, 'allowed')\n"
        "    except PermissionError:\n"
        "        print(name, 'refused')\n"
        # capset with every capability: refused (nothing permitted to raise).
        "class Header(ctypes.Structure):\n"
        "    _fields_ = [('version', ctypes.c_uint32), ('pid', ctypes.c_int)]\n"
        "class Data(ctypes.Structure):\n"
        "    _fields_ = [('e', ctypes.c_uint32), ('p', ctypes.c_uint32), ('i', ctypes.c_uint32)]\n"
        "libc = ctypes.CDLL(None, use_errno=True)\n"
        "every = (Data * 2)(Data(~0 & 0xFFFFFFFF, ~0 & 0xFFFFFFFF, 0), Data(0xFF, 0xFF, 0))\n"
        "print('capset', libc.capset(ctypes.byref(Header(0x20080522, 0)), every))\n"
        "print(os.getresuid())\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout.splitlines()) == (
        "ok",
        [
            "setuid refused",
            "seteuid refused",
            "setresuid refused",
            "setgid refused",
            "setgroups refused",
            "capset -1",
            "(10001, 10001, 10001)",
        ],
    )


async def test_no_setuid_programs_in_the_image(make_pool):
    # Walking every file of /usr under gVisor costs about a CPU second quiet, more on a busy
    # machine: the test is about the image, not the limits, so they are out of its way.
    pool = await make_pool(cpu_seconds=60, wall_seconds=120)
    code = (
        "import os, stat\n"
        "found = []\n"
        "for top in ('/usr', '/bin', '/sbin', '/opt', '/etc'):\n"
        "    for root, dirs, files in os.walk(top):\n"
        "        for name in files:\n"
        "            try:\n"
        "                mode = os.lstat(os.path.join(root, name)).st_mode\n"
        "            except OSError:\n"
        "                continue\n"
        "            if mode & (stat.S_ISUID | stat.S_ISGID):\n"
        "                found.append(os.path.join(root, name))\n"
        "print(found)\n"
    )
    result, out = await run_code(pool, code)
    assert (result.reason, out.stdout) == ("ok", "[]\n")


async def test_the_docker_socket_is_not_reachable(make_pool):
    pool = await make_pool()
    code = (
        "import os\n"
        "print(*(os.path.exists(p) for p in ('/var/run/docker.sock', '/run/docker.sock')))"
    )
    _result, out = await run_code(pool, code)
    assert out.stdout == "False False\n"
