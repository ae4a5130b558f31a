"""Look up attestations for the verification pages and API: by typed code with the birth date,
or by QR payload. Every failed lookup is the same 'not_found' answer after the same work."""

from __future__ import annotations

import hmac
import json
import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm as so
from cryptography import x509

from attest.assessment.purposes import get_purpose
from attest.certificates.cert_code import parse_code
from attest.certificates.keys import SigningKeyInfo, key_usable_for
from attest.certificates.offline import (
    KeyState,
    TrustedKey,
    jwks_from_certificates,
    key_verdict,
    keys_from_jwks,
    verify_offline,
)
from attest.certificates.requirements import Judgement, judge_profile, profile_codes
from attest.engine import LookupConnections
from attest.models import Attestation, AttestationStatus, SigningKey, TestSession
from attest.pseudonyms import pseudonym
from attest.vocabulary import SKILLS

# Looked up when the typed code is malformed, so that every failure costs one indexed query.
_NO_CODE = "ATT-0000-0000-0000-0000-0000"
_NO_BIRTH = "0000-00-00"
KEY_COMPROMISED = "key_compromised"
log = logging.getLogger("attest.verify")


@dataclass(frozen=True)
class Verification:
    """The outcome of a lookup and what the page may show (`facts`, None on failure)."""

    status: str  # valid | revoked | superseded | key_compromised | not_found
    purpose_code: str | None  # the test form's purpose (its ceiling), None on failure
    facts: dict[str, Any] | None = field(default=None)
    # Everything the lookup read from the database (plain values): what was shown depends on
    # nothing else of the database, so a page kept per (payload, language, state) is exact.
    state: tuple = field(default=(), compare=False)

    @property
    def is_valid(self) -> bool:
        """Tell whether the attestation is genuine and in force."""
        return self.status == "valid"

    def as_json(self) -> dict[str, Any]:
        """Return the API document; every failure has the same shape."""
        doc: dict[str, Any] = {"status": self.status, "valid": self.is_valid, "attestation": None}
        if self.facts is not None:
            doc["attestation"] = {
                k: _json(v) for k, v in self.facts.items() if k not in ("revocation", "newer_code")
            }
            if self.facts.get("revocation"):
                doc["revocation"] = {k: _json(v) for k, v in self.facts["revocation"].items()}
            if self.status == "superseded":
                doc["superseded_by"] = self.facts.get("newer_code")
        return doc


def _json(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


NOT_FOUND = Verification("not_found", None)


def _key_info(row: SigningKey) -> SigningKeyInfo:
    return _key_info_of(
        row.kid,
        row.subject,
        row.certificate_pem,
        row.created_at,
        row.retired_at,
        row.compromised_at,
        row.is_demo,
    )


@lru_cache(maxsize=64)
def _key_info_of(kid, subject, certificate_pem, created_at, retired_at, compromised_at, is_demo):
    # Parsing the certificate is the costly part; the key's dates are part of the cache key.
    cert = x509.load_pem_x509_certificate(certificate_pem.encode())
    return SigningKeyInfo(
        kid=kid,
        subject=subject,
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        created_at=created_at,
        retired_at=retired_at,
        compromised_at=compromised_at,
        is_demo=is_demo,
    )


def _status(att: sa.Row) -> str:
    """The status of a looked-up row (_LOOKUP's columns)."""
    if att.status is AttestationStatus.VALID and not key_usable_for(
        _key_info_of(
            att.kid,
            att.subject,
            att.certificate_pem,
            att.key_created_at,
            att.retired_at,
            att.compromised_at,
            att.key_is_demo,
        ),
        att.issued_at,
    ):
        # Retired keys still verify what they signed while active; only a compromise (or a
        # signature outside the key's life) makes the attestation untrustworthy.
        return KEY_COMPROMISED
    return att.status.value


_FACT_COLUMNS = (
    Attestation.family_name,
    Attestation.given_names,
    Attestation.birth_date,
    Attestation.test_date,
    Attestation.levels,
    Attestation.profiles,
    Attestation.centre_name,
)
# Built once (a statement is immutable): the columns a lookup shows or decides on, with the
# state of the signing key and the purpose of the test, in one query; plain rows, no ORM
# objects to build, track and throw away.
_LOOKUP = (
    sa.select(
        Attestation.id,
        Attestation.code,
        Attestation.status,
        Attestation.status_index,
        Attestation.revoked_at,
        Attestation.revocation_reason_code,
        Attestation.revocation_reason,
        Attestation.issuer_name,
        Attestation.issued_at,
        Attestation.is_demo,
        *_FACT_COLUMNS,
        SigningKey.kid,
        SigningKey.subject,
        SigningKey.certificate_pem,
        SigningKey.created_at.label("key_created_at"),
        SigningKey.retired_at,
        SigningKey.compromised_at,
        SigningKey.is_demo.label("key_is_demo"),
        TestSession.purpose_code,
    )
    .join(SigningKey, SigningKey.id == Attestation.signing_key_id)
    .outerjoin(TestSession, TestSession.id == Attestation.session_id)
    .where(Attestation.code == sa.bindparam("code"))
)
_NEWER = sa.select(Attestation.code, *_FACT_COLUMNS).where(
    Attestation.supersedes_id == sa.bindparam("id")
)
_KEY_STATE = sa.select(SigningKey.retired_at, SigningKey.compromised_at).where(
    SigningKey.kid == sa.bindparam("kid")
)
_SAME = tuple(c.key for c in _FACT_COLUMNS)
_FIXED_PER_KID = frozenset({"subject", "certificate_pem"})  # a kid names one certificate


# Where a lookup reads: the app's LookupConnections (the public routes: one statement in
# autocommit, no ORM session), or an ORM session (its transaction; services and tests).
Reader = so.Session | LookupConnections


def _first(db: Reader, statement: sa.Executable, params: dict | None = None) -> sa.Row | None:
    if isinstance(db, LookupConnections):
        return db.first(statement, params)
    # On the session's connection (its transaction), without the ORM's execution machinery:
    # the statements load no entities.
    return db.connection().execute(statement, params).first()


def _all(db: Reader, statement: sa.Executable) -> list[sa.Row]:
    if isinstance(db, LookupConnections):
        return db.all(statement)
    return list(db.connection().execute(statement).all())


def _database(db: Reader) -> str:
    return db.url if isinstance(db, LookupConnections) else str(db.get_bind().url)


def _lookup(db: Reader, code: str) -> sa.Row | None:
    return _first(db, _LOOKUP, {"code": code})


def _same_facts(a: sa.Row, b: sa.Row) -> bool:
    """Tell whether b says nothing that a does not (a link to b then reveals nothing new)."""
    return all(getattr(a, k) == getattr(b, k) for k in _SAME)


def _state(att: sa.Row, newer: sa.Row | None) -> tuple:
    """Everything read, as hashable plain values (the JSON columns as canonical text)."""

    def plain(row: sa.Row | None) -> tuple:
        if row is None:
            return ()
        return tuple(
            json.dumps(v, sort_keys=True) if isinstance(v, dict | list) else v
            for k, v in zip(row._fields, row, strict=True)
            if k not in _FIXED_PER_KID
        )

    return plain(att) + ("newer",) + plain(newer)


def _facts(session: Reader, att: sa.Row) -> tuple[dict[str, Any], sa.Row | None]:
    """The facts a lookup shows, and the newer attestation's row it read (if superseded)."""
    facts: dict[str, Any] = {
        "code": att.code,
        "issuer": att.issuer_name,
        "centre": att.centre_name,
        "family_name": att.family_name,
        "given_names": att.given_names,
        "birth_date": att.birth_date,
        "test_date": att.test_date,
        "issued_at": att.issued_at,
        "levels": {skill: att.levels.get(skill) for skill in SKILLS},
        "profiles": att.profiles,
        "is_demo": att.is_demo,
    }
    if att.status is AttestationStatus.REVOKED:
        facts["revocation"] = {
            "revoked_at": att.revoked_at,
            "reason": att.revocation_reason_code.value if att.revocation_reason_code else None,
            "note": att.revocation_reason,
        }
    newer = None
    if att.status is AttestationStatus.SUPERSEDED:
        newer = _first(session, _NEWER, {"id": att.id})
        facts["newer_code"] = newer.code if newer is not None and _same_facts(att, newer) else None
    return facts, newer


def _verification(session: Reader, att: sa.Row, **shown: Any) -> Verification:
    facts, newer = _facts(session, att)
    return Verification(_status(att), att.purpose_code, facts | shown, _state(att, newer))


def normalise(code: str) -> str:
    """Return the canonical form of a typed code ('att-k7qd mx4t' -> 'ATT-K7QD-MX4T'), or ''."""
    return parse_code(code) or ""


def _birth_text(value: str | date | None) -> str:
    if isinstance(value, date):
        return value.isoformat()
    try:
        return date.fromisoformat((value or "").strip()[:10]).isoformat()
    except ValueError:
        return _NO_BIRTH


def verify_code(session: Reader, code: str, birth_date: str | date | None) -> Verification:
    """Find an attestation by typed code and birth date; every failure is 'not_found'.

    Malformed codes, unknown codes, malformed and wrong birth dates all run the same query and
    the same constant-time comparison, so neither the answer nor its timing tells them apart."""
    canonical = parse_code(code or "") or _NO_CODE
    given = _birth_text(birth_date)
    att = _lookup(session, canonical)
    stored = att.birth_date.isoformat() if att is not None else _NO_BIRTH
    matches = hmac.compare_digest(stored.encode(), given.encode())
    if att is None or not matches or given == _NO_BIRTH:
        return NOT_FOUND
    return _verification(session, att)


def published_jwks(session: so.Session) -> dict:
    """Return the JWKS of every issuing key, with retired and compromised dates."""
    rows = session.execute(
        sa.select(
            SigningKey.certificate_pem,
            SigningKey.root_pem,
            SigningKey.kid,
            SigningKey.retired_at,
            SigningKey.compromised_at,
        ).order_by(SigningKey.id)
    ).all()
    return _jwks(tuple(tuple(r) for r in rows))


def public_keys(session: Reader, *, refresh: bool = False) -> dict[str, TrustedKey]:
    """Return the issuing keys by kid with their certificates but without retired and
    compromised dates (those are read with each lookup). A certificate never changes for a kid,
    so the keys are read and parsed once per process and database, and again on `refresh`
    (a payload names a kid not among them: a key made since, perhaps by another process)."""
    database = _database(session)
    keys = _PUBLIC_KEYS.get(database)
    if keys is None or refresh:
        rows = _all(
            session,
            sa.select(SigningKey.certificate_pem, SigningKey.root_pem).order_by(SigningKey.id),
        )
        keys = _PUBLIC_KEYS[database] = _parse_keys(tuple(tuple(r) for r in rows))
    return keys


_PUBLIC_KEYS: dict[str, dict[str, TrustedKey]] = {}


@lru_cache(maxsize=8)
def _parse_keys(rows: tuple[tuple[str, str], ...]) -> dict[str, TrustedKey]:
    chains = [
        (x509.load_pem_x509_certificate(c.encode()), x509.load_pem_x509_certificate(r.encode()))
        for c, r in rows
    ]
    return keys_from_jwks(jwks_from_certificates(chains))


def _with_state(key: TrustedKey, retired_at, compromised_at) -> TrustedKey:
    return replace(key, retired_at=retired_at, compromised_at=compromised_at)


@lru_cache(maxsize=8)
def _jwks(rows: tuple[tuple, ...]) -> dict:
    chains = [
        (
            x509.load_pem_x509_certificate(cert.encode()),
            x509.load_pem_x509_certificate(root.encode()),
        )
        for cert, root, *_ in rows
    ]
    states = {kid: KeyState(retired, compromised) for _c, _r, kid, retired, compromised in rows}
    return jwks_from_certificates(chains, states=states)


def verify_payload(session: Reader, text: str, now: datetime) -> Verification:
    """Verify a scanned QR payload, then take its status from the database.

    The page shows only what the signed payload holds (plus the issuer), so a scan reveals
    nothing the paper does not already say. A payload signed by a key after its compromise is
    'key_compromised' (without facts); any other failure is 'not_found', like an unknown code.

    One query in the usual case: the signature is checked with the cached public keys, and the
    key's retired and compromised dates, read now, come with the attestation row."""
    result = _authentic(session, text, now)
    if result is None:
        return NOT_FOUND
    verified = result.claims
    att = _lookup(session, verified.claims.code)
    if att is not None and att.kid == verified.kid:
        state = (att.retired_at, att.compromised_at)
    else:  # not ours: only the key's state can still make the answer 'key_compromised'
        state = _first(session, _KEY_STATE, {"kid": verified.kid}) or (None, None)
        att = None
    key = _with_state(public_keys(session)[verified.kid], *state)
    verdict = key_verdict(key, verified.claims.issued_at)
    if verdict is not None and verdict[0] == KEY_COMPROMISED:
        return Verification(KEY_COMPROMISED, None)
    if verdict is not None or att is None or att.status_index != verified.claims.status_index:
        return NOT_FOUND
    claims = verified.claims
    family, given = verified.display_names()
    return _verification(
        session,
        att,
        family_name=family,
        given_names=given,
        birth_date=claims.birth_date,
        test_date=claims.test_date,
        levels={skill: claims.levels.get(skill) for skill in SKILLS},
        # The issuer shortened a long name to fit the QR code: the page must say so.
        names_shortened=verified.is_family_name_truncated or verified.is_given_names_truncated,
    )


def _authentic(session: Reader, text: str, now: datetime):
    """Check a payload's format and signature with the keys without their dates (the
    certificate's validity only); return the OfflineResult when it is authentic, else None.

    The verdict of the same text is kept (per database, AUTHENTIC_KEPT texts): the signature of
    identical bytes under a kid's certificate, which never changes, cannot become false, and
    `now` only refuses a payload dated in the future, which later stays accepted. Only
    authentic verdicts are kept (a failure may be an unknown kid, known after a refresh); the
    key's retired and compromised dates and the attestation's status are read every time."""
    database = _database(session)
    with _AUTHENTIC_LOCK:  # gthread workers share it
        kept = _AUTHENTIC.get((database, text))
        if kept is not None:
            _AUTHENTIC.move_to_end((database, text))
            return kept
    result = verify_offline(text, public_keys(session), None, now)
    if result.reason == "unknown_kid":
        result = verify_offline(text, public_keys(session, refresh=True), None, now)
    if result.claims is None or not result.is_authentic:
        return None
    with _AUTHENTIC_LOCK:
        _AUTHENTIC[(database, text)] = result
        while len(_AUTHENTIC) > AUTHENTIC_KEPT:
            _AUTHENTIC.popitem(last=False)
    return result


AUTHENTIC_KEPT = 1024
_AUTHENTIC: OrderedDict[tuple[str, str], Any] = OrderedDict()
_AUTHENTIC_LOCK = threading.Lock()


def judge_requirement(
    result: Verification, profile_code: str, lease_start: date | None = None
) -> Judgement | None:
    """Judge a verified attestation against the rule of one profile that applies.

    The rule is the one in force on the test date, or on the lease start for social housing
    (the verifier states it). Returns None when nothing was verified; raises KeyError for a
    profile that does not exist at all."""
    if profile_code not in dict(profile_codes()):
        raise KeyError(profile_code)
    if result.facts is None:
        return None
    return judge_profile(
        profile_code,
        result.facts["levels"],
        test_date=result.facts["test_date"],
        lease_start=lease_start,
        ceiling=ceiling_of(result.purpose_code),
    )


def ceiling_of(purpose_code: str | None) -> str | None:
    """Return the highest level a test form of this purpose could show (None if unknown)."""
    if purpose_code is None:
        return None
    try:
        return get_purpose(purpose_code).target_level
    except KeyError:
        return None


def parse_lease_start(text: object) -> date | None:
    """Read a lease start date (YYYY-MM-DD); None when absent; ValueError when malformed."""
    if text is None or (isinstance(text, str) and not text.strip()):
        return None
    if not isinstance(text, str):
        raise ValueError("lease_start must be a date as text, YYYY-MM-DD")
    return date.fromisoformat(text.strip())


def log_lookup(route: str, result: Verification, code: str, client: str, secret: str) -> None:
    """Log one lookup without personal data: route, outcome, pseudonymous code and client."""
    log.info(
        "verification lookup route=%s outcome=%s code=%s client=%s",
        route,
        result.status,
        pseudonym(secret, normalise(code) or "malformed"),
        pseudonym(secret, client or "-"),
    )
