"""Structured logs: one JSON object per line, so a log shipper can index runs by id and user.

`log_event(logger, "run.start", run_id=..., user_id=...)` records an event with fields;
`JsonFormatter` renders every record (events and ordinary log calls alike) as one line.
Wired in settings.LOGGING; LOG_FORMAT=plain switches back to human-readable lines.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

# Attribute of a LogRecord that carries an event's fields (kept apart from LogRecord's own).
EVENT_FIELDS_ATTR = "event_fields"


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
