"""Recording upload at the kiosk: acknowledged only for real audio in the candidate's session."""

import hashlib

import pytest
import sqlalchemy as sa

from attest.models import Recording, Response
from tests.conftest import csrf_from
from tests.factories import make_session_with_items
from tests.web.helpers import start_at_kiosk

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 20


@pytest.fixture
def speaking(app, db, now):
    world = make_session_with_items(db, now, ("audio_response", "audio_response"))
    client = start_at_kiosk(app, world.kiosk_token, world.start_code)
    return client, csrf_from(client.get("/kiosk/item/1").get_data(as_text=True))


def upload(client, token, data, position=1, checksum=None):
    return client.post(
        f"/kiosk/item/{position}/recording",
        data=data,
        headers={
            "Content-Type": "audio/webm",
            "X-CSRFToken": token,
            "X-Content-SHA256": checksum or hashlib.sha256(data).hexdigest(),
        },
    )


def test_upload_is_acknowledged_and_the_answer_refers_to_it(db, speaking):
    client, token = speaking
    ack = upload(client, token, WEBM)
    assert ack.status_code == 201
    rec_id = ack.get_json()["recording_id"]
    assert ack.get_json()["sha256"] == hashlib.sha256(WEBM).hexdigest()
    answer = client.post("/kiosk/item/1", data={"recording_id": rec_id, "csrf_token": token})
    assert answer.status_code == 302
    response = db.scalar(sa.select(Response))
    assert response.value == {"v": {"recording_id": rec_id}} and response.score is None


def test_a_recording_of_another_task_is_refused(db, speaking):
    client, token = speaking
    other = upload(client, token, WEBM, position=2).get_json()["recording_id"]
    answer = client.post("/kiosk/item/1", data={"recording_id": other, "csrf_token": token})
    assert answer.status_code == 400
    assert db.scalar(sa.select(sa.func.count()).select_from(Response)) == 0


@pytest.mark.parametrize(
    "data, checksum, status",
    [
        (b"not audio at all" * 100, None, 400),
        (WEBM, "0" * 64, 400),
        (b"", None, 400),
    ],
)
def test_bad_uploads_get_a_clear_error_and_store_nothing(db, speaking, data, checksum, status):
    client, token = speaking
    response = upload(client, token, data, checksum=checksum)
    assert response.status_code == status and response.get_json()["message"]
    assert db.scalar(sa.select(sa.func.count()).select_from(Recording)) == 0


def test_upload_needs_the_csrf_token_and_a_session(app, speaking):
    client, _token = speaking
    assert upload(client, "forged", WEBM).status_code == 400
    stranger = app.test_client()
    assert stranger.post("/kiosk/item/1/recording", data=WEBM).status_code in (400, 403)
