"""The side channel under scripts that push it: each fault provoked for real, through
a real daphne, pool worker, Redis (channels-redis' msgpack) and Docker sandbox.

- any JSON value a script shows travels (integers past 64 bits as text) and the run ends normally;
- an honest show() loop is never taken for an attack: it succeeds, or ends by `output_limit`
  with what it showed until then;
- tables count what they cost to send toward the output limit;
- trace events reach the client at most once per 33 ms, the last state included;
- bytes on the side channel are never shown to the user as text.

The module's own servers (harness/engine.py) keep the default 1 MiB output limit and give a
run 60 s of wall time: a run here must end by its output, never by a slow machine's clock.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings

from execution.worker.output_queue import TRACE_INTERVAL_SECONDS
from harness.engine import RunOutcome, Servers, WsClient, redis_url, run_async

pytestmark = [pytest.mark.docker, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def servers(django_db_setup: Any, django_db_blocker: Any):
    """daphne + one runpool worker, as engine_servers, with room on the wall clock."""
    roomy = Servers.create(
        settings.DATABASES["default"], redis_url(), RUN_WALL_SECONDS="60", POOL_SIZE="2"
    )
    try:
        roomy.start_daphne()
        roomy.start_worker(size=2)
        yield roomy
    finally:
        roomy.stop()


FRAME_MAGIC = b"\x1eNE3"


def run_code(servers: Servers, token: str, code: str, **run: Any) -> RunOutcome:
    async def scenario() -> RunOutcome:
        client = await WsClient.connect(servers, token)
        try:
            return await client.run(timeout=60, code=code, **run)
        finally:
            await client.close()

    return run_async(scenario())


def displays(outcome: RunOutcome) -> list[dict[str, Any]]:
    return [e for e in outcome.events if e["type"] == "display"]


def assert_no_frame_bytes(outcome: RunOutcome) -> None:
    for text in (outcome.stdout, outcome.stderr):
        assert "\x1eNE3" not in text and '"t":"display"' not in text


def test_integers_past_64_bits_travel_as_text_and_the_run_ends_normally(servers, engine_token):
    code = (
        "show([{'big': 10**30, 'neg': -2**70, 'edge': 2**53, 'past': 2**53 + 1}])\nprint('after')\n"
    )
    outcome = run_code(servers, engine_token, code)
    assert outcome.reason == "ok", outcome.exit
    assert outcome.stdout == "after\n"
    (shown,) = displays(outcome)
    assert shown["data"]["columns"] == ["big", "neg", "edge", "past"]
    assert shown["data"]["rows"] == [
        [str(10**30), str(-(2**70)), 2**53, str(2**53 + 1)]  # a browser holds 2^53 exactly
    ]


# A frame the runner would never write, written whole through its own channel: numbers past 64
# bits and past a double (1e999), lone surrogates, in a table and as its column names.
FORGED_TABLE = rb"""
import json
payload = (
    b'{"t":"display","out":0,"line":null,"mime":"table","data":{"columns":["n","\\ud800"],'
    b'"rows":[[123456789012345678901234567890,1e999],[-1e999,"\\udfff!"]],"total":2}}'
)
show.__self__.channel.write_raw(b"\x1eNE3" + len(payload).to_bytes(4, "big") + payload)
print("sent")
"""


def test_a_forged_frame_with_values_no_encoder_takes_still_travels(servers, engine_token):
    outcome = run_code(servers, engine_token, FORGED_TABLE.decode())
    assert outcome.reason == "ok", outcome.exit
    assert outcome.stdout == "sent\n"
    (shown,) = displays(outcome)
    assert shown["data"] == {
        "columns": ["n", "\ufffd"],
        "rows": [["123456789012345678901234567890", "inf"], ["-inf", "\ufffd!"]],
        "total": 2,
    }


def test_three_hundred_shows_in_a_loop_all_arrive_in_order(servers, engine_token):
    code = "for i in range(300):\n    show([{'i': i}])\nprint('done')\n"
    for _ in range(3):  # it failed 2 runs of 3
        outcome = run_code(servers, engine_token, code)
        assert outcome.reason == "ok", outcome.exit
        assert outcome.stdout == "done\n"
        assert [d["data"]["rows"] for d in displays(outcome)] == [[[i]] for i in range(300)]
        assert_no_frame_bytes(outcome)


# The frames of 300 shows, as the runner writes them, in one write: they reach the pool in one
# read, as a busy pool reads them anyway.
THREE_HUNDRED_FRAMES_AT_ONCE = rb"""
import json
frames = []
for i in range(300):
    payload = json.dumps({"t": "display", "out": 0, "line": 3, "mime": "table",
                          "data": {"columns": ["i"], "rows": [[i]], "total": 1}}).encode()
    frames.append(b"\x1eNE3" + len(payload).to_bytes(4, "big") + payload)
show.__self__.channel.write_raw(b"".join(frames))
print("done")
"""


def test_three_hundred_shows_read_at_once_all_arrive_in_order(servers, engine_token):
    outcome = run_code(servers, engine_token, THREE_HUNDRED_FRAMES_AT_ONCE.decode())
    assert outcome.reason == "ok", outcome.exit
    assert [d["data"]["rows"] for d in displays(outcome)] == [[[i]] for i in range(300)]
    assert_no_frame_bytes(outcome)


def test_ten_thousand_shows_end_by_the_output_limit_with_what_was_shown(servers, engine_token):
    code = "for i in range(10_000):\n    show([{'i': i}])\nprint('not reached')\n"
    outcome = run_code(servers, engine_token, code)
    assert outcome.reason == "output_limit", outcome.exit
    shown = [d["data"]["rows"][0][0] for d in displays(outcome)]
    assert shown == list(range(len(shown)))  # every one until the limit, in order
    # Each counts what it costs to send, its event included: the limit holds thousands.
    assert 1000 < len(shown) < 10_000
    # (Not "the last print never shows": the script may finish before the pool has counted its
    # displays, and stdout and the side channel reach the pool through separate pipes.)
    assert_no_frame_bytes(outcome)


def test_a_show_never_comes_before_the_output_printed_before_it(servers, engine_token):
    # Fewer shows than the pool ever holds back (side_channel.MAX_HELD_FRAMES): each one waits
    # for its output. (What the script prints after a show may overtake it: Docker copies the
    # two pipes apart.)
    code = "for i in range(200):\n    print(i)\n    show([{'i': i}])\n"
    outcome = run_code(servers, engine_token, code)
    assert outcome.reason == "ok", outcome.exit
    printed_before: list[int] = []
    seen = 0
    for event in outcome.events:
        if event["type"] == "stdout":
            seen += len(event["data"].split())
        elif event["type"] == "display":
            printed_before.append(seen)
    assert len(printed_before) == 200
    assert all(seen >= i + 1 for i, seen in enumerate(printed_before))


def test_tables_of_empty_strings_count_toward_the_output_limit(servers, engine_token):
    code = (
        "table = [[''] * 50 for _ in range(1000)]\n"
        "for i in range(40):\n"
        "    show(table)\n"
        "    print('shown', i)\n"
    )
    outcome = run_code(servers, engine_token, code)
    assert outcome.reason == "output_limit", outcome.exit
    shown = displays(outcome)
    # About 200 KB each as sent ('"", ' a cell): the 1 MiB limit holds a few, not 40.
    assert 1 <= len(shown) < 10
    assert all(len(d["data"]["rows"]) == 1000 for d in shown)
    sent = sum(len(str(d["data"])) for d in shown) + len(outcome.stdout)
    assert sent <= settings.RUN_OUTPUT_BYTES * 2


# Writes bytes that are not a frame on the side channel, then goes on showing tables until the
# pool's kill lands: neither the junk nor the frames after it are anybody's output.
JUNK_ON_THE_CHANNEL = """
import time
print("before")
show.__self__.channel.write_raw(b"JUNKJUNK" * 2000)
for i in range(10_000):
    show([{"i": i}])
time.sleep(2)
print("after")
"""


def test_bytes_on_the_side_channel_never_reach_the_user_as_text(servers, engine_token):
    outcome = run_code(servers, engine_token, JUNK_ON_THE_CHANNEL)
    assert outcome.reason == "side_channel", outcome.exit
    assert "JUNK" not in outcome.stdout and "JUNK" not in outcome.stderr
    assert_no_frame_bytes(outcome)
    assert "after" not in outcome.stdout
    assert "side channel" in outcome.exit["message"]


def node(node_id: str, kind: str, params: dict[str, Any] | None = None, **inputs: Any) -> dict:
    data: dict[str, Any] = {"params": params or {}}
    if inputs:
        data["inputs"] = inputs
    return {"id": node_id, "type": kind, "position": {"x": 0, "y": 0}, "data": data}


def wire(source: str, out: str, target: str, port: str, edge_id: str) -> dict:
    return {
        "id": edge_id,
        "source": source,
        "sourceHandle": out,
        "target": target,
        "targetHandle": port,
    }


# A debug run whose code node offers a trace frame every 3 ms for about a second (through the
# runner's own channel, as an attacker or a runner bug would), then returns a value that a
# print node shows: the last trace (at exit) carries it.
TRACE_FLOOD = """
import time
channel = show.__self__.channel
for n in range(300):
    channel.send({"t": "trace", "out": 0, "counts": {"0": n}, "values": {}, "current": 0})
    time.sleep(0.003)
result = 'final value'
"""

TRACE_FLOOD_GRAPH = {
    "nodes": [
        node("start", "on_start"),
        node("code", "python_code", {"code": TRACE_FLOOD, "inputs": "", "outputs": "result"}),
        node("print", "print"),
    ],
    "edges": [
        wire("start", "next", "code", "exec", "start-code"),
        wire("code", "next", "print", "exec", "code-print"),
        wire("code", "out:result", "print", "value", "result-wire"),
    ],
}


def test_a_flood_of_trace_frames_reaches_the_client_coalesced_with_its_last_state(
    servers, engine_token
):
    async def scenario() -> RunOutcome:
        client = await WsClient.connect(servers, engine_token)
        try:
            return await client.run(timeout=60, graph=TRACE_FLOOD_GRAPH, debug={"breakpoints": []})
        finally:
            await client.close()

    outcome = run_async(scenario())
    assert outcome.reason == "ok", outcome.exit
    assert outcome.stdout == "final value\n"
    traces = [e for e in outcome.events if e["type"] == "trace"]
    # The last state arrives: the final trace (nothing runs any more) carries the wire's value,
    # before the exit.
    assert traces[-1]["current"] is None
    values: dict[str, str] = {}
    for event in traces:
        values.update(event["values"])
    assert values["result-wire"] == "'final value'"
    assert outcome.events.index(traces[-1]) < outcome.events.index(outcome.exit)
    # The worker sends a trace at most once per interval while output comes (the run's duration,
    # on the worker's own clock), plus the one left waiting when the output ended and the last.
    assert len(traces) <= (outcome.exit["duration_ms"] + 1) / 1000 / TRACE_INTERVAL_SECONDS + 3
