"""Structured logs: one JSON object per line, with an event's fields as top-level keys."""

from __future__ import annotations

import io
import json
import logging
import uuid

from django.conf import settings

from nodeengine.logging import JsonFormatter, log_event


def _capture() -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"test.ops.{uuid.uuid4().hex}")
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    return logger, stream


def test_an_event_is_one_json_line_with_its_fields():
    logger, stream = _capture()
    run_id = uuid.uuid4()
    log_event(logger, "run.end", run_id=run_id, user_id=7, reason="ok", exit_code=0)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["event"] == "run.end"
    assert record["run_id"] == str(run_id)  # not JSON by itself: logged as text, never raises
    assert record["user_id"] == 7 and record["reason"] == "ok" and record["exit_code"] == 0
    assert record["level"] == "INFO" and record["logger"] == logger.name
    assert record["ts"].endswith("+00:00")


def test_hostile_text_stays_on_one_line_and_cannot_overwrite_the_envelope():
    logger, stream = _capture()
    log_event(
        logger,
        "run.failed",
        logging.ERROR,
        error="line1\nline2\u2028line3",
        level="forged",
        event="forged",
    )
    lines = stream.getvalue().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["error"] == "line1\nline2\u2028line3"
    assert record["level"] == "ERROR" and record["event"] == "run.failed"
    assert record["field_event"] == "forged"


def test_exceptions_and_plain_log_calls_are_json_too():
    logger, stream = _capture()
    try:
        raise ValueError("boom")
    except ValueError:
        logger.exception("the sandbox failed for %s", "run-1")
    record = json.loads(stream.getvalue())
    assert record["event"] == "the sandbox failed for run-1"
    assert "ValueError: boom" in record["exc"]


def test_settings_wire_the_json_formatter_to_the_console():
    assert settings.LOGGING["formatters"]["json"]["()"] == "nodeengine.logging.JsonFormatter"
    # The suite runs with DEBUG off, so production's default applies: JSON lines.
    assert settings.LOGGING["handlers"]["console"]["formatter"] == "json"
