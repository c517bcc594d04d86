"""Test and bench infrastructure, not product code (pyproject.toml's packages leave it out): the
real servers and WebSocket client of the engine (engine.py), the editor as a browser user sees
it (browser.py), waiting for an event with a deadline (waiting.py) and a private redis-server
(redis_server.py). tests/ wraps them in pytest fixtures; bench/ drives them from plain scripts, so
neither imports the other."""
