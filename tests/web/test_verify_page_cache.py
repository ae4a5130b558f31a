"""The QR page keeps its rendered result per payload, language and what the lookup read
(issue 14, item 2): a kept page is served again only while nothing it shows has changed, so a
revoked or superseded attestation, or one whose key was compromised since, is never shown as
valid from the kept page, and a page is never served in another language than asked."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from flask import template_rendered

from attest.certificates import verify_views
from attest.certificates.offline_file import payload_from_pdf
from attest.models import Attestation, AttestationStatus, RevocationReason
from attest.storage import storage_for
from tests.factories import make_attestation


def _path(app, att) -> str:
    qr = payload_from_pdf(storage_for(app.config).get(att.pdf_path))
    return qr.removeprefix("HTTPS://ATTEST.EXAMPLE")


class _Renders:
    """Count the verification result pages rendered (a page served from the cache is not)."""

    def __init__(self, app) -> None:
        self.count = 0
        template_rendered.connect(self._seen, app)

    def _seen(self, _app, template, context, **_extra) -> None:
        if template.name == "verify/result.html":
            self.count += 1


def _update(app, code: str, **values) -> None:
    """Change the attestation as another process would: in a transaction of its own."""
    with app.extensions["attest_engine"].begin() as connection:
        connection.execute(sa.update(Attestation).where(Attestation.code == code).values(**values))


def test_the_same_scan_is_served_from_the_kept_page(app, db, client):
    att = make_attestation(db, app.config)
    db.commit()
    renders = _Renders(app)
    first = client.get(_path(app, att))
    second = client.get(_path(app, att))
    assert first.status_code == second.status_code == 200
    assert second.get_data() == first.get_data() and "DEMO-attest" in first.get_data(as_text=True)
    assert renders.count == 1  # rendered once, then served as kept
    assert second.headers["Cache-Control"] == "no-store"  # the page names the holder
    assert "Content-Security-Policy" in second.headers


def test_a_revoked_attestation_is_never_served_from_the_kept_page(app, db, client):
    att = make_attestation(db, app.config, now=datetime.now(UTC) - timedelta(days=3))
    db.commit()
    path = _path(app, att)
    for _ in range(2):  # kept while valid
        assert "DEMO-attest" in client.get(path).get_data(as_text=True)

    _update(
        app,
        att.code,
        status=AttestationStatus.REVOKED,
        revoked_at=datetime.now(UTC) - timedelta(days=1),
        revocation_reason_code=RevocationReason.FRAUD,
    )
    page = client.get(path).get_data(as_text=True)
    assert "Ingetrokken attest" in page and "Reden: fraude." in page
    assert "DEMO-attest" not in page

    _update(app, att.code, revocation_reason_code=RevocationReason.ERROR)  # a corrected reason
    page = client.get(path).get_data(as_text=True)
    assert "Reden: fout bij het uitreiken." in page and "fraude" not in page


def test_a_superseded_attestation_is_never_served_from_the_kept_page(app, db, client):
    att = make_attestation(db, app.config)
    db.commit()
    path = _path(app, att)
    assert "DEMO-attest" in client.get(path).get_data(as_text=True)
    _update(app, att.code, status=AttestationStatus.SUPERSEDED)
    page = client.get(path).get_data(as_text=True)
    assert "Vervangen door een nieuwer attest" in page and "DEMO-attest" not in page


def test_the_kept_page_follows_the_language_asked(app, db, client):
    att = make_attestation(db, app.config)
    db.commit()
    path = _path(app, att)
    renders = _Renders(app)
    dutch = client.get(path, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    english = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert 'lang="nl"' in dutch and "Niveau per vaardigheid" in dutch
    assert 'lang="en"' in english and "Niveau per vaardigheid" not in english
    again = client.get(path, headers={"Accept-Language": "nl"}).get_data(as_text=True)
    assert again == dutch
    assert renders.count == 2  # one page per language, each kept


def test_a_question_about_a_profile_is_answered_not_kept(app, db, client):
    att = make_attestation(db, app.config)
    db.commit()
    path = _path(app, att)
    renders = _Renders(app)
    client.get(path)
    client.get(path + "?profile=sociale-huur")
    client.get(path + "?profile=sociale-huur")
    assert renders.count == 3  # the judgement depends on the question: rendered every time


def test_the_kept_pages_are_bounded():
    pages = verify_views._Pages(2)
    for n in range(3):
        pages.put((n,), f"page {n}")
    assert pages.get((0,)) is None and pages.get((2,)) == "page 2"


def test_the_signature_of_a_scanned_payload_is_checked_once(app, db, client, monkeypatch):
    from attest.certificates import cose

    att = make_attestation(db, app.config)
    db.commit()
    checks = []
    real = cose.verify_es256

    def counted(*args):
        checks.append(args)
        return real(*args)

    monkeypatch.setattr(cose, "verify_es256", counted)
    path = _path(app, att)
    assert client.get(path).status_code == client.get(path).status_code == 200
    assert len(checks) == 1  # the verdict of the same bytes is kept

    # One character of the signature changed (not the last one, whose padding bits must stay
    # zero): a canonical text whose signature is checked, and fails.
    forged = path[:-2] + ("A" if path[-2] != "A" else "B") + path[-1]
    assert client.get(forged).status_code == 404
    assert client.get(forged).status_code == 404
    assert len(checks) == 3  # checked each time: a refused text is never kept
