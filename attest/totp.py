"""Time-based one-time passwords (RFC 6238) for staff second factor, and recovery codes.

Pure module: it takes the clock and the secret as arguments and knows nothing of users or
requests. The services decide which step was used last (replay protection) and throttle."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import secrets
from urllib.parse import quote, urlencode

from cryptography.hazmat.primitives.hashes import SHA1
from cryptography.hazmat.primitives.twofactor.totp import TOTP

DIGITS = 6
PERIOD = 30  # seconds per step (RFC 6238 default, what every authenticator app expects)
WINDOW = 1  # accept one step either side for clock drift
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends
RECOVERY_COUNT = 10
# Crockford-style alphabet without look-alikes (no I, L, O, U) for codes people type.
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def new_secret() -> str:
    """Return a fresh random secret in Base32 (what authenticator apps import)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    padded = secret.upper() + "=" * (-len(secret) % 8)
    return base64.b32decode(padded)


def _totp(secret: str) -> TOTP:
    # SHA-1 is what RFC 6238 and the authenticator apps use; HMAC-SHA-1 is not broken.
    return TOTP(_key(secret), DIGITS, SHA1(), PERIOD, enforce_key_length=False)  # noqa: S303


def step_at(now: float) -> int:
    """Return the time step that contains the Unix time `now`."""
    return int(now) // PERIOD


def code_at(secret: str, step: int) -> str:
    """Return the code of a time step."""
    return _totp(secret).generate(step * PERIOD).decode()


def normalise_code(text: str) -> str:
    """Strip the spaces and dashes people type or paste around a code."""
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def matching_step(secret: str, code: str, now: float, last_step: int | None) -> int | None:
    """Return the step the code belongs to, or None when it is wrong, stale or already used.

    A step at or before `last_step` is refused so that a code that was seen once (shoulder
    surfing, a phishing proxy) cannot be used again (RFC 6238 section 5.2)."""
    code = normalise_code(code)
    if len(code) != DIGITS or not code.isdigit():
        return None
    current = step_at(now)
    found = None
    for step in range(current - WINDOW, current + WINDOW + 1):
        # compare every candidate so the time taken does not tell which one matched
        if hmac.compare_digest(code_at(secret, step), code) and found is None:
            found = step
    if found is None or (last_step is not None and found <= last_step):
        return None
    return found


def provisioning_uri(secret: str, account: str, issuer: str) -> str:
    """Return the otpauth:// URI that authenticator apps read from the QR code."""
    label = quote(f"{issuer}:{account}")
    query = urlencode({"secret": secret, "issuer": issuer, "digits": DIGITS, "period": PERIOD})
    return f"otpauth://totp/{label}?{query}"


def qr_svg(text: str) -> str:
    """Render text as a QR code in SVG (served inline: no script, no external request)."""
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


def qr_data_uri(text: str) -> str:
    """Return the QR code as a data: URI for an <img> (the CSP allows data: images)."""
    return "data:image/svg+xml;base64," + base64.b64encode(qr_svg(text).encode()).decode()


def new_recovery_codes(count: int = RECOVERY_COUNT) -> list[str]:
    """Return fresh one-time recovery codes, shown once, formatted XXXXX-XXXXX (50 bits each)."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(_ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def recovery_hash(code: str) -> str:
    """Hash a recovery code for storage (50 random bits: a fast hash is enough)."""
    return hashlib.sha256(normalise_code(code).encode()).hexdigest()


def looks_like_recovery_code(code: str) -> bool:
    """Tell a recovery code (10 characters of the alphabet) from a 6-digit TOTP code."""
    code = normalise_code(code)
    return len(code) == 10 and all(ch in _ALPHABET for ch in code)
