"""Standard-setting pages (issue [17] item 1): an admin runs a panel through the pages and its
panellists (TOTP, like examiners) judge on theirs; a double-click on adopt or on submit makes
one version or one judgement; two panels adopting at once never lose one's cuts."""

from __future__ import annotations

import math
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
from markupsafe import escape

from attest.assessment import standard_setting as ss
from attest.assessment.purposes import get_purpose
from attest.models import AuditEvent, CutScoreVersion, Item, PanelJudgement, Role
from attest.standard_setting import services
from attest.standard_setting.descriptors import descriptor_key
from attest.vocabulary import level_range
from tests.factories import load_demo_bank, make_user
from tests.web.helpers import csrf, login, slow_down, together, twin

NOW = datetime(2026, 12, 7, 10, 0, tzinfo=UTC)


@pytest.fixture
def people(db):
    load_demo_bank(db)
    admin = make_user(db, role=Role.ADMIN)
    panellists = [make_user(db, role=Role.PANELLIST) for _ in range(2)]
    db.commit()
    return admin, panellists


def marks(n: int, shift: int = 0) -> dict[str, int]:
    return {"A1": 2 + shift, "A2": n // 2 + shift, "B1": n - 6 + shift, "B2": n - 2 + shift}


def judged_panel(db, admin, panellists, skill="reading", rounds_done=2):
    """A panel whose panellists judged `rounds_done` rounds (through the services)."""
    panel = services.create_panel(db, admin, name=f"{skill}", skill=skill, method="bookmark",
                                  now=NOW)  # fmt: skip
    n = len(panel.material)
    for user in panellists:
        services.add_panellist(db, admin, panel.id, user, "docent", NOW)
        services.submit_familiarisation(db, user, panel.id, descriptor_key(skill), NOW)
    for round_no in range(1, rounds_done + 1):
        if round_no > 1:
            services.open_next_round(db, admin, panel.id, round_no - 1)
        for shift, user in enumerate(panellists):
            services.submit_judgement(db, user, panel.id, round_no,
                                      {"bookmarks": marks(n, shift)}, NOW)  # fmt: skip
    db.commit()
    return panel


def test_a_panel_runs_through_the_pages_to_adopted_cuts(app, db, people):
    admin, panellists = people
    boss = app.test_client()
    login(boss, admin.username)
    page = boss.get("/admin/panels/")
    assert "provisional-1" in page.get_data(as_text=True)
    response = boss.post("/admin/panels/", data={
        "name": "Lezen december", "skill": "reading", "method": "bookmark", "purpose": "",
        "rounds": "2", "csrf_token": csrf(boss, "/admin/panels/"),
    })  # fmt: skip
    assert response.status_code == 302
    detail = response.headers["Location"]
    panel_id = int(detail.rstrip("/").rsplit("/", 1)[1])
    for user in panellists:
        boss.post(f"/admin/panels/{panel_id}/members", data={
            "user_id": user.id, "role_label": "docent", "csrf_token": csrf(boss, detail),
        })  # fmt: skip
    assert "docent" in boss.get(detail).get_data(as_text=True)

    key = descriptor_key("reading")
    clients = []
    for shift, user in enumerate(panellists):
        browser = app.test_client()
        login(browser, user.username)  # the panellist passes the TOTP step
        assert browser.get("/").headers["Location"].endswith("/panels/")
        url = f"/panels/{panel_id}"
        assert "Vertrouwd maken" in browser.get(url).get_data(as_text=True)
        sort = {f"d-{d}": level for d, level in key.items()}
        browser.post(f"{url}/familiarisation", data={**sort, "csrf_token": csrf(browser, url)})
        page = browser.get(url).get_data(as_text=True)
        pages = page.count('data-testid="booklet-item"')
        form = {f"bookmark-{lv}": str(p) for lv, p in marks(pages, shift).items()}
        browser.post(f"{url}/rounds/1", data={**form, "csrf_token": csrf(browser, url)})
        assert 'data-testid="submitted"' in browser.get(url).get_data(as_text=True)
        clients.append((browser, form))
    assert "100%" in boss.get(detail).get_data(as_text=True)  # familiarisation agreement

    # Adopting after one round is refused with a reason, and changes nothing.
    boss.post(f"/admin/panels/{panel_id}/adopt", data={"csrf_token": csrf(boss, detail)})
    assert "na twee volledige rondes" in boss.get(detail).get_data(as_text=True)
    assert db.scalar(sa.select(sa.func.count(CutScoreVersion.id))) == 0

    boss.post(f"/admin/panels/{panel_id}/next-round",
              data={"current": "1", "csrf_token": csrf(boss, detail)})  # fmt: skip
    for browser, form in clients:
        url = f"/panels/{panel_id}"
        assert "Terugkoppeling van ronde 1" in browser.get(url).get_data(as_text=True)
        browser.post(f"{url}/rounds/2", data={**form, "csrf_token": csrf(browser, url)})
    boss.post(f"/admin/panels/{panel_id}/adopt", data={"csrf_token": csrf(boss, detail)})
    page = boss.get(detail).get_data(as_text=True)
    assert 'data-testid="adopted"' in page
    [version] = db.scalars(sa.select(CutScoreVersion)).all()
    assert version.version in boss.get("/admin/panels/").get_data(as_text=True)


def test_the_pages_check_roles_and_membership(app, db, people):
    admin, panellists = people
    panel = judged_panel(db, admin, panellists[:1], rounds_done=0)
    proctor = make_user(db, role=Role.PROCTOR)
    outsider = make_user(db, role=Role.PANELLIST)
    db.commit()
    browser = app.test_client()
    login(browser, proctor.username)
    assert browser.get("/admin/panels/").status_code == 403
    assert browser.get(f"/panels/{panel.id}").status_code == 403
    browser = app.test_client()
    login(browser, outsider.username)
    assert browser.get(f"/panels/{panel.id}").status_code == 404
    assert browser.get("/admin/panels/").status_code == 403


def test_a_double_click_on_adopt_writes_one_version(app, db, people, monkeypatch):
    admin, panellists = people
    panel = judged_panel(db, admin, panellists)
    boss = app.test_client()
    login(boss, admin.username)
    url = f"/admin/panels/{panel.id}"
    token = csrf(boss, url)
    slow_down(monkeypatch, services, "round_report")  # both between their read and write
    other = twin(app, boss)
    clicks = [lambda c=c: c.post(f"{url}/adopt", data={"csrf_token": token}) for c in (boss, other)]
    assert [r.status_code for r in together(clicks)] == [302, 302]
    db.expire_all()
    assert db.scalar(sa.select(sa.func.count(CutScoreVersion.id))) == 1
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "cut_scores.adopt"))
    assert len(events.all()) == 1


def test_a_double_click_on_submit_stores_one_judgement(app, db, people, monkeypatch):
    admin, panellists = people
    panel = judged_panel(db, admin, panellists, rounds_done=0)
    browser = app.test_client()
    login(browser, panellists[0].username)
    url = f"/panels/{panel.id}"
    token = csrf(browser, url)
    form = {f"bookmark-{lv}": str(p) for lv, p in marks(len(panel.material)).items()}
    slow_down(monkeypatch, services, "judgement_cuts")
    other = twin(app, browser)
    clicks = [
        lambda c=c: c.post(f"{url}/rounds/1", data={**form, "csrf_token": token})
        for c in (browser, other)
    ]
    assert [r.status_code for r in together(clicks)] == [302, 302]
    db.expire_all()
    one = sa.select(sa.func.count(PanelJudgement.id)).where(PanelJudgement.round == 1)
    assert db.scalar(one) == 1


def test_two_panels_adopting_at_once_lose_neither_panels_cuts(app, db, people, monkeypatch):
    admin, panellists = people
    panels = [judged_panel(db, admin, panellists, skill) for skill in ("reading", "listening")]
    boss = app.test_client()
    login(boss, admin.username)
    token = csrf(boss, f"/admin/panels/{panels[0].id}")
    slow_down(monkeypatch, services, "round_report")
    clicks = [
        lambda c=c, p=p: c.post(f"/admin/panels/{p.id}/adopt", data={"csrf_token": token})
        for c, p in ((boss, panels[0]), (twin(app, boss), panels[1]))
    ]
    assert [r.status_code for r in together(clicks)] == [302, 302]
    db.expire_all()
    rows = db.scalars(sa.select(CutScoreVersion).order_by(CutScoreVersion.id)).all()
    # A line of versions: either both adopted one after the other (the second built on the
    # first), or the second refused (it must look again); never two built on the same version.
    assert len({r.based_on for r in rows}) == len(rows) >= 1
    newest = rows[-1].store["skills"]
    adopted = {r.panel_id for r in rows}
    for panel in panels:
        status = newest[panel.skill]["status"]
        assert status == ("final" if panel.id in adopted else "provisional")
    assert ss.RP_DEFAULT == 0.67


@pytest.mark.parametrize("method", ["angoff", "basket", "benchmark"])
def test_each_method_has_its_judgement_form(app, db, people, method):
    admin, panellists = people
    if method == "benchmark":
        app.test_cli_runner().invoke(args=["panels", "load-benchmarks"])
    skill = "writing" if method == "benchmark" else "listening"
    panel = services.create_panel(db, admin, name=method, skill=skill, method=method, now=NOW)
    services.add_panellist(db, admin, panel.id, panellists[0], "docent", NOW)
    services.submit_familiarisation(db, panellists[0], panel.id, descriptor_key(skill), NOW)
    db.commit()
    browser = app.test_client()
    login(browser, panellists[0].username)
    url = f"/panels/{panel.id}"
    page = browser.get(url).get_data(as_text=True)
    items = sorted(panel.material)
    if method == "angoff":
        assert all(f'name="p-B1-{i}"' in page for i in items)
        chances = {"A1": 0.2, "A2": 0.4, "B1": 0.6, "B2": 0.8}
        form = {f"p-{lv}-{i}": str(p) for lv, p in chances.items() for i in items}
    elif method == "basket":
        assert all(f'name="basket-{i}"' in page for i in items)
        form = {f"basket-{i}": ("A1", "A2", "B1", "B2")[k % 4] for k, i in enumerate(items)}
    else:
        assert "Samira" in page  # the benchmark's text is shown to be placed
        form = {f"place-{i}": "A2" if "-a1-" in i else "B1" for i in items}
    # A form with one answer missing changes nothing and says why.
    incomplete = dict(list(form.items())[1:])
    browser.post(f"{url}/rounds/1", data={**incomplete, "csrf_token": csrf(browser, url)})
    assert db.scalars(sa.select(PanelJudgement).where(PanelJudgement.round == 1)).all() == []
    assert "flash error" in browser.get(url).get_data(as_text=True)
    response = browser.post(f"{url}/rounds/1", data={**form, "csrf_token": csrf(browser, url)})
    assert response.status_code == 302
    assert 'data-testid="submitted"' in browser.get(url).get_data(as_text=True)
    [judgement] = db.scalars(sa.select(PanelJudgement).where(PanelJudgement.round == 1)).all()
    assert set(judgement.outcome["cuts"]) == {"A1", "A2", "B1", "B2"}


def test_the_bookmark_booklet_shows_the_items_in_order(app, db, people):
    admin, panellists = people
    panel = services.create_panel(db, admin, name="b", skill="reading", method="bookmark", now=NOW)
    services.add_panellist(db, admin, panel.id, panellists[0], "docent", NOW)
    services.submit_familiarisation(db, panellists[0], panel.id, descriptor_key("reading"), NOW)
    db.commit()
    browser = app.test_client()
    login(browser, panellists[0].username)
    page = browser.get(f"/panels/{panel.id}").get_data(as_text=True)
    cards = page.split('data-testid="booklet-item"')[1:]
    booklet = ss.ordered_item_booklet(panel.material, panel.response_probability)
    assert len(cards) == len(booklet) == len(panel.material)
    versions = services.booklet_versions(db, panel)
    for card, entry in zip(cards, booklet, strict=True):
        assert f'data-item="{entry.item_id}"' in card  # easiest first, as the booklet orders
        assert f"Pagina {entry.page} · {entry.item_id}" in card
        assert f"{entry.difficulty:.2f} logit; plaats op RP67: {entry.location:.2f}" in card
        content = versions[entry.item_id].content
        if content.get("stem"):
            assert escape(content["stem"]) in card
        for option in content.get("options") or ():
            text = option["text"] if isinstance(option, dict) else option
            assert escape(text) in card
        assert 'data-testid="booklet-key"' in card
    # the RP67 location is the difficulty + ln(0.67/0.33)
    first = booklet[0]
    assert first.location == pytest.approx(first.difficulty + math.log(0.67 / 0.33))


def test_a_panel_for_a_purpose_judges_that_purposes_pool(db, people):
    admin, _ = people
    everything = services.create_panel(db, admin, name="all", skill="reading",
                                       method="basket", now=NOW)  # fmt: skip
    a2 = services.create_panel(db, admin, name="a2", skill="reading", method="basket",
                               purpose_code="a2-luisteren-lezen", now=NOW)  # fmt: skip
    cat = "a2-luisteren-lezen-adaptief"
    adaptive = services.create_panel(db, admin, name="cat", skill="reading", method="basket",
                                     purpose_code=cat, now=NOW)  # fmt: skip
    levels = {i.id: i.level for i in db.scalars(sa.select(Item).where(Item.skill == "reading"))}
    purpose = get_purpose("a2-luisteren-lezen")
    in_range = level_range(purpose.lowest_level, purpose.target_level)
    assert a2.material and {levels[i] for i in a2.material} <= set(in_range)
    assert set(a2.material) < set(everything.material)  # the linear form draws from A1-A2
    assert set(adaptive.material) == set(everything.material)  # the engine uses the live bank
    with pytest.raises(services.PanelError) as refused:
        services.create_panel(db, admin, name="x", skill="speaking", method="benchmark",
                              purpose_code="a2-luisteren-lezen", now=NOW)  # fmt: skip
    assert refused.value.code == "purpose_skill"
