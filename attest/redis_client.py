"""The shared Redis connection (rate limits and other state that app processes share).

Configured by ``ATTEST_REDIS_URL`` (setting ``REDIS_URL``). When it is unset, as in the embedded
demo, callers fall back to per-process memory and say so in their docstring; production sets it.
"""

from __future__ import annotations

from typing import Any

_CLIENTS: dict[str, Any] = {}


def get_redis(url: str | None) -> Any | None:
    """Return a (cached, thread-safe) Redis client for ``url``, or None when no URL is set."""
    if not url:
        return None
    client = _CLIENTS.get(url)
    if client is None:
        import redis

        client = redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=2, health_check_interval=30
        )
        _CLIENTS[url] = client
    return client


def app_redis() -> Any | None:
    """The Redis client of the current Flask app (None when ATTEST_REDIS_URL is unset)."""
    from flask import current_app

    return get_redis(current_app.config.get("REDIS_URL"))
