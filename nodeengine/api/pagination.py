"""Pages of a list: `?limit=&offset=`, held to what the schema says.

DRF's LimitOffsetPagination quietly falls back to the first page on `?offset=x` or `?limit=-1`,
while the schema promises integers: a client that sends a wrong page asks for something other
than what it gets. A malformed value is a 400 that names the parameter instead. A limit past
`max_limit` is still capped (the schema says so), and an offset past the end is an empty page.
"""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import ValidationError
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request


class Pages(LimitOffsetPagination):
    max_limit = 500  # list rows are small, but a page is still one query's worth

    def get_limit(self, request: Request) -> int | None:
        raw = request.query_params.get(self.limit_query_param)
        if raw is None:
            return self.default_limit
        return min(_count(self.limit_query_param, raw, minimum=1), self.max_limit)

    def get_offset(self, request: Request) -> int:
        raw = request.query_params.get(self.offset_query_param)
        return 0 if raw is None else _count(self.offset_query_param, raw, minimum=0)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.limit_query_param:
                parameter["schema"].update(minimum=1)
                parameter["description"] += f" At most {self.max_limit}; more is capped."
            elif parameter["name"] == self.offset_query_param:
                parameter["schema"].update(minimum=0)
        return parameters


def _count(name: str, raw: str, minimum: int) -> int:
    if not (raw.isascii() and raw.isdigit()) or int(raw) < minimum:
        raise ValidationError({name: [f"Must be a whole number of at least {minimum}."]})
    return int(raw)
