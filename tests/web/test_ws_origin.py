"""The same-origin rule for WebSocket handshakes (pure logic; live refusal: test_ws_run)."""

from execution.web.origin import origin_allowed


def test_the_sockets_own_origin_is_allowed():
    assert origin_allowed("http://127.0.0.1:8000", "127.0.0.1:8000", [])
    assert origin_allowed("https://example.com", "example.com", [])


def test_another_port_or_host_is_refused():
    assert not origin_allowed("http://127.0.0.1:9999", "127.0.0.1:8000", [])
    assert not origin_allowed("http://evil.example", "127.0.0.1:8000", [])
    assert not origin_allowed("http://127.0.0.1:8000.evil.example", "127.0.0.1:8000", [])


def test_missing_or_opaque_origin_is_refused():
    assert not origin_allowed("", "127.0.0.1:8000", [])
    assert not origin_allowed("null", "127.0.0.1:8000", [])


def test_trusted_origins_are_allowed_exactly():
    trusted = ["https://editor.example.com"]
    assert origin_allowed("https://editor.example.com", "api.example.com", trusted)
    assert origin_allowed("https://editor.example.com/", "api.example.com", trusted)
    assert not origin_allowed("http://editor.example.com", "api.example.com", trusted)
