"""Export an issued attestation as an Open Badges 3.0 VC-JWT signed with the issuing key."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy.orm as so

from attest.certificates.facts import facts_of
from attest.certificates.issuing import Issuer
from attest.certificates.key_service import active_signing_key, signer_for
from attest.certificates.vc import CredentialData, build_credential, sign_vc_jwt
from attest.models import Attestation, AttestationStatus


class CredentialError(Exception):
    """No credential can be made; `code` is a stable reason the views translate."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def credential_jwt(session: so.Session, att: Attestation, now: datetime, issuer: Issuer) -> str:
    """Return the VC-JWT of a valid attestation, signed by its own key while that key is in use,
    else by the current issuing key (both are in the published JWKS)."""
    if att.status is not AttestationStatus.VALID:
        raise CredentialError("not_valid", f"the attestation is {att.status.value}")
    key_row = att.signing_key
    if key_row.retired_at is not None or key_row.compromised_at is not None:
        key_row = active_signing_key(session)
        if key_row is None:
            raise CredentialError("no_key", "no active signing key")
    signer = signer_for(key_row, issuer.keys_dir)
    data = CredentialData(
        facts=facts_of(att),
        issuer_name=att.issuer_name,
        profiles_met=tuple(p["title"] for p in att.profiles if p.get("meets")),
        is_demo=att.is_demo,
    )
    return sign_vc_jwt(
        build_credential(data, issuer.public_url), signer.private_key, key_row.kid, now
    )
