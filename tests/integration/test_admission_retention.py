"""Retention and subject access of admissions (issue [19] item 2): the test-day photo and the
ID document facts go `photo_days` after admission when no attestation was issued, and with the
candidate's data when one was; the subject-access export holds the photo."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
import sqlalchemy as sa

from attest import admissions
from attest.assessment.delivery import create_session
from attest.models import Admission, Role
from attest.retention_rules import RetentionPolicy
from tests.factories import make_admission, make_candidate, make_user
from tests.integration.test_retention import T0, _run
from tests.integration.test_retention import world as world  # noqa: F401  (fixture)
from tests.web.helpers import login
from tests.web.test_admission import jpeg_bytes

pytestmark = pytest.mark.database


def _admission(db, ts, photo: bytes, at) -> Admission:
    return make_admission(
        db, session_id=ts.id, candidate_id=ts.candidate_id, photo=photo, at=at, country="MA"
    )


@pytest.fixture
def admitted(app, db, world):
    """The attested test of `world` has an admission; so has a test that was never taken."""
    attested = _admission(db, world["ts"], jpeg_bytes(color=(10, 200, 10)), T0)
    walk_in = make_candidate(db, centre=world["ts"].centre, family_name="Haddad")
    never, _code = create_session(db, walk_in, "a2-luisteren-lezen", world["proctor"], T0)
    not_attested = _admission(db, never, jpeg_bytes(color=(200, 10, 10)), T0)
    db.commit()
    return attested.id, not_attested.id


def test_a_photo_without_attestation_goes_after_photo_days(app, db, admitted):
    attested, not_attested = admitted
    assert RetentionPolicy().photo_days == 365
    assert _run(app, db, T0 + timedelta(days=364)).admissions_erased == []
    report = _run(app, db, T0 + timedelta(days=366))
    assert report.admissions_erased == [not_attested]
    gone = db.get(Admission, not_attested)
    assert gone.photo_sealed is None and gone.photo_sha256 is None
    assert (gone.number_last4, gone.country, gone.expires_on) == ("", "", None)
    assert gone.erased_at is not None
    raw = db.execute(
        sa.text("SELECT photo_sealed FROM admission WHERE id = :i"), {"i": not_attested}
    ).scalar_one()
    assert raw is None
    # the attested one stays as long as verification shows the holder
    assert admissions.photo_of(db.get(Admission, attested)) is not None


def test_an_attested_photo_goes_with_the_candidates_data(app, db, world, admitted):
    attested, _other = admitted
    _run(app, db, T0 + timedelta(days=731))  # answers first: then the candidate may go
    report = _run(app, db, T0 + timedelta(days=1828))
    assert world["cand"].id in report.candidates_anonymised
    assert attested in report.admissions_erased
    assert db.get(Admission, attested).photo_sealed is None
    assert admissions.attestation_photo(db, world["att"]) is None  # verification shows none


def test_subject_access_includes_the_photo(app, db, client, world, admitted):
    attested, _other = admitted
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    response = client.get(f"/admin/candidates/{world['cand'].id}/export.zip")
    zf = zipfile.ZipFile(io.BytesIO(response.data))
    doc = json.loads(zf.read("candidate.json"))
    adm = doc["tests"][0]["admission"]
    assert adm["number_last4"] == "4567" and adm["country"] == "MA"
    assert zf.read(adm["photo_file"]) == admissions.photo_of(db.get(Admission, attested))
    assert zf.read(adm["photo_file"]).startswith(b"\xff\xd8\xff")
