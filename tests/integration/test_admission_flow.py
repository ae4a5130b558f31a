"""Admission with ID and photo -> test -> attestation (issue [19] items 2-3): the PDF prints
the photo beside the name; verification shows it only after the typed code AND the birth date
match, never on the QR page."""

from __future__ import annotations

import base64
import re
from io import BytesIO

import pytest
import sqlalchemy as sa
from PIL import Image, ImageStat

from attest import admissions
from attest.certificates import pdf as pdfmod
from attest.certificates.key_service import init_keys
from attest.models import Admission, Attestation, Role
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_centre, make_kiosk, make_user
from tests.integration.test_full_flow import register_and_start, take_test
from tests.pdftools import images, label_box, qr_codes
from tests.web.helpers import login, verify_typed
from tests.web.test_admission import admit, jpeg_bytes

PHOTO_COLOUR = (30, 160, 60)


@pytest.fixture
def centre_setup(app, db, now, keys_dir):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    init_keys(db, keys_dir, now, demo=True, public_url=app.config["PUBLIC_URL"])
    db.commit()
    return {"proctor": proctor, "kiosk_token": token}


def _issue(client, session_id: int) -> None:
    page = client.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    response = client.post(
        f"/proctor/sessions/{session_id}/attestation", data={"csrf_token": csrf_from(page)}
    )
    assert response.status_code == 302


def test_admitted_with_photo_tested_attested_and_verified(app, db, client, centre_setup):
    login(client, centre_setup["proctor"].username)
    session_id, code = register_and_start(client, "Haddad", "Rana")
    photo = jpeg_bytes(size=(480, 600), color=PHOTO_COLOUR)
    assert admit(client, session_id, photo=photo).status_code == 303
    take_test(app, db, centre_setup["kiosk_token"], code, session_id, right=99)
    _issue(client, session_id)

    att = db.scalar(sa.select(Attestation))
    admission = db.scalar(sa.select(Admission))
    assert att.photo_sha256 == admission.photo_sha256 is not None

    # The PDF: one image beside the name (right of the name column, level with it), green.
    pdf = client.get(f"/proctor/sessions/{session_id}/attestation.pdf").data
    name_left, name_bottom, _r, name_top = label_box(pdf, "Familienaam")
    beside = [
        (box, img)
        for box, img in images(pdf)
        if box[0] > pdfmod.VALUE_X and box[1] <= name_top and box[3] >= name_bottom
    ]
    assert len(beside) == 1, [box for box, _img in images(pdf)]
    (left, bottom, right, top), img = beside[0]
    assert right - left <= 30 * 72 / 25.4 + 1  # small: at most 3 cm wide
    mean = ImageStat.Stat(img.convert("RGB")).mean
    assert mean[1] > mean[0] + 60 and mean[1] > mean[2] + 60  # the photo's green

    # The QR page never shows the photo.
    [qr] = [c.text for c in qr_codes(pdf)]
    scanned = app.test_client().get(qr.removeprefix("HTTPS://ATTEST.EXAMPLE"))
    html = scanned.get_data(as_text=True)
    assert scanned.status_code == 200 and "Haddad" in html
    assert "holder-photo" not in html and "data:image" not in html

    # A typed code with a wrong birth date shows nothing; with the right one, the photo.
    wrong = verify_typed(app.test_client(), att.code, "1991-03-06").get_data(as_text=True)
    assert "holder-photo" not in wrong and "data:image" not in wrong
    right_answer = verify_typed(app.test_client(), att.code, "1991-03-05")
    assert right_answer.headers["Cache-Control"] == "no-store"
    page = right_answer.get_data(as_text=True)
    assert 'data-testid="holder-photo"' in page
    shown = re.search(r'src="data:image/jpeg;base64,([A-Za-z0-9+/=]+)"', page).group(1)
    assert base64.b64decode(shown) == admissions.photo_of(admission)
    assert Image.open(BytesIO(base64.b64decode(shown))).size == (480, 600)


def test_an_attestation_without_admission_has_no_photo(app, db, client, centre_setup):
    login(client, centre_setup["proctor"].username)
    session_id, code = register_and_start(client, "Peeters", "An")
    take_test(app, db, centre_setup["kiosk_token"], code, session_id, right=99)
    _issue(client, session_id)
    att = db.scalar(sa.select(Attestation))
    assert att.photo_sha256 is None
    page = verify_typed(app.test_client(), att.code, "1991-03-05").get_data(as_text=True)
    assert "holder-photo" not in page
    pdf = client.get(f"/proctor/sessions/{session_id}/attestation.pdf").data
    name_box = label_box(pdf, "Familienaam")
    assert not [
        box
        for box, _i in images(pdf)
        if box[0] > pdfmod.VALUE_X and box[1] <= name_box[3] and box[3] >= name_box[1]
    ]
