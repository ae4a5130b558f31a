"""The public paths of Attest, and the absolute URLs built from the public base URL (issue [10]).

These are what printed attestations, QR codes, verifiable credentials and partners' programs
call: none may ever change (an attestation printed years ago carries them). The routes use the
constants (`attest/certificates/verify_views.py`, `partner_views.py`); the QR payload, the VC, the
status list, the OpenAPI document and the CLI build their URLs here. Pure: no Flask.
"""

from __future__ import annotations

CODE_PAGE = "/v/"  # + attestation code: the short URL printed on the PDF (asks the birth date)
LOOKUP_PAGE = "/v"  # the lookup form: a typed code and the birth date
PAYLOAD_PAGE = "/V/"  # + signed payload: the QR code's URL (upper case: QR alphanumeric mode)
STATUS_LIST = "/status/attestations"  # the signed status list (revocations)
JWKS = "/.well-known/jwks.json"  # the published signing keys
CRL = "/crl/issuing.crl"  # the offline root's revocation list of issuing keys
ACHIEVEMENT = "/achievements/nt2-cefr"  # the Open Badges achievement id in a VC (not served)

API_PREFIX = "/api/"  # JSON answers, errors too
API_VERIFY = "/api/v1/verify"
API_PROFILES = "/api/v1/profiles"
API_OPENAPI = "/api/v1/openapi.json"
PARTNER_API = "/api/v1/partner"  # the partner blueprint's prefix
PARTNER_CHECKS = PARTNER_API + "/checks"


def base_url(public_url: str) -> str:
    """Return the public base URL without a trailing slash."""
    return public_url.strip().rstrip("/")


def code_url(public_url: str, code: str) -> str:
    """Return the printed verification URL of an attestation code."""
    return f"{base_url(public_url)}{CODE_PAGE}{code}"


def payload_url(public_url: str, payload: str) -> str:
    """Return the QR code's URL of a signed payload; the base is upper-cased for the QR's
    alphanumeric mode (host names are case-insensitive; `attest.certificates.payload` checks
    that every character fits)."""
    return f"{base_url(public_url).upper()}{PAYLOAD_PAGE}{payload}"


def status_list_url(public_url: str, index: int | None = None) -> str:
    """Return the status list's URL, or one entry's (`#index`)."""
    url = f"{base_url(public_url)}{STATUS_LIST}"
    return url if index is None else f"{url}#{index}"


def url(public_url: str, path: str) -> str:
    """Return the absolute URL of a public path (one of the constants above, or the base "/")."""
    return f"{base_url(public_url)}{path}"


def is_api(path: str) -> bool:
    """Tell whether a request path is one of the JSON API's (answered in JSON, errors too)."""
    return path.startswith(API_PREFIX)
