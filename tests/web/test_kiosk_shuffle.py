"""The kiosk shows each candidate the option order stored for them, the same on every reload;
an answer is scored by option id whatever place it was shown at; the admins' answers page of
the session shows the same order, the candidate's answer and the key."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from attest.assessment import shuffle
from attest.assessment.delivery import create_session
from attest.models import Role, SessionItem
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.web.helpers import login, start_at_kiosk


@pytest.fixture
def started(app, db, now):
    load_demo_bank(db)
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    ts, code = create_session(
        db, make_candidate(db, centre=centre), "a2-luisteren-lezen", proctor, now
    )
    db.commit()
    return ts.id, start_at_kiosk(app, token, code)


def shown_ids(page: str) -> list[str]:
    return re.findall(r'<input type="radio" name="answer" value="([a-h])"', page)


def test_the_stored_order_is_shown_on_every_reload_and_the_key_scores(app, db, started):
    session_id, client = started
    items = db.scalars(
        sa.select(SessionItem)
        .where(SessionItem.session_id == session_id)
        .order_by(SessionItem.position)
    ).all()
    single = [i for i in items if i.item_version.format == "single_choice"]
    # An item may keep its bank order (`shuffle: false`: numbers, times): it stores none.
    kept = [i for i in single if not shuffle.is_shuffled("single_choice", i.item_version.content)]
    assert all(i.display_order is None for i in kept)
    choice = [i for i in single if i not in kept]
    assert choice and all(i.display_order for i in choice)
    differs = 0
    for item in choice[:6]:
        url = f"/kiosk/item/{item.position}"
        first = client.get(url).get_data(as_text=True)
        assert shown_ids(first) == item.display_order["options"]
        assert shown_ids(client.get(url).get_data(as_text=True)) == shown_ids(first)
        differs += shown_ids(first) != sorted(shown_ids(first))
    assert differs  # not the bank order everywhere
    item = choice[0]
    key = item.item_version.content["answer"]
    url = f"/kiosk/item/{item.position}"
    page = client.get(url).get_data(as_text=True)
    assert client.post(url, data={"answer": key, "csrf_token": csrf_from(page)}).status_code == 302
    db.expire_all()
    answered = db.get(SessionItem, item.id)
    assert answered.response.value == {"v": key} and answered.response.score == 1.0
    # the review page shows the same order with the answer checked, and names the key
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    staff = app.test_client()
    login(staff, admin.username)
    review = staff.get(f"/admin/sessions/{session_id}/answers")
    assert review.status_code == 200
    html = review.get_data(as_text=True)
    section = html.split(f'data-position="{item.position}"', 1)[1].split("</section>", 1)[0]
    assert shown_ids(section) == item.display_order["options"]
    assert re.search(rf'value="{key}" checked', section)
    label = "abcdefgh"[item.display_order["options"].index(key)].upper()
    assert f"{label} ({key}): " in section
