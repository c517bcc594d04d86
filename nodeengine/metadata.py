"""The API's answer to OPTIONS: DRF's, for views that take no request body too.

DRF describes the POST/PUT form of any generic view by instantiating its serializer, and a generic
view without one (logout, token revocation) made that an AssertionError, so OPTIONS answered 500.
"""

from __future__ import annotations

from typing import Any

from rest_framework.metadata import SimpleMetadata
from rest_framework.request import Request


def _has_serializer(view: Any) -> bool:
    # Imported here: DRF imports this module while it builds `generics` itself (the setting).
    from rest_framework import generics

    if getattr(view, "serializer_class", None) is not None:
        return True
    return type(view).get_serializer_class is not generics.GenericAPIView.get_serializer_class


class NodeEngineMetadata(SimpleMetadata):
    def determine_actions(self, request: Request, view: Any) -> dict[str, Any]:
        if not _has_serializer(view):
            return {}  # nothing to describe: the view takes no body
        return super().determine_actions(request, view)
