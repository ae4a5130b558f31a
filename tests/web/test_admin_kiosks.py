"""An admin registers a kiosk: that browser gets a long-lived device token and can start tests."""

import sqlalchemy as sa

from attest.models import Kiosk, Role
from tests.conftest import csrf_from
from tests.factories import make_centre, make_user
from tests.web.helpers import login


def test_admin_registers_this_browser_as_a_kiosk(app, db, client):
    centre = make_centre(db, name="Huis van het Nederlands Leuven")
    admin = make_user(db, role=Role.ADMIN)
    db.commit()
    login(client, admin.username)
    page = client.get("/admin/").get_data(as_text=True)
    response = client.post(
        "/admin/kiosks",
        data={"centre": centre.id, "name": "kiosk-zaal-2", "csrf_token": csrf_from(page)},
    )
    assert response.status_code == 302
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("attest_kiosk=")
    )
    assert cookie.startswith("attest_kiosk=") and "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie and "Max-Age=31536000" in cookie
    kiosk = db.scalar(sa.select(Kiosk).where(Kiosk.name == "kiosk-zaal-2"))
    token = cookie.split(";")[0].split("=", 1)[1]
    assert kiosk.token_hash and token not in kiosk.token_hash  # only a hash is stored
    # the admin's browser is now a kiosk; a fresh browser is not
    assert client.get("/kiosk/").status_code == 200
    assert app.test_client().get("/kiosk/").status_code == 403
    duplicate = client.post(
        "/admin/kiosks",
        data={"centre": centre.id, "name": "kiosk-zaal-2", "csrf_token": csrf_from(page)},
    )
    assert duplicate.status_code == 303
    assert db.scalar(sa.select(sa.func.count()).select_from(Kiosk)) == 1


def test_enrolment_link_works_once(app, db, client):
    centre = make_centre(db)
    admin = make_user(db, role=Role.ADMIN)
    db.add(Kiosk(centre=centre, name="kiosk-a"))
    db.commit()
    kiosk_id = db.scalar(sa.select(Kiosk.id))
    login(client, admin.username)
    page = client.get("/admin/").get_data(as_text=True)
    html = client.post(
        f"/admin/kiosks/{kiosk_id}/link", data={"csrf_token": csrf_from(page)}
    ).get_data(as_text=True)
    link = html.split("/kiosk/enrol/")[1].split("<")[0]
    kiosk_browser = app.test_client()
    assert kiosk_browser.get(f"/kiosk/enrol/{link}").status_code == 302
    assert kiosk_browser.get("/kiosk/").status_code == 200
    assert app.test_client().get(f"/kiosk/enrol/{link}").status_code == 403
