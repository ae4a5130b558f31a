"""A kiosk session with adaptive sections, end to end: the engine picks each item from the
answers so far, stops when the level is clear, and the stored decisions explain the level."""

from __future__ import annotations

import hashlib

import pytest
import sqlalchemy as sa

from attest.assessment import delivery
from attest.assessment.delivery import create_session
from attest.models import (
    Item,
    ItemVersion,
    Response,
    Role,
    SectionAttempt,
    SectionLogEntry,
    SessionItem,
    SkillResult,
    User,
)
from tests.conftest import csrf_from
from tests.factories import load_demo_bank, make_candidate, make_centre, make_kiosk, make_user
from tests.format_answers import correct_answer, wrong_answer
from tests.web.helpers import login, slow_down, start_at_kiosk, together, twin

WEBM = b"\x1a\x45\xdf\xa3" + bytes(range(256)) * 20


@pytest.fixture
def kiosk_for(app, db):
    load_demo_bank(db)
    # These tests answer through the plain form posts; a semi-direct conversation's turns are
    # uploaded one by one (tests/web/test_semidirect.py, the browser tests): not drawn here.
    conversations = sa.select(ItemVersion.item_id).where(
        ItemVersion.format == "speaking_conversation"
    )
    db.execute(sa.update(Item).where(Item.id.in_(conversations)).values(status="retired"))
    centre = make_centre(db)
    proctor = make_user(db, role=Role.PROCTOR, centre=centre)
    _kiosk, token = make_kiosk(db, centre=centre)
    db.commit()

    def start(purpose: str):
        from datetime import UTC, datetime

        ts, code = create_session(
            db, make_candidate(db, centre=centre), purpose, proctor, datetime.now(UTC)
        )
        db.commit()
        client = start_at_kiosk(app, token, code)
        return ts.id, client

    return start


def take(client, db, session_id: int, ability: float) -> list[SessionItem]:
    """Answer as a candidate who knows every item easier than `ability` (and no other)."""
    url = client.get("/kiosk/resume").headers["Location"]
    answered = []
    while "/kiosk/item/" in url:
        page = client.get(url).get_data(as_text=True)
        position = int(url.rsplit("/", 1)[1])
        item = db.scalar(
            sa.select(SessionItem).where(
                SessionItem.session_id == session_id, SessionItem.position == position
            )
        )
        version = item.item_version
        build = correct_answer if version.difficulty < ability else wrong_answer
        fields = build(version.format, version.content)
        if version.format == "audio_response":  # record first, then answer with the recording
            ack = client.post(
                f"{url}/recording",
                data=WEBM,
                headers={
                    "Content-Type": "audio/webm",
                    "X-CSRFToken": csrf_from(page),
                    "X-Content-SHA256": hashlib.sha256(WEBM).hexdigest(),
                },
            )
            fields = {"recording_id": ack.get_json()["recording_id"]}
        response = client.post(url, data={**fields, "csrf_token": csrf_from(page)})
        assert response.status_code == 302, response.get_data(as_text=True)[-500:]
        answered.append(item)
        url = response.headers["Location"]
        assert len(answered) < 150
    page = client.get("/kiosk/finish").get_data(as_text=True)
    assert client.post("/kiosk/finish", data={"csrf_token": csrf_from(page)}).status_code == 302
    return answered


@pytest.mark.parametrize("ability, expected", [(-3.5, "below_A1"), (-0.2, "A2"), (1.2, "B1")])
def test_placement_adapts_stops_and_explains_the_level(db, kiosk_for, ability, expected):
    session_id, client = kiosk_for("niveaubepaling-luisteren-lezen")
    answered = take(client, db, session_id, ability)
    db.expire_all()
    for skill in ("listening", "reading"):
        attempt = db.scalar(
            sa.select(SectionAttempt).where(
                SectionAttempt.session_id == session_id, SectionAttempt.skill == skill
            )
        )
        state, stop = attempt.state, attempt.state["stop"]
        shown = [i.item_version.item_id for i in answered if i.skill == skill]
        logged = [part for e in state["log"] for part in (e["parts"] or [e["item"]])]
        assert logged == shown  # every choice is logged (a testlet with its questions)
        assert 8 <= len(shown) <= 60 and stop["n_items"] == len(shown)  # questions, not units
        assert stop["reason"] in ("level_decided", "max_length", "se_target", "bank_exhausted")
        assert state["log"][-1]["theta"] == pytest.approx(stop["theta"])
        result = db.scalar(
            sa.select(SkillResult).where(
                SkillResult.session_id == session_id, SkillResult.skill == skill
            )
        )
        assert result.level == stop["level"] == expected
        assert "CAT" in result.method and result.theta == pytest.approx(stop["theta"])
        assert abs(sum(stop["probabilities"].values()) - 1) < 1e-6


def test_a_one_cut_decision_is_shorter_and_says_whether_a2_is_reached(db, kiosk_for):
    session_id, client = kiosk_for("a2-luisteren-lezen-adaptief")
    take(client, db, session_id, ability=-2.0)
    db.expire_all()
    attempt = db.scalar(
        sa.select(SectionAttempt).where(
            SectionAttempt.session_id == session_id, SectionAttempt.skill == "reading"
        )
    )
    assert attempt.state["stop"]["reached"] is False
    assert attempt.state["stop"]["level"] in ("A1", "below_A1")
    assert attempt.state["ineligible"] == []  # the first section of its mode: nothing counted


def test_a_new_section_counts_the_exposure_of_earlier_sections_of_its_mode(app, db, kiosk_for):
    from attest.assessment.adaptive import engine_for, exposure_counts
    from attest.assessment.purposes import get_purpose

    session_id, client = kiosk_for("a2-luisteren-lezen-adaptief")
    take(client, db, session_id, ability=0.5)
    db.expire_all()
    section = next(s for s in get_purpose("a2-luisteren-lezen-adaptief").sections)
    engine, _ = engine_for(db, section)
    counts = exposure_counts(db, section, [unit.id for unit in engine.bank])
    attempt = db.scalar(
        sa.select(SectionAttempt).where(
            SectionAttempt.session_id == session_id, SectionAttempt.skill == section.skill
        )
    )
    assert counts.tests == 1
    given = {uid for uid, rate in counts.rates().items() if rate > 0}
    assert given == set(attempt.state["items"])
    # every unit it gave went to 1 of 1 section: eligible next time with the goal rate
    assert set(counts.probabilities().values()) == {counts.max_rate}
    # the conditional counts: the section counts in the stratum of its last selection, kept
    # with the state, with every unit it gave
    strata = attempt.state["strata"]
    assert len(strata) == len(attempt.state["items"])
    by_stratum = counts.stratum_probabilities()
    assert set(by_stratum) == {strata[-1]} and set(by_stratum[strata[-1]]) == given
    placement = next(s for s in get_purpose("niveaubepaling-luisteren-lezen").sections)
    assert exposure_counts(db, placement, [unit.id for unit in engine.bank]).tests == 0
    report = app.test_cli_runner().invoke(args=["bank", "exposure", "--top", "1"])
    assert report.exit_code == 0, report.output
    assert f"{section.skill} cut-A2: 1 sections counted" in report.output
    assert f"{section.skill} placement: 0 sections counted" in report.output


def test_an_answer_the_engine_has_used_cannot_change(db, kiosk_for):
    session_id, client = kiosk_for("niveaubepaling-luisteren-lezen")
    url = client.get("/kiosk/resume").headers["Location"]
    page = client.get(url).get_data(as_text=True)
    item = db.scalar(sa.select(SessionItem).where(SessionItem.session_id == session_id))
    version = item.item_version
    first = correct_answer(version.format, version.content)
    assert client.post(url, data={**first, "csrf_token": csrf_from(page)}).status_code == 302
    again = client.post(url, data={**first, "csrf_token": csrf_from(page)})
    assert again.status_code == 302  # the same answer twice is fine
    other = wrong_answer(version.format, version.content)
    changed = client.post(url, data={**other, "csrf_token": csrf_from(page)})
    assert changed.status_code == 400 and "kan niet meer veranderen" in changed.get_data(
        as_text=True
    )
    assert "Vorige" not in client.get(f"{url[:-1]}2").get_data(as_text=True)


def test_the_proctor_sees_how_the_engine_decided(app, db, kiosk_for):
    session_id, client = kiosk_for("niveaubepaling-luisteren-lezen")
    answered = take(client, db, session_id, ability=0.3)
    proctor = db.scalar(sa.select(User).where(User.role == Role.PROCTOR))
    staff = app.test_client()
    login(staff, proctor.username)
    html = staff.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    assert html.count("Verloop van de adaptieve sectie") == 2
    for item in answered:  # every item the engine chose is listed with its estimate
        assert item.item_version.item_id in html


def test_every_result_carries_level_probabilities(db, kiosk_for):
    session_id, client = kiosk_for("a2-luisteren-lezen")  # a linear form
    take(client, db, session_id, ability=-0.9)
    db.expire_all()
    for result in db.scalars(sa.select(SkillResult).where(SkillResult.session_id == session_id)):
        assert set(result.probabilities) == {"below_A1", "A1", "A2"}  # folded at the ceiling
        assert abs(sum(result.probabilities.values()) - 1) < 1e-6
        best = max(result.probabilities, key=result.probabilities.get)
        assert result.is_uncertain == (result.probabilities[best] < 0.80)


@pytest.mark.parametrize("ability, writing, speaking", [(1.2, "B1", "B1"), (-0.4, "A2", "A2")])
def test_productive_tasks_are_targeted_at_the_receptive_level(
    db, kiosk_for, ability, writing, speaking
):
    session_id, client = kiosk_for("niveaubepaling")
    answered = take(client, db, session_id, ability)
    tasks = {}
    for item in answered:
        tasks.setdefault(item.skill, []).append(item.item_version.level)
    assert tasks["writing"] == [writing] * 2 and tasks["speaking"] == [speaking] * 3
    attempt = db.scalar(
        sa.select(SectionAttempt).where(
            SectionAttempt.session_id == session_id, SectionAttempt.skill == "speaking"
        )
    )
    assert attempt.state["targeted_level"] == speaking


def test_productive_part_is_skipped_below_the_gate_and_the_reason_is_kept(app, db, kiosk_for):
    session_id, client = kiosk_for("a2-volledig")
    answered = take(client, db, session_id, ability=-9)
    assert {i.skill for i in answered} == {"listening", "reading"}
    for skill in ("writing", "speaking"):
        attempt = db.scalar(
            sa.select(SectionAttempt).where(
                SectionAttempt.session_id == session_id, SectionAttempt.skill == skill
            )
        )
        assert attempt.state["skipped"] and "below A1" in attempt.state["reason"]
    proctor = db.scalar(sa.select(User).where(User.role == Role.PROCTOR))
    staff = app.test_client()
    login(staff, proctor.username)
    html = staff.get(f"/proctor/sessions/{session_id}").get_data(as_text=True)
    assert 'data-testid="targeted-speaking"' in html and "overgeslagen" in html


@pytest.mark.parametrize("purpose", ["a2-luisteren-lezen", "niveaubepaling"])
def test_pilot_items_are_seeded_answered_and_left_out_of_the_score(db, kiosk_for, purpose):
    session_id, client = kiosk_for(purpose)
    answered = take(client, db, session_id, ability=0.0)
    db.expire_all()
    pilots = [i for i in answered if i.is_pilot]
    assert {i.skill for i in pilots} == {"listening", "reading"} and len(pilots) == 2
    for item in pilots:
        assert item.item_version.item.status == "pilot"
        assert item.response is not None and item.response.score is not None  # for calibration
    for result in db.scalars(sa.select(SkillResult).where(SkillResult.session_id == session_id)):
        scored = [i for i in answered if i.skill == result.skill and not i.is_pilot]
        assert result.max_score == len(scored)
    for attempt in db.scalars(
        sa.select(SectionAttempt).where(SectionAttempt.session_id == session_id)
    ):
        logged = {entry["item"] for entry in attempt.state.get("log", [])}
        assert not logged & {i.item_version.item_id for i in pilots}


@pytest.mark.parametrize("same", [True, False], ids=["double-click", "two-tabs"])
def test_two_answers_to_one_adaptive_item_at_once_are_taken_in_once(
    app, db, kiosk_for, monkeypatch, same
):
    """The same answer sent twice at once (a double-click, a queue replayed under two keys) or
    two answers from two tabs: the engine takes the item in once, its state and log keep one
    step for it, one next item is planned, and a reload (after a kiosk crash) resumes there."""
    session_id, client = kiosk_for("niveaubepaling-luisteren-lezen")
    url = client.get("/kiosk/resume").headers["Location"]
    page = client.get(url).get_data(as_text=True)
    item = db.scalar(sa.select(SessionItem).where(SessionItem.session_id == session_id))
    version = item.item_version
    first = correct_answer(version.format, version.content)
    second = first if same else wrong_answer(version.format, version.content)
    forms = [
        {**fields, "csrf_token": csrf_from(page), "answer_key": f"race-answer-key-{k:08d}"}
        for k, fields in enumerate((first, second))
    ]
    slow_down(monkeypatch, delivery, "get_format")  # both between their reads and writes
    clients = (client, twin(app, client))
    answers = together(
        [lambda c=c, f=f: c.post(url, data=f) for c, f in zip(clients, forms, strict=True)]
    )

    statuses = sorted(a.status_code for a in answers)
    assert statuses == ([302, 302] if same else [302, 400])
    nexts = {a.headers["Location"] for a in answers if a.status_code == 302}
    assert len(nexts) == 1 and "/kiosk/item/2" in next(iter(nexts))
    db.expire_all()
    attempt = db.scalar(
        sa.select(SectionAttempt).where(
            SectionAttempt.session_id == session_id, SectionAttempt.skill == item.skill
        )
    )
    assert attempt.stored_state["items"] == [version.item_id]
    steps = db.scalars(
        sa.select(SectionLogEntry.step).where(SectionLogEntry.attempt_id == attempt.id)
    ).all()
    assert len(steps) == 1
    # one next unit (an item, or a testlet's questions in a row), planned by one request
    planned = db.execute(
        sa.select(SessionItem.position, Item.testlet_id, Item.id)
        .join(ItemVersion, ItemVersion.id == SessionItem.item_version_id)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(SessionItem.session_id == session_id)
        .order_by(SessionItem.position)
    ).all()
    assert [row.position for row in planned] == list(range(1, len(planned) + 1))
    assert len({row.testlet_id or row.id for row in planned[1:]}) == 1
    responses = db.scalars(
        sa.select(Response.value).join(SessionItem).where(SessionItem.session_id == session_id)
    ).all()
    assert len(responses) == 1
    # the kiosk restarts: the reload resumes at the item the answer led to
    restarted = twin(app, client)
    assert restarted.get("/kiosk/resume").headers["Location"] == next(iter(nexts))
