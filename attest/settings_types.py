"""The type and range of each setting, checked once at start-up (attest.config.load_config).

A value from the environment is text; one from instance/attest.cfg or create_app() may already
be typed. Either way it becomes the declared type, or start-up stops with an error that names
the variable, what it holds and what is expected: a wrong setting never surfaces later as a
server error on some page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

TRUE, FALSE = {"true", "yes", "on", "1"}, {"false", "no", "off", "0"}
# the values of attest.models.Role (tests/unit/test_config.py compares)
ROLES = ("admin", "proctor", "examiner", "panellist", "author")
LOG_FORMATS = ("json", "text", "none")


class ConfigError(ValueError):
    """A setting has a value the app cannot run with."""


@dataclass(frozen=True)
class Spec:
    """What a setting holds: `kind` one of text, int, number, bool, url, limits, choice,
    roles; `low`/`high` bound numbers; `optional` allows None (unset)."""

    kind: str
    low: float | None = None
    high: float | None = None
    unit: str = ""
    choices: tuple[str, ...] = ()
    schemes: tuple[str, ...] = ()
    optional: bool = False

    def expected(self) -> str:
        if self.kind in ("int", "number"):
            what = "a whole number" if self.kind == "int" else "a number"
            unit = f" of {self.unit}" if self.unit else ""
            return f"{what}{unit} from {self.low:g} to {self.high:g}"
        return {
            "bool": "true or false",
            "url": "a URL starting with " + " or ".join(f"{s}://" for s in self.schemes),
            "limits": "rate limits such as '30 per minute;300 per hour'",
            "choice": "one of " + ", ".join(self.choices),
            "roles": "roles separated by commas, from " + ", ".join(ROLES),
        }.get(self.kind, "text")


SPECS: dict[str, Spec] = {
    "DATABASE_URL": Spec("text"),
    "SECRET_KEY": Spec("text"),
    "PUBLIC_URL": Spec("url", schemes=("http", "https")),
    "STORAGE_DIR": Spec("text"),
    "KEYS_DIR": Spec("text"),
    "BANK_DIR": Spec("text"),
    "ISSUER_NAME": Spec("text"),
    "SESSION_COOKIE_SECURE": Spec("bool"),
    "SESSION_IDLE_MINUTES": Spec("number", 1, 24 * 60, "minutes"),
    "SESSION_MAX_HOURS": Spec("number", 0.1, 31 * 24, "hours"),
    "REDIS_URL": Spec("url", schemes=("redis", "rediss", "unix"), optional=True),
    "LOG_FORMAT": Spec("choice", choices=LOG_FORMATS),
    "RETENTION_RESPONSES_DAYS": Spec("int", 1, 100 * 366, "days"),
    "RETENTION_APPEAL_DAYS": Spec("int", 1, 100 * 366, "days"),
    "RETENTION_CANDIDATE_DAYS": Spec("int", 1, 100 * 366, "days"),
    "RETENTION_BOOKING_DAYS": Spec("int", 1, 100 * 366, "days"),
    "RETENTION_PHOTO_DAYS": Spec("int", 1, 100 * 366, "days"),
    "SMTP_URL": Spec("url", schemes=("smtp", "smtps"), optional=True),
    "MAIL_FROM": Spec("text"),
    "MAIL_TO_LOG": Spec("bool"),
    "SYNTHETIC_AUDIO": Spec("choice", choices=("allow", "refuse")),
    "ADMISSION": Spec("choice", choices=("required", "optional")),
    "BOOKING_LIMIT": Spec("limits"),
    "TOTP_REQUIRED_ROLES": Spec("roles"),
    "VERIFY_LIMIT_CLIENT": Spec("limits"),
    "VERIFY_LIMIT_CODE": Spec("limits"),
    "PARTNER_LIMIT": Spec("limits"),
    "TRUSTED_PROXIES": Spec("int", 0, 10, "proxies"),
    "SECURITY_CONTACT": Spec("text", optional=True),
    "FIELD_KEY": Spec("text", optional=True),
    "KIOSK_HEARTBEAT_SECONDS": Spec("int", 1, 3600, "seconds"),
    "KIOSK_HEARTBEAT_TIMEOUT_SECONDS": Spec("int", 2, 24 * 3600, "seconds"),
    "START_CODE_MINUTES": Spec("int", 1, 24 * 60, "minutes"),
    "LOGIN_MAX_FAILURES": Spec("int", 1, 1000, "failures"),
    "LOGIN_ADDRESS_MAX_FAILURES": Spec("int", 1, 100_000, "failures"),
    "LOGIN_LOCK_SECONDS": Spec("int", 1, 7 * 24 * 3600, "seconds"),
    "TOTP_MAX_FAILURES": Spec("int", 1, 1000, "failures"),
    "TOTP_LOCK_SECONDS": Spec("int", 1, 7 * 24 * 3600, "seconds"),
    "MFA_PENDING_SECONDS": Spec("int", 10, 3600, "seconds"),
    "KIOSK_COOKIE_DAYS": Spec("int", 1, 10 * 366, "days"),
    "MAX_CONTENT_LENGTH": Spec("int", 1024, 2**31, "bytes"),
    "MAX_FORM_BYTES": Spec("int", 1024, 2**31, "bytes"),
}


def typed(name: str, value: Any, spec: Spec, source: str) -> Any:
    """Return `value` as the type `spec` declares; raise ConfigError naming `source`."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if spec.optional:
            return None
        raise ConfigError(f"{source} must be set: expected {spec.expected()}")
    try:
        return _PARSERS[spec.kind](value, spec)
    except (TypeError, ValueError) as exc:
        detail = f" ({exc})" if str(exc) else ""
        raise ConfigError(
            f"{source} = {str(value)[:80]!r} is not valid: expected {spec.expected()}{detail}"
        ) from None


def _text(value: Any, spec: Spec) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("")
    return value


def _bool(value: Any, spec: Spec) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in TRUE | FALSE:
        return value.strip().lower() in TRUE
    raise ValueError("")


def _number(value: Any, spec: Spec) -> int | float:
    if isinstance(value, bool):
        raise ValueError("")
    if isinstance(value, str):
        value = value.strip()
        number: int | float = int(value) if spec.kind == "int" else float(value)
    elif isinstance(value, int) or (isinstance(value, float) and spec.kind == "number"):
        number = value
    else:
        raise ValueError("")
    if number != number or not spec.low <= number <= spec.high:  # NaN or out of range
        raise ValueError("out of range")
    return number


def _url(value: Any, spec: Spec) -> str:
    parts = urlsplit(_text(value, spec).strip())
    if parts.scheme not in spec.schemes or not (parts.netloc or parts.scheme == "unix"):
        raise ValueError("")
    return value.strip()


def _limits(value: Any, spec: Spec) -> str:
    from limits import parse_many

    if not parse_many(_text(value, spec)):
        raise ValueError("")
    return value


def _choice(value: Any, spec: Spec) -> str:
    if not isinstance(value, str) or value.strip().lower() not in spec.choices:
        raise ValueError("")
    return value.strip().lower()


def _roles(value: Any, spec: Spec) -> tuple[str, ...]:
    items = value.split(",") if isinstance(value, str) else list(value)
    roles = tuple(str(r).strip().lower() for r in items if str(r).strip())
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise ValueError("unknown: " + ", ".join(unknown))
    return roles


_PARSERS = {
    "text": _text,
    "bool": _bool,
    "int": _number,
    "number": _number,
    "url": _url,
    "limits": _limits,
    "choice": _choice,
    "roles": _roles,
}
