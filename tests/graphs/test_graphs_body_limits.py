"""Hostile request bodies (size, nesting, non-finite numbers, unstorable text, bad encodings)
get a clear 4xx JSON error from the API, never a 500. The parser is nodeengine/parsers.py."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from graphs.models import Graph
from tests.fast_passwords import fast_password_hashing  # noqa: F401
from tests.graph_samples import graph_url, make_graph, sample

URL = "/api/graphs/"


def post_raw(client, body: bytes | str, content_type: str = "application/json"):
    return client.generic("POST", URL, body, content_type=content_type)


@pytest.mark.django_db
class TestBodyLimits:
    def test_body_over_the_limit_is_413(self, owner_client, settings):
        settings.MAX_BODY_BYTES = 4096
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
        body = sample(description="x" * 5000)
        response = owner_client.post(URL, body, format="json")
        assert response.status_code == 413
        assert response.data["detail"] == "Request body is too large: at most 4096 bytes."
        assert Graph.objects.count() == 0

    def test_parser_limit_holds_even_when_django_would_allow_more(self, owner_client, settings):
        settings.MAX_BODY_BYTES = 4096
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None
        response = owner_client.post(URL, sample(description="x" * 5000), format="json")
        assert response.status_code == 413

    def test_update_is_limited_too(self, owner_client, owner, settings):
        settings.MAX_BODY_BYTES = 4096
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 4096
        graph = make_graph(owner)
        body = {"description": "x" * 5000, "version": 1}
        response = owner_client.patch(graph_url(graph), body, format="json")
        assert response.status_code == 413

    def test_100k_nested_arrays_are_400(self, owner_client):
        response = post_raw(owner_client, "[" * 100_000 + "]" * 100_000)
        assert response.status_code == 400
        assert "nested too deeply" in response.data["detail"]

    def test_nesting_just_over_the_limit_is_400_naming_the_place(self, owner_client, settings):
        settings.GRAPH_MAX_DEPTH = 8
        deep: object = 1
        for _ in range(8):
            deep = {"k": deep}
        body = sample()
        body["nodes"][0]["data"]["params"] = deep
        response = owner_client.post(URL, body, format="json")
        assert response.status_code == 400
        assert response.data["detail"].startswith(
            "JSON is nested too deeply at nodes[0].data.params.k"
        )
        assert "at most 8 levels" in response.data["detail"]

    def test_nesting_within_the_limit_is_accepted(self, owner_client, settings):
        settings.GRAPH_MAX_DEPTH = 8
        body = sample()
        body["nodes"][0]["data"]["params"] = {"a": {"b": 1}}  # 6 levels in all
        assert owner_client.post(URL, body, format="json").status_code == 201

    @pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
    def test_nan_and_infinity_are_rejected(self, owner_client, constant):
        text = json.dumps(sample()).replace('"x": 0', f'"x": {constant}', 1)
        response = post_raw(owner_client, text)
        assert response.status_code == 400
        assert constant in response.data["detail"]
        assert Graph.objects.count() == 0

    def test_overflowing_number_is_rejected(self, owner_client):
        text = json.dumps(sample()).replace('"x": 0', '"x": 1e400', 1)
        response = post_raw(owner_client, text)
        assert response.status_code == 400
        assert "nodes[0].position.x" in response.data["detail"]

    @pytest.mark.parametrize("escape", ["\\u0000", "\\ud800"])
    def test_text_postgres_cannot_store_is_rejected(self, owner_client, escape):
        text = json.dumps(sample()).replace('"hello"', f'"hel{escape}lo"', 1)
        response = post_raw(owner_client, text)
        assert response.status_code == 400
        assert "nodes[1].data.params.text" in response.data["detail"]

    def test_escaped_surrogate_pair_is_fine(self, owner_client):
        text = json.dumps(sample()).replace('"hello"', '"smile \\ud83d\\ude00"', 1)
        response = post_raw(owner_client, text)
        assert response.status_code == 201
        assert response.data["nodes"][1]["data"]["params"]["text"] == "smile \U0001f600"

    def test_escaped_backslash_u0000_is_plain_text(self, owner_client):
        text = json.dumps(sample()).replace('"hello"', '"C:\\\\u0000"', 1)
        response = post_raw(owner_client, text)
        assert response.status_code == 201
        assert response.data["nodes"][1]["data"]["params"]["text"] == "C:\\u0000"

    def test_nul_in_an_object_key_is_rejected(self, owner_client):
        text = json.dumps(sample()).replace('"params": {}', '"params": {"a\\u0000": 1}', 1)
        response = post_raw(owner_client, text)
        assert response.status_code == 400

    def test_invalid_utf8_is_400(self, owner_client):
        response = post_raw(owner_client, b'{"name": "\xff\xfe"}')
        assert response.status_code == 400
        assert "UTF-8" in response.data["detail"]

    def test_malformed_json_is_400(self, owner_client):
        response = post_raw(owner_client, '{"name": ')
        assert response.status_code == 400
        assert response.data["detail"].startswith("JSON parse error")

    def test_huge_integer_is_400(self, owner_client):
        response = post_raw(owner_client, '{"name": "n", "viewport": {"x": ' + "9" * 5000 + "}}")
        assert response.status_code == 400

    def test_unsupported_media_type_is_415(self, owner_client):
        response = post_raw(owner_client, "name=x", content_type="text/plain")
        assert response.status_code == 415
        assert response.data["detail"]


BAD_FIELDS = [
    pytest.param({"name": "a\x00b", "nodes": "[]"}, id="nul-in-a-field"),
    pytest.param(
        {
            "name": "g",
            "nodes": '[{"id": "a\\u0000", "type": "print", "position": {"x": 0, "y": 0}}]',
        },
        id="nul-escaped-in-json-text",
    ),
    pytest.param(
        {
            "name": "g",
            "nodes": '[{"id": "\\ud800", "type": "print", "position": {"x": 0, "y": 0}}]',
        },
        id="surrogate-escaped-in-json-text",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize("encoding", ["multipart", "form"])
@pytest.mark.parametrize("fields", BAD_FIELDS)
class TestFormBodiesGetTheSameGuard:
    """Every body the API accepts is held to what Postgres can store: a NUL or a lone surrogate
    in a form field, or escaped in the JSON text of one, is a 400 (it was a 500)."""

    @staticmethod
    def send(client, method: str, url: str, fields: dict, encoding: str):
        if encoding == "multipart":
            return client.generic(method, url, **_multipart(fields))
        body = "&".join(f"{key}={quote(value)}" for key, value in fields.items())
        return client.generic(method, url, body, content_type="application/x-www-form-urlencoded")

    def test_create(self, owner_client, encoding, fields):
        response = self.send(owner_client, "POST", URL, fields, encoding)
        assert response.status_code == 400, response.content
        assert "cannot be stored" in json.dumps(response.json())
        assert Graph.objects.count() == 0

    def test_update(self, owner_client, owner, encoding, fields):
        graph = make_graph(owner)
        response = self.send(owner_client, "PATCH", graph_url(graph), fields, encoding)
        assert response.status_code == 400, response.content
        graph.refresh_from_db()
        assert graph.name == "Hello graph"


def _multipart(fields: dict) -> dict:
    from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

    return {"data": encode_multipart(BOUNDARY, fields), "content_type": MULTIPART_CONTENT}
