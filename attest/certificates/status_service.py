"""Serve the signed status list of all attestations, rebuilt when revocations change."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import current_app

from attest.certificates import status_list
from attest.certificates.key_service import active_signing_key, signer_for
from attest.certificates.status_list import build_status_list
from attest.models import Attestation, AttestationStatus, SigningKey
from attest.public_urls import status_list_url

TTL = timedelta(hours=1)
VALID_FOR = timedelta(days=2)
_cache: dict[str, tuple[bytes, datetime]] = {}


class NoSigningKey(RuntimeError):
    """No key can sign the status list (nothing has been issued yet, or keys were retired)."""


def current_status_list(session: so.Session) -> tuple[bytes, int]:
    """Return the signed status list token and its time to live in seconds."""
    revoked = sorted(
        session.scalars(
            sa.select(Attestation.status_index)
            .join(SigningKey, SigningKey.id == Attestation.signing_key_id)
            .where(
                # a superseded attestation is no longer valid either, nor one signed after its
                # key was compromised: offline verifiers must reject them as the page does
                sa.or_(
                    Attestation.status.in_(
                        [AttestationStatus.REVOKED, AttestationStatus.SUPERSEDED]
                    ),
                    Attestation.issued_at >= SigningKey.compromised_at,
                ),
                Attestation.status_index.is_not(None),
            )
        )
    )
    key_row = active_signing_key(session)
    if key_row is None:
        raise NoSigningKey("no active signing key (attest keys init)")
    fingerprint = hashlib.sha256(f"{key_row.kid}:{revoked}".encode()).hexdigest()
    now = datetime.now(UTC)
    cached = _cache.get(fingerprint)
    if cached is None or now - cached[1] > TTL:
        signer = signer_for(key_row, Path(current_app.config["KEYS_DIR"]))
        token = build_status_list(
            revoked=revoked,
            private_key=signer.private_key,
            kid=key_row.kid,
            uri=status_list_url(current_app.config["PUBLIC_URL"]),
            issued_at=now,
            size=status_list.MIN_ENTRIES,
            valid_for=VALID_FOR,
            ttl=TTL,
        )
        _cache.clear()
        _cache[fingerprint] = cached = (token, now)
    return cached[0], int(TTL.total_seconds())
