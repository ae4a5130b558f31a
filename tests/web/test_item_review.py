"""The review workflow in the admin item browser (issue 16 item 5): authors review and check
items of others, never their own; each step is recorded with who, when, what changed and
comments; a double-click makes one step; a queue per reviewer; the files stay the source."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
import yaml

from attest.assessment import review_service
from attest.assessment.bank import load_bank
from attest.assessment.bank_sync import ReviewConflict, sync_bank
from attest.models import AuditEvent, Item, ItemReviewStep, Role
from tests.conftest import csrf_from
from tests.factories import make_user
from tests.unit.assessment.test_bank_loader import dump, item
from tests.web.helpers import login, slow_down, together, twin

IDS = ("nl-lz-a1-0501", "nl-lz-a1-0502")


def write_bank(root: Path, writer: str) -> Path:
    """A bank of two new draft items written by `writer`, with their history beside them."""
    items = [item(id=i, status="draft", text=f"Brood: {n} euro.") for n, i in enumerate(IDS, 2)]
    path = root / "reading/a1/nieuw.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(dump(*items), encoding="utf-8")
    history = {i: [{"step": "written", "by": writer, "at": "2026-12-01T09:00:00Z"}] for i in IDS}
    (root / "reading/a1/nieuw.review.yaml").write_text(yaml.safe_dump(history), encoding="utf-8")
    return root


def world(db, tmp_path, now):
    ann = make_user(db, role=Role.AUTHOR, username="ann")
    bert = make_user(db, role=Role.AUTHOR, username="bert")
    admin = make_user(db, role=Role.ADMIN, username="beheer")
    sync_bank(db, load_bank(write_bank(tmp_path / "bank", "ann"), require_review=True), now)
    db.commit()
    return ann, bert, admin


def post_step(client, item_id: str, step: str, **fields) -> object:
    page = client.get(f"/admin/items/{item_id}").get_data(as_text=True)
    state = page.split('name="expected_state" type="hidden" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": csrf_from(page), "step": step, "expected_state": state, **fields}
    return client.post(f"/admin/items/{item_id}/step", data=form)


def history(db, item_id: str) -> list[tuple[str, str]]:
    db.expire_all()
    steps = db.scalars(
        sa.select(ItemReviewStep).where(ItemReviewStep.item_id == item_id).order_by("seq")
    )
    return [(s.step, s.actor) for s in steps]


def test_an_item_goes_from_draft_through_review_and_check_to_the_pilot(app, db, tmp_path, now):
    ann, bert, admin = world(db, tmp_path, now)
    reviewer, checker, boss = (app.test_client() for _ in range(3))
    login(reviewer, "bert")
    login(boss, "beheer")
    answer = post_step(reviewer, IDS[0], "reviewed", changes="Optie b ingekort.", note="Goed.")
    assert answer.status_code == 303
    db.expire_all()
    assert (
        db.get(Item, IDS[0]).review_state == "reviewed" and db.get(Item, IDS[0]).status == "draft"
    )
    step = db.scalars(sa.select(ItemReviewStep).where(ItemReviewStep.seq == 2)).one()
    assert (step.actor, step.changes, step.note) == ("bert", "Optie b ingekort.", "Goed.")
    assert step.at is not None

    login(checker, "beheer")  # an admin may check as well; not the writer
    assert post_step(checker, IDS[0], "checked").status_code == 303
    assert post_step(boss, IDS[0], "pilot").status_code == 303
    assert history(db, IDS[0]) == [
        ("written", "ann"),
        ("reviewed", "bert"),
        ("checked", "beheer"),
        ("pilot", "beheer"),
    ]
    assert db.get(Item, IDS[0]).status == "pilot"  # delivered unscored from now on
    page = boss.get(f"/admin/items/{IDS[0]}").get_data(as_text=True)
    assert "Optie b ingekort." in page and 'data-step="pilot"' in page
    # no browser step makes an item live: only a calibration adoption does
    assert 'value="live"' not in page
    events = db.scalars(sa.select(AuditEvent).where(AuditEvent.action == "item.review_step"))
    assert [e.detail["step"] for e in events] == ["reviewed", "checked", "pilot"]


def test_the_writer_may_not_review_their_own_item(app, db, tmp_path, now):
    world(db, tmp_path, now)
    writer = app.test_client()
    login(writer, "ann")
    page = writer.get(f"/admin/items/{IDS[0]}").get_data(as_text=True)
    assert 'data-testid="step-form"' not in page  # nothing offered to the writer
    form = {"csrf_token": csrf_from(page), "step": "reviewed", "expected_state": "draft"}
    answer = writer.post(f"/admin/items/{IDS[0]}/step", data=form, follow_redirects=True)
    assert "Je hebt dit item zelf geschreven" in answer.get_data(as_text=True)
    assert history(db, IDS[0]) == [("written", "ann")]
    assert writer.get("/admin/items/queue").get_data(as_text=True).count("data-queue-item") == 0


def test_refused_steps_change_nothing(app, db, tmp_path, now):
    world(db, tmp_path, now)
    author = app.test_client()
    login(author, "bert")
    cases = [
        ("pilot", {}, "Je rol mag deze stap niet zetten"),  # pilot is for admins
        ("live", {}, "alleen live door een kalibratie"),
        ("checked", {}, "kan niet vanuit de huidige toestand"),  # before the review
        ("returned", {}, "waarom je het item terugstuurt"),
        ("returned", {"note": "Te lang."}, "kan niet vanuit de huidige toestand"),
    ]
    for step, extra, message in cases:
        answer = post_step(author, IDS[0], step, **extra)
        assert answer.status_code in (303, 400)
        if answer.status_code == 303:
            shown = author.get(answer.headers["Location"]).get_data(as_text=True)
            assert message in shown, step
    assert history(db, IDS[0]) == [("written", "ann")]


def test_the_queue_shows_each_reviewer_the_items_waiting_for_them(app, db, tmp_path, now):
    world(db, tmp_path, now)
    bert = app.test_client()
    login(bert, "bert")
    queue = bert.get("/admin/items/queue").get_data(as_text=True)
    assert sorted(p.split('"')[0] for p in queue.split('data-queue-item="')[1:]) == list(IDS)
    post_step(bert, IDS[0], "reviewed")
    # bert reviewed it: the sensitivity check is for someone else who is not the writer either
    queue = bert.get("/admin/items/queue").get_data(as_text=True)
    assert IDS[0] in queue  # bert may still check it (only the writer is excluded)
    listing = bert.get("/admin/items/?review_state=reviewed").get_data(as_text=True)
    assert [p.split('"')[0] for p in listing.split('data-item="')[1:]] == [IDS[0]]


def test_a_double_click_makes_one_step(app, db, tmp_path, now, monkeypatch):
    world(db, tmp_path, now)
    first = app.test_client()
    login(first, "bert")
    page = first.get(f"/admin/items/{IDS[1]}").get_data(as_text=True)
    form = {"csrf_token": csrf_from(page), "step": "reviewed", "expected_state": "draft"}
    clients = [first] + [twin(app, first) for _ in range(3)]
    slow_down(monkeypatch, review_service, "db_history")  # all between read and write

    answers = together(
        [lambda c=c: c.post(f"/admin/items/{IDS[1]}/step", data=form) for c in clients]
    )

    assert [a.status_code for a in answers] == [303] * 4  # nobody sees a server error
    assert history(db, IDS[1]) == [("written", "ann"), ("reviewed", "bert")]


def test_the_database_refuses_a_second_step_with_one_number(db, tmp_path, now):
    world(db, tmp_path, now)
    db.add(
        ItemReviewStep(
            item_id=IDS[0], seq=1, step="reviewed", actor="bert", at=now, note="", changes=""
        )
    )
    try:
        db.flush()
        raise AssertionError("a second step 1 was stored")
    except sa.exc.IntegrityError:
        db.rollback()


def test_sync_keeps_browser_steps_and_refuses_histories_that_differ(app, db, tmp_path, now):
    world(db, tmp_path, now)
    bert = app.test_client()
    login(bert, "bert")
    post_step(bert, IDS[0], "reviewed")
    root = tmp_path / "bank"
    report = sync_bank(db, load_bank(root, require_review=True), now)  # the files lag behind
    assert report.ahead_of_files == [IDS[0]]
    assert db.get(Item, IDS[0]).review_state == "reviewed"
    side = root / "reading/a1/nieuw.review.yaml"
    data = yaml.safe_load(side.read_text())
    data[IDS[0]].append({"step": "reviewed", "by": "carla", "at": "2026-12-02T09:00:00Z"})
    side.write_text(yaml.safe_dump(data))
    try:
        sync_bank(db, load_bank(root, require_review=True), now)
        raise AssertionError("a different history was synced")
    except ReviewConflict as exc:
        assert IDS[0] in str(exc) and "review-export" in str(exc)


def test_export_writes_the_steps_back_and_the_files_load_as_the_database(app, db, tmp_path, now):
    from attest.cli.bank import bank_review_export

    world(db, tmp_path, now)
    bert, boss = app.test_client(), app.test_client()
    login(bert, "bert")
    login(boss, "beheer")
    post_step(bert, IDS[0], "reviewed", changes="Stam korter.", note="Oké: kort & duidelijk.")
    post_step(boss, IDS[0], "checked")
    post_step(boss, IDS[0], "pilot")
    root = tmp_path / "bank"
    before = (root / "reading/a1/nieuw.yaml").read_text()

    result = app.test_cli_runner().invoke(bank_review_export, ["--dir", str(root)])

    assert result.exit_code == 0, result.output
    after = (root / "reading/a1/nieuw.yaml").read_text()
    assert after == before.replace("status: draft", "status: pilot", 1)  # nothing else moved
    bank = load_bank(root, require_review=True)
    spec = bank.get(IDS[0])
    assert spec.status == "pilot" and [s.step for s in spec.review] == [
        "written",
        "reviewed",
        "checked",
        "pilot",
    ]
    assert (
        spec.review[1].note == "Oké: kort & duidelijk." and spec.review[1].changes == "Stam korter."
    )
    report = sync_bank(db, bank, now)
    assert report.ahead_of_files == [] and report.steps_added == 0 and report.unchanged == 2


def test_export_edits_only_the_values_it_must():
    from attest.assessment.review_export import _edit_values

    text = (
        "- id: nl-lz-a1-0001   # een bord\n  status: pilot\n  difficulty: -2.6\n  stem: x\n"
        "- testlet: nl-lz-b1-t001\n  status: pilot\n  items:\n"
        "    - id: nl-lz-b1-0001\n      difficulty: 0.8\n"
    )
    values = {
        "nl-lz-a1-0001": {"difficulty": -2.314, "status": "live"},
        "nl-lz-b1-t001": {"status": "live"},
        "nl-lz-b1-0001": {"difficulty": 1.0},
    }
    assert _edit_values(text, values) == (
        "- id: nl-lz-a1-0001   # een bord\n  status: live\n  difficulty: -2.31\n  stem: x\n"
        "- testlet: nl-lz-b1-t001\n  status: live\n  items:\n"
        "    - id: nl-lz-b1-0001\n      difficulty: 1.00\n"
    )


def test_the_shipped_items_enter_the_database_with_their_migration_step(db):
    from tests.factories import load_demo_bank

    load_demo_bank(db)
    states = dict(
        db.execute(
            sa.select(Item.status, sa.func.count())
            .where(Item.review_state == Item.status)
            .group_by(Item.status)
        ).all()
    )
    total = db.scalar(sa.select(sa.func.count()).select_from(Item))
    assert sum(states.values()) == total and set(states) == {"live", "pilot"}
    steps = db.execute(sa.select(ItemReviewStep.step, ItemReviewStep.actor).distinct()).all()
    assert sorted(steps) == [
        ("migrated", "issue-16-migration"),
        ("migrated_pilot", "issue-16-migration"),
    ]


def test_the_preview_draws_formulas_and_shows_other_markup_as_text(app, db, tmp_path, now):
    """An item with MathML (attest.assessment.mathml): the preview draws it in the stem, the
    options and the key in words; any other markup in a text is shown as text."""
    fraction = "<math><mfrac><mn>1</mn><mn>4</mn></mfrac></math>"
    root = tmp_path / "bank"
    path = root / "reading/a1/formules.yaml"
    path.parent.mkdir(parents=True)
    entry = item(
        id=IDS[0],
        status="draft",
        text="Brood: <b>2</b> euro.",
        stem=f"Welk deel is {fraction}?",
        options=[{"text": "de helft"}, {"text": fraction}, {"text": "alles"}],
        answer="b",
    )
    path.write_text(dump(entry), encoding="utf-8")
    sync_bank(db, load_bank(root), now)
    make_user(db, role=Role.ADMIN, username="beheer")
    db.commit()
    client = app.test_client()
    login(client, "beheer")
    page = client.get(f"/admin/items/{IDS[0]}").get_data(as_text=True)
    assert page.count(fraction) == 3  # stem, option b, the key "b (...)"
    assert f"b ({fraction})" in page
    assert "Brood: &lt;b&gt;2&lt;/b&gt; euro." in page
