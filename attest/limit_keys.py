"""The keys Flask-Limiter counts under: pseudonyms of client addresses, never the addresses
(the same keyed pseudonyms the logs use, `attest.pseudonyms`), so that Redis holds no more
than the logs do. Infrastructure: `attest.extensions` builds the limiter with it."""

from __future__ import annotations

from flask import current_app, g, request
from flask_limiter.util import get_remote_address

from attest.pseudonyms import pseudonym


def hashed(value: str) -> str:
    """The pseudonym of a value in rate-limit keys (as in the logs)."""
    return pseudonym(current_app.config["SECRET_KEY"], value)


def hashed_client_address() -> str:
    """Default rate-limit key: the client address (after ProxyFix), pseudonymised; computed
    once per request (Flask-Limiter asks for it for every limit it checks)."""
    try:
        return g.attest_client_key
    except AttributeError:
        g.attest_client_key = hashed(get_remote_address() or request.remote_addr or "-")
        return g.attest_client_key
