"""GET /api/sandbox/: what a script can use in the sandbox (docs/rich_output.md).

Answered from the pool workers' heartbeats (each describes its image once when it starts,
execution/sandbox/describe.py): the web process holds no Docker client.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from execution import fleet


class PackageSerializer(serializers.Serializer[dict[str, str]]):
    name = serializers.CharField()
    version = serializers.CharField()


class LimitsSerializer(serializers.Serializer[dict[str, float]]):
    wall_seconds = serializers.FloatField()
    cpu_seconds = serializers.IntegerField()
    memory_mb = serializers.IntegerField()
    output_bytes = serializers.IntegerField()
    pause_seconds = serializers.FloatField()


class SandboxSerializer(serializers.Serializer[dict[str, Any]]):
    python = serializers.CharField(
        allow_null=True,
        help_text="The sandbox's Python version, e.g. 3.11.2; null until a pool worker has "
        "described its image (then `packages` is empty too).",
    )
    packages = PackageSerializer(many=True, help_text="Every package a script can import.")
    limits = LimitsSerializer(help_text="What each run is held to.")


def run_limits() -> dict[str, float | int]:
    return {
        "wall_seconds": settings.RUN_WALL_SECONDS,
        "cpu_seconds": settings.RUN_CPU_SECONDS,
        "memory_mb": settings.RUN_MEMORY_MB,
        "output_bytes": settings.RUN_OUTPUT_BYTES,
        "pause_seconds": settings.RUN_PAUSE_SECONDS,
    }


class SandboxView(APIView):
    @extend_schema(
        summary="The sandbox's Python, packages and limits",
        responses={200: SandboxSerializer},
    )
    def get(self, request: Request) -> Response:
        try:
            workers = fleet.list_workers()
        except Exception:  # the heartbeat store (Redis) is down
            workers = []
        described = [w.sandbox for w in workers if w.is_alive() and w.sandbox.get("python")]
        # Not described yet (no live worker, or one still asking its image): the limits are known.
        sandbox = described[0] if described else {"python": None, "packages": []}
        return Response(
            {
                "python": sandbox["python"],
                "packages": sandbox.get("packages", []),
                "limits": run_limits(),
            }
        )
