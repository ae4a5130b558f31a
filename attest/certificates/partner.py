"""Partner organisations: API keys (stored hashed), allowed profiles, and the requirement check
by INSZ. Every lookup is audited with the organisation and its stated purpose, never the INSZ.
An organisation whose agreement allows it (`may_see_photo`, off by default, set by an admin)
also receives the holder's test-day photo; each lookup that returns one is audited."""

from __future__ import annotations

import base64
import hashlib
import secrets
from dataclasses import dataclass, field, replace
from datetime import date

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.admissions import attestation_photo
from attest.audit import record_event
from attest.certificates.keys import key_usable_for
from attest.certificates.requirements import MEETS, decided_by, judge_profile, profile_codes
from attest.certificates.verify import _key_info
from attest.identity import IdentityError, check_insz
from attest.models import (
    Attestation,
    AttestationStatus,
    Candidate,
    PartnerOrganisation,
    TestSession,
    User,
)
from attest.vocabulary import SKILLS

KEY_PREFIX = "atp_"
MAX_PURPOSE = 200


class PartnerError(Exception):
    """A partner request or admin action that cannot be done; `code` is stable, `message` says
    what was wrong."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def hash_key(api_key: str) -> str:
    """Return the stored form of an API key (SHA-256: the key is 256 random bits)."""
    return hashlib.sha256(api_key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(4)
    return f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}", f"{KEY_PREFIX}{prefix}"


def _check_profiles(profiles: list[str]) -> list[str]:
    known = dict(profile_codes())
    unknown = sorted(set(profiles) - set(known))
    if unknown or not profiles:
        raise PartnerError(
            "bad_profiles", f"choose one or more of: {', '.join(known)}; unknown: {unknown}"
        )
    return sorted(set(profiles))


def create_partner(
    session: so.Session, name: str, profiles: list[str], actor: User | None
) -> tuple[PartnerOrganisation, str]:
    """Create an organisation and return it with its API key (shown once, stored hashed)."""
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise PartnerError("bad_name", "the organisation needs a name of at most 200 characters")
    if session.scalar(sa.select(PartnerOrganisation.id).where(PartnerOrganisation.name == name)):
        raise PartnerError("duplicate_name", "an organisation with that name exists")
    api_key, prefix = _new_key()
    org = PartnerOrganisation(
        name=name,
        key_hash=hash_key(api_key),
        key_prefix=prefix,
        profiles=_check_profiles(list(profiles)),
        created_by_id=actor.id if actor is not None else None,
    )
    session.add(org)
    session.flush()
    record_event(
        session, actor, "partner.create", "partner_organisation", org.id, profiles=org.profiles
    )
    return org, api_key


def renew_key(session: so.Session, org: PartnerOrganisation, actor: User | None) -> str:
    """Replace an organisation's API key; the old one stops working at once."""
    api_key, prefix = _new_key()
    org.key_hash, org.key_prefix = hash_key(api_key), prefix
    session.flush()
    record_event(session, actor, "partner.renew_key", "partner_organisation", org.id)
    return api_key


def set_enabled(
    session: so.Session, org: PartnerOrganisation, enabled: bool, actor: User | None
) -> None:
    """Enable or disable an organisation's access."""
    org.is_enabled = enabled
    session.flush()
    action = "partner.enable" if enabled else "partner.disable"
    record_event(session, actor, action, "partner_organisation", org.id)


def set_may_see_photo(
    session: so.Session, org: PartnerOrganisation, allowed: bool, actor: User | None
) -> None:
    """Record whether the agreement with the organisation lets it receive the holder's
    test-day photo (off by default)."""
    org.may_see_photo = allowed
    session.flush()
    action = "partner.photo_allowed" if allowed else "partner.photo_refused"
    record_event(session, actor, action, "partner_organisation", org.id)


def partner_for_key(session: so.Session, api_key: str | None) -> PartnerOrganisation:
    """Return the enabled organisation holding this key, or raise PartnerError (401)."""
    if not api_key or not api_key.startswith(KEY_PREFIX) or len(api_key) > 100:
        raise PartnerError("unauthorized", "send the API key as 'Authorization: Bearer <key>'", 401)
    org = session.scalar(
        sa.select(PartnerOrganisation).where(PartnerOrganisation.key_hash == hash_key(api_key))
    )
    if org is None or not org.is_enabled:
        raise PartnerError("unauthorized", "the API key is unknown or disabled", 401)
    return org


@dataclass(frozen=True)
class PartnerAnswer:
    meets: bool
    profile: str
    code: str | None = None
    test_date: date | None = None
    is_demo: bool = False
    # The holder's test-day photo (JPEG), only for an organisation whose agreement allows it.
    photo: bytes | None = field(default=None, repr=False)

    def as_json(self) -> dict:
        """Return the API document: yes/no, and the attestation that meets the profile (with
        the holder's photo, base64, when the organisation may receive it)."""
        doc = {
            "meets": self.meets,
            "profile": self.profile,
            "attestation": None
            if self.code is None
            else {
                "code": self.code,
                "test_date": self.test_date.isoformat(),
                "demo": self.is_demo,
            },
        }
        if self.code is not None and self.photo is not None:
            doc["attestation"]["photo"] = {
                "content_type": "image/jpeg",
                "data": base64.b64encode(self.photo).decode("ascii"),
            }
        return doc


def check_requirement(
    session: so.Session,
    org: PartnerOrganisation,
    insz: object,
    profile: object,
    purpose: object,
    lease_start: object = None,
) -> PartnerAnswer:
    """Tell whether a valid attestation of the person with this INSZ meets the profile.

    Social housing is decided by the start of the lease, which the partner must then give.
    An indication-only profile (nationality, civic integration) is never 'met'."""
    if not isinstance(purpose, str) or not purpose.strip() or len(purpose) > MAX_PURPOSE:
        raise PartnerError(
            "bad_purpose", f"state the purpose of the lookup (1-{MAX_PURPOSE} characters)"
        )
    if not isinstance(profile, str) or profile not in dict(profile_codes()):
        known = ", ".join(c for c, _t in profile_codes())
        raise PartnerError("unknown_profile", f"profile must be one of: {known}")
    if profile not in org.profiles:
        raise PartnerError("profile_not_allowed", "this organisation may not ask about it", 403)
    try:
        digits = check_insz(insz if isinstance(insz, str) else "", None)
    except IdentityError as exc:
        raise PartnerError("bad_insz", f"insz: {exc.message}") from None
    lease = _lease_start(lease_start) if decided_by(profile) == "lease_start" else None
    answer, att = _best_attestation(session, digits, profile, lease)
    if att is not None and org.may_see_photo:
        photo = attestation_photo(session, att)
        if photo is not None:
            answer = replace(answer, photo=photo)
            # Each photo handed to a partner is on the record (no personal data: ids only).
            record_event(
                session,
                None,
                "partner.photo",
                "attestation",
                att.id,
                organisation_id=org.id,
                purpose=purpose.strip(),
            )
    record_event(
        session,
        None,
        "partner.lookup",
        "partner_organisation",
        org.id,
        organisation=org.name,
        purpose=purpose.strip(),
        profile=profile,
        meets=answer.meets,
        attestation=answer.code,
    )
    return answer


def _lease_start(value: object) -> date:
    try:
        return (
            date.fromisoformat(value.strip()) if isinstance(value, str) else date.fromisoformat("")
        )
    except ValueError:
        raise PartnerError(
            "bad_lease_start", "lease_start (YYYY-MM-DD) is required for this profile"
        ) from None


def _best_attestation(
    session: so.Session, insz: str, profile: str, lease_start: date | None
) -> tuple[PartnerAnswer, Attestation | None]:
    rows = session.scalars(
        sa.select(Attestation)
        .join(TestSession, TestSession.id == Attestation.session_id)
        .join(Candidate, Candidate.id == TestSession.candidate_id)
        .where(Candidate.insz == insz, Attestation.status == AttestationStatus.VALID)
        .order_by(Attestation.test_date.desc(), Attestation.id.desc())
    )
    for att in rows:
        if not key_usable_for(_key_info(att.signing_key), att.issued_at):
            continue
        levels = {skill: att.levels.get(skill) for skill in SKILLS}
        judged = judge_profile(profile, levels, test_date=att.test_date, lease_start=lease_start)
        if judged.outcome == MEETS:
            return PartnerAnswer(True, profile, att.code, att.test_date, att.is_demo), att
    return PartnerAnswer(False, profile), None
