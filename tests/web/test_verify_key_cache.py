"""The QR page keeps parsed issuing keys between requests (issue 14, item 2), yet a key's state
changed by another process counts at the next scan, and a key made since is found."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from attest.certificates.offline_file import payload_from_pdf
from attest.models import SigningKey
from attest.storage import storage_for
from tests.factories import make_attestation


def _scan(client, app, att) -> str:
    qr = payload_from_pdf(storage_for(app.config).get(att.pdf_path))
    response = client.get(qr.removeprefix("HTTPS://ATTEST.EXAMPLE"))
    return response.get_data(as_text=True)


def _set_key(app, kid: str, **values) -> None:
    """Change a key as another process would: in a transaction of its own."""
    with app.extensions["attest_engine"].begin() as connection:
        connection.execute(sa.update(SigningKey).where(SigningKey.kid == kid).values(**values))


def test_a_compromise_and_a_new_key_count_at_the_next_scan(app, db, client):
    first = make_attestation(db, app.config)
    db.commit()
    kid = first.signing_key.kid
    assert "DEMO-attest" in _scan(client, app, first)  # valid (a demo key says so)

    _set_key(app, kid, compromised_at=first.issued_at - timedelta(seconds=1))
    page = _scan(client, app, first)
    assert "Niet geldig" in page and "DEMO-attest" not in page

    _set_key(app, kid, compromised_at=None, retired_at=first.issued_at + timedelta(seconds=1))
    assert "DEMO-attest" in _scan(client, app, first)  # retired later: still verifies

    db.expire_all()
    second = make_attestation(db, app.config)  # the active key is retired: a new one signs
    db.commit()
    assert second.signing_key.kid != kid
    assert "DEMO-attest" in _scan(client, app, second)
