"""Keyed pseudonyms: the logs and the rate-limit keys link what one client or one code did
without naming the client address or the code in clear."""

from __future__ import annotations

import hashlib
import hmac


def pseudonym(secret: str, value: str) -> str:
    """Return a keyed, truncated hash: lets logs link lookups without naming code or client."""
    return hmac.new(secret.encode(), value.encode(), hashlib.sha256).hexdigest()[:12]
