"""Admin pages live under /admin (issue [10]): the pages about examiners moved from
/examiner/admin/... to /admin/examiners/..., the item, report, answer and trust pages are
blueprints nested in the admin blueprint (endpoints admin.items.*, ...), and the Verifiable
Credential download moved to the proctor pages. Every old URL redirects (308, query kept)."""

from __future__ import annotations

import pytest

from attest.models import Role
from tests.factories import make_centre, make_user
from tests.web.helpers import csrf, login

MOVED = [
    ("/examiner/admin/examiners", "/admin/examiners/"),
    ("/examiner/admin/examiners/7", "/admin/examiners/7"),
    ("/examiner/admin/examiners/7/exempt", "/admin/examiners/7/exempt"),
    ("/examiner/admin/examiners/7/senior", "/admin/examiners/7/senior"),
    ("/examiner/admin/turnaround", "/admin/examiners/turnaround"),
    ("/examiner/admin/performances", "/admin/examiners/performances"),
    ("/examiner/admin/performances/3/benchmark", "/admin/examiners/performances/3/benchmark"),
    ("/examiner/admin/performances/3/remark", "/admin/examiners/performances/3/remark"),
    ("/attestations/5/credential.jwt", "/proctor/attestations/5/credential.jwt"),
]


@pytest.mark.parametrize(("old", "new"), MOVED)
def test_each_old_url_redirects_to_its_new_place_keeping_the_query(client, old, new):
    response = client.get(old + "?centre=2&x=a%20b")
    assert response.status_code == 308
    assert response.headers["Location"].endswith(new + "?centre=2&x=a%20b") or (
        # url_for builds the credential URL: without the query (a download has none)
        old.endswith("credential.jwt") and response.headers["Location"].endswith(new)
    )


def test_a_post_to_an_old_url_stays_a_post(client):
    token = csrf(client)  # the old form carries its token; the redirect keeps the body
    response = client.post("/examiner/admin/examiners/7/senior", data={"csrf_token": token})
    assert response.status_code == 308  # the browser repeats the POST, body and all
    assert response.headers["Location"].endswith("/admin/examiners/7/senior")


def test_an_unknown_old_admin_url_is_not_found(client):
    assert client.get("/examiner/admin/nothing").status_code == 404


def test_the_new_admin_pages_answer_an_admin(app, db, client):
    admin = make_user(db, role=Role.ADMIN, centre=make_centre(db))
    db.commit()
    login(client, admin.username)
    for url in (
        "/admin/examiners/",
        "/admin/examiners/turnaround",
        "/admin/examiners/performances",
        "/admin/items/",
        "/admin/reports/",
        "/admin/attestations",
        "/admin/partners",
    ):
        assert client.get(url).status_code == 200, url
    page = client.get("/admin/").get_data(as_text=True)
    assert 'href="/admin/examiners/"' in page and 'href="/admin/items/"' in page


def test_nested_admin_blueprints_name_their_endpoints_under_admin(app):
    endpoints = {rule.endpoint: rule.rule for rule in app.url_map.iter_rules()}
    assert endpoints["admin.items.index"].startswith("/admin/items")
    assert endpoints["admin.reports.index"].startswith("/admin/reports")
    assert endpoints["admin.answers.shown"].startswith("/admin/sessions/")
    assert endpoints["admin.trust.partners"] == "/admin/partners"
    assert endpoints["examiner_admin.index"] == "/admin/examiners/"
    assert not any(
        rule.startswith("/examiner/admin/")
        for ep, rule in endpoints.items()
        if ep != "examiner.old_admin_url"
    )
