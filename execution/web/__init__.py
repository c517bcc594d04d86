"""The web side of a run: the WebSocket consumer, one ClientRun per run, admission against the
user's limits, and the run's record. It reaches pool workers only through the channel layer
(execution/dispatch.py)."""
