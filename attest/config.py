"""Settings from the environment (ATTEST_*, DATABASE_URL, SECRET_KEY) and the instance folder."""

from __future__ import annotations

import os
import secrets
import sys
from importlib import resources
from pathlib import Path
from typing import Any, Mapping

from attest.settings_types import SPECS, ConfigError, typed

__all__ = ["ConfigError", "DEFAULTS", "ENV_SETTINGS", "PROJECT_ROOT", "load_config"]

# Environment variables read by load_config(), with their setting names.
ENV_SETTINGS = {
    "DATABASE_URL": "DATABASE_URL",
    "SECRET_KEY": "SECRET_KEY",
    "ATTEST_PUBLIC_URL": "PUBLIC_URL",
    "ATTEST_STORAGE_DIR": "STORAGE_DIR",
    "ATTEST_KEYS_DIR": "KEYS_DIR",
    "ATTEST_BANK_DIR": "BANK_DIR",
    "ATTEST_ISSUER_NAME": "ISSUER_NAME",
    "ATTEST_ISSUER_ADDRESS": "ISSUER_ADDRESS",
    "ATTEST_ISSUER_COMPANY_NUMBER": "ISSUER_COMPANY_NUMBER",
    "ATTEST_ISSUER_CONTACT": "ISSUER_CONTACT",
    "ATTEST_SESSION_COOKIE_SECURE": "SESSION_COOKIE_SECURE",
    "ATTEST_SESSION_IDLE_MINUTES": "SESSION_IDLE_MINUTES",
    "ATTEST_SESSION_MAX_HOURS": "SESSION_MAX_HOURS",
    "ATTEST_REDIS_URL": "REDIS_URL",
    "ATTEST_LOG_FORMAT": "LOG_FORMAT",
    "ATTEST_RETENTION_RESPONSES_DAYS": "RETENTION_RESPONSES_DAYS",
    "ATTEST_RETENTION_APPEAL_DAYS": "RETENTION_APPEAL_DAYS",
    "ATTEST_RETENTION_CANDIDATE_DAYS": "RETENTION_CANDIDATE_DAYS",
    "ATTEST_RETENTION_BOOKING_DAYS": "RETENTION_BOOKING_DAYS",
    "ATTEST_RETENTION_PHOTO_DAYS": "RETENTION_PHOTO_DAYS",
    "ATTEST_SMTP_URL": "SMTP_URL",
    "ATTEST_MAIL_FROM": "MAIL_FROM",
    "ATTEST_MAIL_TO_LOG": "MAIL_TO_LOG",
    "ATTEST_BOOKING_LIMIT": "BOOKING_LIMIT",
    "ATTEST_TOTP_REQUIRED_ROLES": "TOTP_REQUIRED_ROLES",
    "ATTEST_VERIFY_LIMIT_CLIENT": "VERIFY_LIMIT_CLIENT",
    "ATTEST_VERIFY_LIMIT_CODE": "VERIFY_LIMIT_CODE",
    "ATTEST_PARTNER_LIMIT": "PARTNER_LIMIT",
    "ATTEST_TRUSTED_PROXIES": "TRUSTED_PROXIES",
    "ATTEST_SECURITY_CONTACT": "SECURITY_CONTACT",
    "ATTEST_FIELD_KEY": "FIELD_KEY",
    "ATTEST_KIOSK_HEARTBEAT_SECONDS": "KIOSK_HEARTBEAT_SECONDS",
    "ATTEST_KIOSK_HEARTBEAT_TIMEOUT_SECONDS": "KIOSK_HEARTBEAT_TIMEOUT_SECONDS",
    "ATTEST_LOGIN_ADDRESS_MAX_FAILURES": "LOGIN_ADDRESS_MAX_FAILURES",
    "ATTEST_SYNTHETIC_AUDIO": "SYNTHETIC_AUDIO",
    "ATTEST_ADMISSION": "ADMISSION",
}

DEFAULTS: dict[str, Any] = {
    "PUBLIC_URL": "http://127.0.0.1:5000",
    "REDIS_URL": None,
    # json (production, one object per line), text (readable), none (the host configures logs).
    "LOG_FORMAT": "json",
    # Retention (attest retention run): answers and recordings this long after the result is
    # final, and at least this long after an appeal closed; candidates' personal data this long
    # after their last test or attestation.
    "RETENTION_RESPONSES_DAYS": 730,
    "RETENTION_APPEAL_DAYS": 365,
    "RETENTION_CANDIDATE_DAYS": 1826,
    # Bookings' personal data (e-mail, accommodation request) this long after their slot.
    "RETENTION_BOOKING_DAYS": 180,
    # Test-day photos of admissions that led to no attestation, this long after admission
    # (with an attestation the photo stays with the candidate's data: retention_rules).
    "RETENTION_PHOTO_DAYS": 365,
    # E-mail (appointments): smtp://user:pass@host:587?starttls=1 or smtps://host:465. Unset,
    # mails are written to the log only when MAIL_TO_LOG is on (the demo, `make run`; logs of a
    # production app carry no personal data), otherwise the public booking page is closed.
    "SMTP_URL": None,
    "MAIL_FROM": "Attest <noreply@attest.invalid>",
    "MAIL_TO_LOG": False,
    # Synthetic listening clips (espeak-ng) in live purposes: "refuse" (production) or "allow"
    # (the demo and the tests). Refused, a live purpose must deliver only human clips that an
    # admin approved in the audio studio (attest.assessment.provenance).
    "SYNTHETIC_AUDIO": "refuse",
    # "required": a kiosk starts a test only after a proctor admitted the candidate (identity
    # document checked, test-day photo taken: attest.admissions). "optional" lets a start code
    # work without an admission (some tests of the suite; never for attestations that count).
    "ADMISSION": "required",
    # Posts to the public booking pages (a booking, a confirmation, a change) per client address.
    "BOOKING_LIMIT": "10 per hour;30 per day",
    # Rate limits (limits syntax): lookups per client address, typed lookups per code,
    # partner API calls per organisation.
    "VERIFY_LIMIT_CLIENT": "30 per minute;300 per hour",
    "VERIFY_LIMIT_CODE": "10 per hour",
    "PARTNER_LIMIT": "600 per minute",
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto are believed (rate
    # limits and logs need the real client address); 0 when clients connect directly.
    "TRUSTED_PROXIES": 0,
    "ISSUER_NAME": "Huis van het Nederlands (DEMO)",
    # Printed in the attestation's legal paragraph: the issuer's address, company number (KBO)
    # and a contact for questions about an attestation.
    "ISSUER_ADDRESS": "Voorbeeldstraat 1, 1000 Brussel (DEMO)",
    "ISSUER_COMPANY_NUMBER": "0000.000.000 (DEMO)",
    "ISSUER_CONTACT": "attesten@example.be (DEMO)",
    # Where vulnerabilities are reported (a mailto: or https: URI), published in
    # /.well-known/security.txt (RFC 9116); unset, that file is not served.
    "SECURITY_CONTACT": None,
    # Fernet key(s) sealing secrets kept in the database (staff TOTP secrets), comma-separated,
    # the first one sealing; unset: derived from SECRET_KEY (attest.field_crypto).
    "FIELD_KEY": None,
    "START_CODE_MINUTES": 30,
    "LOGIN_MAX_FAILURES": 5,
    "LOGIN_LOCK_SECONDS": 300,
    # Failed logins from one client address (any usernames) before it is locked: higher than
    # the per-username limit, as a shared NAT holds many staff.
    "LOGIN_ADDRESS_MAX_FAILURES": 50,
    "SESSION_IDLE_MINUTES": 30,
    "SESSION_MAX_HOURS": 12,
    # Roles that must pass a TOTP second step at login (comma-separated in the environment).
    "TOTP_REQUIRED_ROLES": ("admin", "examiner", "panellist", "author"),
    "TOTP_MAX_FAILURES": 5,
    "TOTP_LOCK_SECONDS": 300,
    "MFA_PENDING_SECONDS": 300,  # time between the password and the second step
    "KIOSK_COOKIE_NAME": "attest_kiosk",
    "KIOSK_COOKIE_DAYS": 365,
    # A kiosk pings every KIOSK_HEARTBEAT_SECONDS; silent for longer than the timeout it counts
    # as lost and the section clock stops (attest.assessment.timing).
    "KIOSK_HEARTBEAT_SECONDS": 10,
    "KIOSK_HEARTBEAT_TIMEOUT_SECONDS": 30,
    "BABEL_DEFAULT_LOCALE": "nl",
    "BABEL_DEFAULT_TIMEZONE": "Europe/Brussels",
    "LANGUAGES": ["nl", "en"],  # staff and public pages; the kiosk has its own list
    # Two catalogues per language: "messages" (every page, nl/en) and "kiosk" (kiosk pages, all
    # kiosk languages); Flask-Babel pairs each domain with the directory at the same position.
    "BABEL_DOMAIN": "messages;kiosk",
    "BABEL_TRANSLATION_DIRECTORIES": "translations;translations",
    "WTF_CSRF_TIME_LIMIT": None,
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_SECURE": False,
    "MAX_CONTENT_LENGTH": 16 * 1024 * 1024,  # raw uploads (recordings)
    "MAX_FORM_BYTES": 256 * 1024,  # form posts
}

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# A wheel carries templates/ and question_banks/ inside the package (setup.py copies them there).
PACKAGED_DATA = "_data"


def shipped_dir(name: str) -> Path:
    """Return a folder shipped with Attest (``templates``, ``question_banks``): the copy inside
    the installed package (a wheel), else the top-level folder of the checkout."""
    packaged = resources.files("attest").joinpath(PACKAGED_DATA, name)
    if packaged.is_dir():
        return Path(str(packaged))  # zip_safe = False: installed as plain files
    return PROJECT_ROOT / name


def default_instance_path() -> Path:
    """Return the instance folder used when none is configured: ``instance/`` in a checkout,
    ``<prefix>/var/attest-instance`` for an installed package (Flask's convention)."""
    if (PROJECT_ROOT / "setup.cfg").is_file() and (PROJECT_ROOT / "attest").is_dir():
        return PROJECT_ROOT / "instance"
    return Path(sys.prefix) / "var" / "attest-instance"


def _coerce(value: str) -> Any:
    """Turn 'true'/'false' into booleans and whole numbers into ints; leave the rest as text
    (only for settings without a declared type in attest.settings_types)."""
    if value.lower() in {"true", "yes"}:
        return True
    if value.lower() in {"false", "no"}:
        return False
    if value.isdigit():
        return int(value)
    return value


def load_config(instance_path: Path, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the settings: defaults, then instance/attest.cfg, then environment, then overrides;
    each typed and checked (attest.settings_types), or ConfigError naming the variable."""
    config: dict[str, Any] = dict(DEFAULTS)
    config["DATABASE_URL"] = f"sqlite:///{instance_path / 'attest.sqlite3'}"
    config["STORAGE_DIR"] = str(instance_path / "storage")
    config["KEYS_DIR"] = str(instance_path / "keys")
    config["BANK_DIR"] = str(shipped_dir("question_banks") / "nl")
    source = {key: f"{key} (default)" for key in config}

    cfg_file = instance_path / "attest.cfg"
    if cfg_file.exists():
        namespace: dict[str, Any] = {}
        exec(compile(cfg_file.read_text(), str(cfg_file), "exec"), namespace)  # noqa: S102
        for key, value in namespace.items():
            if key.isupper():
                config[key], source[key] = value, f"{key} in {cfg_file}"

    for env_name, key in ENV_SETTINGS.items():
        if env_name in os.environ:
            raw = os.environ[env_name]
            config[key] = raw if key in SPECS else _coerce(raw)
            source[key] = f"environment variable {env_name}"

    for key, value in (overrides or {}).items():
        config[key], source[key] = value, f"{key} (given to create_app)"

    if not config.get("SECRET_KEY"):
        config["SECRET_KEY"] = _instance_secret(instance_path)
    for key, spec in SPECS.items():
        if key in config:
            config[key] = typed(key, config[key], spec, source.get(key, key))
    if config["KIOSK_HEARTBEAT_TIMEOUT_SECONDS"] <= config["KIOSK_HEARTBEAT_SECONDS"]:
        raise ConfigError(
            f"{source['KIOSK_HEARTBEAT_TIMEOUT_SECONDS']} must be longer than "
            f"{source['KIOSK_HEARTBEAT_SECONDS']}: a kiosk would count as lost between two pings"
        )
    return config


def _instance_secret(instance_path: Path) -> str:
    """Read the secret key from the instance folder, creating it on first use."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()
