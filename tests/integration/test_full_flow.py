"""One candidate from registration to a verified, sealed attestation, through the web app."""

from __future__ import annotations

import re
from datetime import UTC
from pathlib import Path

import pytest
import sqlalchemy as sa

from attest.certificates.key_service import init_keys
from attest.certificates.keys import load_certificate
from attest.certificates.seal import validate_sealed_pdf
from attest.models import Attestation, Candidate, Role, SessionItem, TestSession
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_centre, make_kiosk, make_user
from tests.format_answers import correct_answer, wrong_answer
from tests.pdftools import field_value, page_text, qr_codes
from tests.web.helpers import csrf, login, pass_sound_check, verify_api, verify_typed


@pytest.fixture
def centre_setup(app, db, now, keys_dir):
    load_demo_bank(db)
    centre = make_centre(db, name="Huis van het Nederlands Antwerpen")
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    init_keys(db, keys_dir, now, demo=True, public_url=app.config["PUBLIC_URL"])
    db.commit()
    return {"proctor": proctor, "kiosk_token": token}


def register_and_start(client, family: str, given: str) -> tuple[int, str]:
    response = client.post(
        "/proctor/candidates/new",
        data={
            "family_name": family,
            "given_names": given,
            "birth_date": "1991-03-05",
            "insz": "",
            "id_document_type": "residence_card",
            "id_document_number": "B 0123456 78",
            "csrf_token": csrf(client, "/proctor/candidates/new"),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    candidate_url = response.headers["Location"]
    token = csrf_from(client.get(candidate_url).get_data(as_text=True))
    response = client.post(
        candidate_url + "/sessions", data={"purpose": "a2-luisteren-lezen", "csrf_token": token}
    )
    assert response.status_code == 302
    session_url = response.headers["Location"]
    page = client.get(session_url).get_data(as_text=True)
    code = re.search(r'data-testid="start-code">([A-Z0-9-]+)<', page).group(1)
    assert code not in client.get(session_url).get_data(as_text=True)  # shown once
    return int(session_url.rstrip("/").rsplit("/", 1)[1]), code


def take_test(app, db, kiosk_token: str, code: str, session_id: int, right: int) -> None:
    """Answer the first `right` items correctly and the rest wrongly, then finish."""
    kiosk = app.test_client()
    kiosk.set_cookie("attest_kiosk", kiosk_token)
    token = csrf_from(kiosk.get("/kiosk/").get_data(as_text=True))
    assert kiosk.post("/kiosk/", data={"code": code, "csrf_token": token}).status_code == 302
    token = csrf_from(kiosk.get("/kiosk/language").get_data(as_text=True))
    assert (
        kiosk.post("/kiosk/language", data={"language": "nl", "csrf_token": token}).status_code
        == 302
    )
    items = db.scalars(
        sa.select(SessionItem)
        .where(SessionItem.session_id == session_id)
        .order_by(SessionItem.position)
    ).all()
    assert len(items) >= 12
    pass_sound_check(kiosk)  # before the first listening clip
    url = kiosk.get("/kiosk/resume").headers["Location"]
    for n, item in enumerate(items):
        assert url.endswith(f"/kiosk/item/{item.position}")
        page = kiosk.get(url).get_data(as_text=True)
        assert f"Vraag {item.position} van {len(items)}" in page
        iv = item.item_version
        assert (
            iv.content.get("answer") is None
            or f'value="{iv.content["answer"]}" checked' not in page
        )
        build = correct_answer if n < right else wrong_answer
        response = kiosk.post(
            url, data={**build(iv.format, iv.content), "csrf_token": csrf_from(page)}
        )
        assert response.status_code == 302
        # The answer is on the server before the next item is shown.
        db.expire_all()
        assert db.get(SessionItem, item.id).response is not None
        url = response.headers["Location"]
    assert url.endswith("/kiosk/finish")
    token = csrf_from(kiosk.get(url).get_data(as_text=True))
    done = kiosk.post(url, data={"csrf_token": token})
    assert done.headers["Location"].endswith("/kiosk/done")


NAMES = [
    ("Żółć", "Łukasz"),
    ("Nguyễn", "Thị Minh Khai"),
    ("Öztürk", "Çağrı"),
    ("Иванова", "Мария"),
    ("الحسن", "أحمد"),
]


@pytest.mark.parametrize("family, given", NAMES, ids=[f"{f} {g}" for f, g in NAMES])
def test_register_start_answer_score_issue_verify(
    app, db, client, centre_setup, keys_dir, family, given
):
    login(client, centre_setup["proctor"].username)
    session_id, code = register_and_start(client, family, given)
    take_test(app, db, centre_setup["kiosk_token"], code, session_id, right=99)

    page = client.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    assert 'data-skill="listening">A2<' in page and 'data-skill="reading">A2<' in page
    response = client.post(
        f"/proctor/sessions/{session_id}/attestation", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302
    att = db.scalar(sa.select(Attestation))
    assert att.levels == {"listening": "A2", "reading": "A2", "speaking": None, "writing": None}

    pdf = client.get(f"/proctor/sessions/{session_id}/attestation.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    stored = (Path(app.config["STORAGE_DIR"]) / att.pdf_path).read_bytes()
    assert pdf.data == stored  # served as stored, never regenerated
    check = validate_sealed_pdf(pdf.data, trust_roots=[load_certificate(keys_dir / "root.crt.pem")])
    assert check.ok and check.covers_entire_file, check.reason
    tampered = bytearray(pdf.data)
    tampered[len(tampered) // 3] ^= 0x01
    assert not validate_sealed_pdf(
        bytes(tampered), trust_roots=[load_certificate(keys_dir / "root.crt.pem")]
    ).ok
    assert field_value(pdf.data, "Familienaam") == family
    assert field_value(pdf.data, "Voornamen") == given
    [qr] = [c.text for c in qr_codes(pdf.data)]
    assert qr.startswith("HTTPS://ATTEST.EXAMPLE/V/") and len(qr) <= 376  # QR 14-Q, alphanumeric
    scanned = app.test_client().get(qr.removeprefix("HTTPS://ATTEST.EXAMPLE"))
    assert scanned.status_code == 200
    scanned_html = scanned.get_data(as_text=True)
    assert "DEMO-attest" in scanned_html and family in scanned_html and given in scanned_html
    assert f"https://attest.example/v/{att.code}" in page_text(pdf.data)  # typed by hand
    assert "DEMO" in page_text(pdf.data)

    typed = app.test_client().get(f"/v/{att.code}").get_data(as_text=True)
    assert att.code in typed and family not in typed  # the short URL asks for the birth date
    verify = verify_typed(app.test_client(), att.code, "1991-03-05")
    html = verify.get_data(as_text=True)
    assert verify.status_code == 200 and "DEMO-attest" in html
    assert family in html and given in html and "05-03-1991" in html
    api = verify_api(app.test_client(), att.code.lower(), "1991-03-05").get_json()
    assert api["status"] == "valid" and api["valid"] is True
    assert api["attestation"]["family_name"] == family
    assert api["attestation"]["levels"]["reading"] == "A2"
    assert api["attestation"]["birth_date"] == "1991-03-05"
    # issuing twice is refused; the stored PDF stays the same
    again = client.post(
        f"/proctor/sessions/{session_id}/attestation", data={"csrf_token": csrf_from(page)}
    )
    assert again.status_code in (302, 303)
    assert db.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 1


def test_a_weak_performance_gets_a_lower_level(app, db, client, centre_setup):
    login(client, centre_setup["proctor"].username)
    session_id, code = register_and_start(client, "Peeters", "An")
    take_test(app, db, centre_setup["kiosk_token"], code, session_id, right=0)
    ts = db.get(TestSession, session_id)
    db.refresh(ts)
    assert {r.skill: r.level for r in ts.results} == {
        "listening": "below_A1",
        "reading": "below_A1",
    }


@pytest.mark.parametrize("code", ["ATT-AAAA-AAAA", "garbage", "ATT-' OR 1=1", "x" * 300, "%00"])
def test_unknown_and_malformed_codes_get_the_same_answer(client, code):
    api = verify_api(client, code, "1991-03-05")
    page = verify_typed(client, code, "1991-03-05")
    assert api.status_code == page.status_code == 404
    assert api.get_json() == {"status": "not_found", "valid": False, "attestation": None}
    assert "Geen geldig attest" in page.get_data(as_text=True)


def test_issuing_before_the_test_is_finished_is_refused(app, db, client, centre_setup):
    login(client, centre_setup["proctor"].username)
    session_id, _code = register_and_start(client, "Janssens", "Els")
    page = client.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    response = client.post(
        f"/proctor/sessions/{session_id}/attestation",
        data={"csrf_token": csrf_from(page)},
        follow_redirects=True,
    )
    assert "nog niet afgerond" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 0
    assert db.scalar(sa.select(sa.func.count()).select_from(Candidate)) == 1


def test_storage_failure_while_issuing_leaves_nothing_half_issued(
    app, db, client, centre_setup, monkeypatch
):
    from attest.storage import DirectoryStorage, StorageError

    login(client, centre_setup["proctor"].username)
    session_id, code = register_and_start(client, "Peeters", "An")
    take_test(app, db, centre_setup["kiosk_token"], code, session_id, right=5)

    def disk_full(self, key, data):
        raise StorageError(f"could not store {key}: No space left on device")

    monkeypatch.setattr(DirectoryStorage, "put", disk_full)
    page = client.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    confirm = {"uncertain_reason": "resultaat besproken met de kandidaat"}  # in case it is flagged
    response = client.post(
        f"/proctor/sessions/{session_id}/attestation",
        data={"csrf_token": csrf_from(page), **confirm},
        follow_redirects=True,
    )
    assert "kon niet worden opgeslagen" in response.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 0
    monkeypatch.undo()
    page = client.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    client.post(
        f"/proctor/sessions/{session_id}/attestation",
        data={"csrf_token": csrf_from(page), **confirm},
    )
    assert db.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 1


def _issued(app, db, client, centre_setup, family="Peeters", given="An"):
    login(client, centre_setup["proctor"].username)
    session_id, code = register_and_start(client, family, given)
    take_test(app, db, centre_setup["kiosk_token"], code, session_id, right=99)
    page = client.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    client.post(f"/proctor/sessions/{session_id}/attestation", data={"csrf_token": csrf_from(page)})
    att = db.scalar(sa.select(Attestation))
    pdf = client.get(f"/proctor/sessions/{session_id}/attestation.pdf").data
    [qr] = [c.text for c in qr_codes(pdf)]
    return att, qr.removeprefix("HTTPS://ATTEST.EXAMPLE")


def test_scanned_payload_revocation_and_offline_material(app, db, client, centre_setup):
    from datetime import datetime

    from attest.certificates.offline import verify_offline
    from attest.models import AttestationStatus

    att, path = _issued(app, db, client, centre_setup)
    anonymous = app.test_client()
    jwks = anonymous.get("/.well-known/jwks.json").get_json()
    assert [k["kid"] for k in jwks["keys"]] == [att.signing_key.kid]
    status_list = anonymous.get("/status/attestations")
    assert status_list.mimetype == "application/statuslist+cwt"
    now = datetime.now(UTC)
    assert verify_offline(path, jwks, status_list.data, now).status == "valid"
    assert 'data-testid="names-shortened"' not in anonymous.get(path).get_data(as_text=True)

    # one changed character of the payload: the same failure as an unknown code
    tampered = path[:-3] + ("A" if path[-3] != "A" else "B") + path[-2:]
    assert anonymous.get(tampered).status_code == 404
    assert anonymous.get("/V/NOT-A-PAYLOAD").status_code == 404

    att.status, att.revoked_at = AttestationStatus.REVOKED, now
    att.revocation_reason = "fraude bij de identiteitscontrole"
    db.commit()
    page = anonymous.get(path).get_data(as_text=True)
    assert "Ingetrokken attest" in page and "fraude" in page
    revoked_list = anonymous.get("/status/attestations").data
    assert verify_offline(path, jwks, revoked_list, now).status == "revoked"


def test_attest_verify_works_offline_on_the_pdf_and_the_qr_text(
    app, db, client, centre_setup, tmp_path
):
    from click.testing import CliRunner

    from attest.cli.verify import verify_command

    att, path = _issued(app, db, client, centre_setup, family="Иванова", given="Мария")
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(app.test_client().get("/.well-known/jwks.json").data)
    status = tmp_path / "status.cwt"
    status.write_bytes(app.test_client().get("/status/attestations").data)
    pdf = tmp_path / "attest.pdf"
    pdf.write_bytes(client.get(f"/proctor/sessions/{att.session_id}/attestation.pdf").data)
    runner = CliRunner()
    ok = runner.invoke(
        verify_command, [str(pdf), "--jwks", str(jwks), "--status-list", str(status)]
    )
    assert ok.exit_code == 0, ok.output
    assert "seal: ok" in ok.output and "status: valid" in ok.output and "Иванова" in ok.output
    qr = runner.invoke(verify_command, ["HTTPS://ATTEST.EXAMPLE" + path, "--jwks", str(jwks)])
    assert qr.exit_code == 1 and "status_unknown" in qr.output  # genuine; no list given

    assert ok.output.strip().splitlines()[-1] == "verdict: valid"


def _tampered_copies(pdf: bytes) -> dict[str, bytes]:
    """A byte flipped inside the signed range, the file cut short, a revision appended."""
    from io import BytesIO

    from pyhanko.pdf_utils.generic import NameObject, pdf_string
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    flipped = bytearray(pdf)
    flipped[len(flipped) // 2] ^= 0x01
    writer = IncrementalPdfFileWriter(BytesIO(pdf))
    writer.root[NameObject("/Lang")] = pdf_string("en")
    writer.update_root()
    appended = BytesIO()
    writer.write(appended)
    return {"flipped": bytes(flipped), "truncated": pdf[:-300], "appended": appended.getvalue()}


def test_attest_verify_ends_a_broken_seal_in_one_line_without_traceback(
    app, db, client, centre_setup, tmp_path
):
    import io
    import logging

    att, _path = _issued(app, db, client, centre_setup, family="Иванова", given="Мария")
    jwks = tmp_path / "jwks.json"
    jwks.write_bytes(app.test_client().get("/.well-known/jwks.json").data)
    status = tmp_path / "status.cwt"
    status.write_bytes(app.test_client().get("/status/attestations").data)
    sealed = client.get(f"/proctor/sessions/{att.session_id}/attestation.pdf").data
    # As on a terminal, pyHanko's log records are shown (its tracebacks leaked that way). They
    # go to a buffer of their own, not the process's stderr: under xdist, threads left by other
    # tests of the same worker may write there, which made this test flaky.
    shown = io.StringIO()
    handler = logging.StreamHandler(shown)
    logging.getLogger("pyhanko").addHandler(handler)
    try:
        _check_tampered(sealed, tmp_path, jwks, status, shown)
    finally:
        logging.getLogger("pyhanko").removeHandler(handler)


def _check_tampered(sealed, tmp_path, jwks, status, shown):
    from click.testing import CliRunner

    from attest.cli.verify import verify_command

    for name, data in _tampered_copies(sealed).items():
        pdf = tmp_path / f"{name}.pdf"
        pdf.write_bytes(data)
        bad = CliRunner().invoke(
            verify_command, [str(pdf), "--jwks", str(jwks), "--status-list", str(status)]
        )
        lines = bad.output.strip().splitlines()
        assert bad.exit_code == 1, (name, bad.output)
        assert lines[0].startswith("seal: NOT OK"), (name, bad.output)
        assert lines[-1].startswith("verdict: NOT VALID: the seal is not intact"), name
        assert len(lines) == 2, (name, bad.output)  # no status, no names
        assert "Иванова" not in bad.output and "status: valid" not in bad.output
        assert "Traceback" not in bad.output + shown.getvalue(), name


def test_a_third_party_asks_whether_a_requirement_is_met(app, db, client, centre_setup):
    att, path = _issued(app, db, client, centre_setup)  # listening and reading A2, no speaking
    visitor = app.test_client()
    unstated = verify_typed(visitor, att.code, "1991-03-05", "sociale-huur").get_data(as_text=True)
    assert "startdatum van het huurcontract" in unstated  # the lease start decides the rule
    housing = verify_typed(
        visitor, att.code, "1991-03-05", "sociale-huur", lease_start="2023-03-01"
    ).get_data(as_text=True)
    assert "Voldoet niet aan: Sociale huur, taalkennis A2 mondeling" in housing
    assert "spreken: niet getest, nodig is A2" in housing
    assert "01-03-2025" in housing or "1 mrt 2025" in housing  # within two years of the lease
    assert "Vlaamse Codex Wonen" in housing and "https://www.vlaanderen.be/" in housing
    old_lease = verify_typed(
        visitor, att.code, "1991-03-05", "sociale-huur", lease_start="2017-10-31"
    ).get_data(as_text=True)
    assert "taalbereidheid" in old_lease and "Voldoet" not in old_lease.split("judgement")[-1]
    scanned = visitor.get(f"{path}?profile=sociale-huur&lease_start=2023-03-01")
    assert "Voldoet niet aan" in scanned.get_data(as_text=True)
    api = verify_api(
        visitor, att.code, "1991-03-05", profile="sociale-huur", lease_start="2023-03-01"
    ).get_json()
    assert api["requirement"]["meets"] is False and api["requirement"]["outcome"] == "not_met"
    assert api["requirement"]["deadline"] == "2025-03-01"
    shortfall = {"skill": "speaking", "level": None, "needed": "A2", "why": "not_tested"}
    assert shortfall in api["requirement"]["shortfalls"]
    nationality = verify_api(visitor, att.code, "1991-03-05", profile="nationaliteit").get_json()
    assert nationality["requirement"]["indication_only"] is True
    assert nationality["requirement"]["meets"] is False
    malformed = verify_api(
        visitor, att.code, "1991-03-05", profile="sociale-huur", lease_start="maart 2023"
    )
    assert malformed.status_code == 400 and malformed.get_json()["error"] == "bad_lease_start"
    bad = verify_api(visitor, att.code, "1991-03-05", profile="no-such-rule")
    assert bad.status_code == 400 and "sociale-huur" in bad.get_json()["message"]
    assert verify_typed(visitor, att.code, "1991-03-05", "no-such-rule").status_code == 200


def test_a_reissue_supersedes_the_old_attestation_and_keeps_the_link(app, db, client, centre_setup):
    from datetime import datetime

    from attest.certificates.issuing import IssueError, issuer_of, reissue_attestation
    from attest.certificates.offline import verify_offline
    from attest.models import AttestationStatus, AuditEvent

    old, old_path = _issued(app, db, client, centre_setup)
    now = datetime.now(UTC)
    new = reissue_attestation(
        db, old, centre_setup["proctor"], "herbeoordeling na beroep", now, issuer_of(app)
    )
    db.commit()
    assert old.status is AttestationStatus.SUPERSEDED and old.superseded_at is not None
    assert new.supersedes_id == old.id and new.code != old.code
    assert new.status_index != old.status_index and new.session_id == old.session_id
    # the proctor's page and PDF now show the new attestation
    page = client.get(f"/proctor/sessions/{old.session_id}").get_data(as_text=True)
    assert new.code in page
    # the old one is shown as replaced, online and offline
    anonymous = app.test_client()
    replaced = verify_typed(anonymous, old.code, "1991-03-05").get_data(as_text=True)
    assert "vervangen" in replaced.lower()
    jwks = anonymous.get("/.well-known/jwks.json").get_json()
    status_list = anonymous.get("/status/attestations").data
    assert verify_offline(old_path, jwks, status_list, now).status != "valid"
    assert verify_typed(anonymous, new.code, "1991-03-05").status_code == 200
    actions = db.scalars(sa.select(AuditEvent.action)).all()
    assert "attestation.supersede" in actions
    # a superseded attestation cannot be replaced a second time, and a reason is required
    with pytest.raises(IssueError):
        reissue_attestation(db, old, centre_setup["proctor"], "nog eens", now, issuer_of(app))
    with pytest.raises(IssueError):
        reissue_attestation(db, new, centre_setup["proctor"], "  ", now, issuer_of(app))


def test_session_events_call_the_proctor_until_resolved(app, db, centre_setup, now):
    from attest.assessment.delivery import create_session
    from attest.assessment.session_events import log_session_event, open_calls, resolve_event
    from tests.factories import make_candidate

    proctor = centre_setup["proctor"]
    ts, _code = create_session(
        db, make_candidate(db, centre=proctor.centre), "a2-mondeling", proctor, now
    )
    log_session_event(db, ts, "focus_lost", seconds=3)
    call = log_session_event(db, ts, "microphone_problem", reason="silent")
    db.commit()
    assert [e.kind for e in open_calls(db, ts)] == ["microphone_problem"]
    resolve_event(db, call, proctor, now)
    db.commit()
    assert open_calls(db, ts) == []


def test_issuing_prints_only_the_requirement_asked_and_an_uncertain_result_needs_confirming(
    app, db, client, centre_setup
):
    from attest.models import AuditEvent, SkillResult
    from tests.pdftools import page_text

    login(client, centre_setup["proctor"].username)
    session_id, code = register_and_start(client, "Peeters", "An")
    take_test(app, db, centre_setup["kiosk_token"], code, session_id, right=99)
    result = db.scalars(sa.select(SkillResult).where(SkillResult.session_id == session_id)).first()
    result.is_uncertain = True  # as a result with P(level) under 0.80 is stored
    db.commit()
    page = client.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    assert 'data-testid="uncertain-warning"' in page
    url = f"/proctor/sessions/{session_id}/attestation"
    ask = {"csrf_token": csrf_from(page), "requirement": "sociale-huur"}
    refused = client.post(url, data=ask | {"uncertain_reason": "ok"}, follow_redirects=True)
    assert "startdatum van het huurcontract" in refused.get_data(as_text=True)
    refused = client.post(url, data=ask | {"lease_start": "2024-09-01"}, follow_redirects=True)
    assert "onzeker" in refused.get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count()).select_from(Attestation)) == 0

    reason = "kandidaat verklaarde hoofdpijn; resultaat besproken en bevestigd"
    issued = client.post(url, data=ask | {"lease_start": "2024-09-01", "uncertain_reason": reason})
    assert issued.status_code == 302
    att = db.scalar(sa.select(Attestation))
    assert att.requirement_code == "sociale-huur" and att.lease_start.isoformat() == "2024-09-01"
    assert att.uncertain_reason == reason
    assert att.uncertain_confirmed_by_id == centre_setup["proctor"].id
    assert db.scalar(sa.select(AuditEvent).where(AuditEvent.action == "attestation.issue"))
    pdf = client.get(f"/proctor/sessions/{session_id}/attestation.pdf").data
    text = " ".join(page_text(pdf).split())
    assert "Voldoet niet aan: Sociale huur, taalkennis A2 mondeling" in text
    assert "Reden: spreken: niet getest, A2 gevraagd." in text
    assert "nationaliteit" not in text.lower() and "taxi" not in text.lower()


def test_the_qr_page_says_a_shortened_name_is_in_full_on_the_pdf(app, db, client, centre_setup):
    family, given = "Vandenbroucke-" + "Abcdefghij" * 5, "Marie-Christine " + "Klmnopqrst" * 5
    att, path = _issued(app, db, client, centre_setup, family=family, given=given)
    page = app.test_client().get(path).get_data(as_text=True)
    assert "…" in page
    assert "het gedrukte attest vermeldt de volledige naam" in page
    assert 'data-testid="names-shortened"' in page
