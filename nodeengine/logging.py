"""Structured logs: one JSON object per line, so a log shipper can index runs by id and user.

`log_event(logger, "run.start", run_id=..., user_id=...)` records an event with fields;
`JsonFormatter` renders every record (events and ordinary log calls alike) as one line.
Wired in settings.LOGGING; LOG_FORMAT=plain switches back to human-readable lines.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from typing import Any

# Attribute of a LogRecord that carries an event's fields (kept apart from LogRecord's own).
EVENT_FIELDS_ATTR = "event_fields"
# A webhook's token is its whole credential and sits in its URL's path (webhooks/): Django logs
# the path of every 4xx answer ("Too Many Requests: /api/hooks/<token>/"), so it is masked.
_HOOK_TOKEN = re.compile(r"(/api/hooks/)[^/\s?#\"']+")


def log_event(
    logger: logging.Logger, event: str, level: int = logging.INFO, /, **fields: Any
) -> None:
    """Log `event` (a dotted name such as "run.end") with its fields as top-level JSON keys.

    Positional-only parameters: any keyword, even `level` or `event`, is a field.
    """
    logger.log(level, event, extra={EVENT_FIELDS_ATTR: fields})


class JsonFormatter(logging.Formatter):
    """Formats a record as a single-line JSON object: ts, level, logger, event, then the fields."""

    def format(self, record: logging.LogRecord) -> str:
        payload: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "event": record.getMessage(),
        }
        fields = getattr(record, EVENT_FIELDS_ATTR, None)
        if isinstance(fields, dict):
            for key, value in fields.items():
                # An event field never overwrites the envelope: it is kept under a prefixed key.
                payload[f"field_{key}" if key in payload else key] = value
        if record.exc_info:
            payload["exc"] = self.formatException(record.exc_info)
        if record.stack_info:
            payload["stack"] = self.formatStack(record.stack_info)
        # default=str: a field that is not JSON (a UUID, a datetime) still logs instead of raising;
        # ASCII escapes keep U+2028 and friends from splitting the line in line-based tools.
        return json.dumps(payload, default=str, separators=(",", ":"))


def redact(text: str) -> str:
    return _HOOK_TOKEN.sub(r"\1<token>", text)


class RedactSecrets(logging.Filter):
    """Masks webhook tokens in a record's message and arguments (settings.LOGGING's handler)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            args = record.args.items()
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in args}
        return True
