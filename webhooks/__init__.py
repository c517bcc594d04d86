"""Webhooks: a secret URL that runs one graph as its owner, with the request's JSON as inputs.

models.py (a hook stores its token's hash only), tokens.py (making and finding tokens),
limits.py (the per-hook rate, run budget and body limit), views.py (the owner's routes under
/api/graphs/{id}/webhooks/), hook_views.py (the token's routes under /api/hooks/<token>/).
The contract is in docs/interfaces.md, "Webhooks".
"""
