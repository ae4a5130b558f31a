"""The review workflow: each transition, the writer never reviews their own item, and the loader
refuses a history that is inconsistent, naming file, item and field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml

from attest.assessment.bank import BankError, load_bank
from attest.assessment.review_flow import (
    ReviewStep,
    history_problems,
    state_of,
    step_problem,
    writer_of,
)
from tests.unit.assessment.test_bank_loader import READING, dump, item

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def steps(*spec: tuple[str, str]) -> list[ReviewStep]:
    return [ReviewStep(s, by, T0 + timedelta(hours=i)) for i, (s, by) in enumerate(spec)]


FULL = [
    ("written", "ann"),
    ("reviewed", "bert"),
    ("checked", "carla"),
    ("pilot", "dirk"),
    ("live", "dirk"),
]


@pytest.mark.parametrize("n", range(1, len(FULL) + 1))
def test_each_transition_of_the_path_leads_to_its_state(n):
    history = steps(*FULL[:n])
    assert history_problems(history, "retired")  # a status the state does not imply
    assert state_of(history) == ["draft", "reviewed", "checked", "pilot", "live"][n - 1]
    expected_status = ["draft", "draft", "draft", "pilot", "live"][n - 1]
    assert history_problems(history, expected_status) == []


def test_returned_sends_back_to_draft_and_retired_ends_from_any_state():
    history = steps(("written", "ann"), ("reviewed", "bert"), ("returned", "carla"))
    assert state_of(history) == "draft"
    assert step_problem(history, "reviewed", "bert") is None  # a second review round
    assert step_problem(history, "retired", "dirk") is None
    assert state_of(steps(*FULL, ("retired", "dirk"))) == "retired"


@pytest.mark.parametrize("step", ["reviewed", "checked"])
def test_the_writer_may_not_review_or_check_their_own_item(step):
    before = steps(("written", "ann"), *([("reviewed", "bert")] if step == "checked" else []))
    why = step_problem(before, step, "Ann")  # the username compared without case
    assert why and "wrote the item" in why
    assert step_problem(before, step, "bert" if step == "reviewed" else "carla") is None


@pytest.mark.parametrize(
    "history, step",
    [
        ([("written", "ann")], "checked"),  # sensitivity check before the review
        ([("written", "ann")], "pilot"),
        ([("written", "ann"), ("reviewed", "bert")], "live"),  # live only from pilot
        ([], "reviewed"),
        ([("written", "ann")], "written"),
        ([("migrated", "issue-16-migration")], "reviewed"),
    ],
)
def test_a_step_out_of_order_is_refused(history, step):
    assert step_problem(steps(*history), step, "zoe")


def test_a_migrated_item_has_no_writer_and_is_live():
    history = steps(("migrated", "issue-16-migration"))
    assert writer_of(history) is None and state_of(history) == "live"
    assert history_problems(history, "live") == []


# The loader: a bank file with its history beside it.


def write(root: Path, items: list[dict], history: object) -> Path:
    path = root / "reading/a1/winkel.yaml"
    path.parent.mkdir(parents=True)
    path.write_text(dump(*items), encoding="utf-8")
    if history is not None:
        text = history if isinstance(history, str) else yaml.safe_dump(history, sort_keys=False)
        (root / "reading/a1/winkel.review.yaml").write_text(text, encoding="utf-8")
    return root


def entry(step: str, by: str, at: str = "2026-12-01T09:00:00Z", **more: str) -> dict:
    return {"step": step, "by": by, "at": at, **more}


def problems(root: Path, **options) -> list[str]:
    with pytest.raises(BankError) as caught:
        load_bank(root, **options)
    return [str(e) for e in caught.value.errors]


def test_the_loader_reads_the_history_beside_the_file(tmp_path):
    history = {
        READING["id"]: [
            entry("written", "ann", note="Eerste versie."),
            entry("reviewed", "bert", "2026-12-02T10:00:00Z", changes="Optie c ingekort."),
        ]
    }
    bank = load_bank(write(tmp_path, [item(status="draft")], history), require_review=True)
    spec = bank.items[0]
    assert spec.review_state == "reviewed"
    assert spec.review[1].changes == "Optie c ingekort." and spec.review[1].by == "bert"
    assert spec.review[1].at == datetime(2026, 12, 2, 10, tzinfo=UTC)


@pytest.mark.parametrize(
    "items, history, expected",
    [
        (
            [item(status="draft")],
            {READING["id"]: [entry("written", "ann"), entry("reviewed", "ann")]},
            "winkel.review.yaml:5 item nl-lz-a1-0001 field review[1].step: step 'reviewed' by "
            "'ann', who wrote the item",
        ),
        (
            [item(status="live")],
            {READING["id"]: [entry("written", "ann"), entry("reviewed", "bert")]},
            "winkel.yaml:1 item nl-lz-a1-0001 field status: the item's status is 'live' but "
            "its review history ends in state 'reviewed'",
        ),
        (
            [item(status="draft")],
            {READING["id"]: [entry("written", "ann", at="gisteren")]},
            "field review[0].at: expected a UTC time",
        ),
        (
            [item(status="draft")],
            {READING["id"]: [entry("written", "ann", by_whom="x")]},
            "field review[0].by_whom: unknown field",
        ),
        (
            [item(status="draft")],
            {READING["id"]: [entry("written", "ann"), entry("approved", "bert")]},
            "field review[1].step: unknown step",
        ),
        (
            [item(status="draft")],
            {
                READING["id"]: [entry("written", "ann")],
                "nl-lz-a1-0077": [entry("written", "ann")],
            },
            "item nl-lz-a1-0077: review history of an item that is not in",
        ),
        (
            [item(status="draft")],
            {
                READING["id"]: [
                    entry("written", "ann", "2026-12-03T09:00:00Z"),
                    entry("reviewed", "bert", "2026-12-02T09:00:00Z"),
                ]
            },
            "field review[1].at: earlier than the step before it",
        ),
        ([item(status="draft")], "- not a mapping\n", "expected a mapping of item id"),
    ],
)
def test_the_loader_refuses_an_inconsistent_history(tmp_path, items, history, expected):
    found = problems(write(tmp_path, items, history))
    assert any(expected in line for line in found), found


def test_an_item_without_history_is_refused_when_the_workflow_is_required(tmp_path):
    root = write(tmp_path, [item()], None)
    assert load_bank(root).items  # library callers reading a foreign bank
    found = problems(root, require_review=True)
    assert any("item nl-lz-a1-0001 field review: no review history" in f for f in found), found


def test_the_shipped_bank_carries_its_history_honestly():
    bank = load_bank(Path("question_banks/nl"), require_review=True)
    firsts = {i.review[0].step for i in bank.items}
    assert firsts <= {"migrated", "migrated_pilot", "written"}
    migrated = [i for i in bank.items if i.review[0].step.startswith("migrated")]
    assert all("issue 16" in i.review[0].note for i in migrated)
    # a migration step is no review: nothing records a review that did not take place
    assert not any(s.step in ("reviewed", "checked") for i in migrated for s in i.review)


def test_a_stored_item_hashes_as_its_file_does():
    """A calibration adoption hashes the new difficulty before the file is written: the hash
    must be the one the loader will give the written file, for every shipped item."""
    from attest.assessment.bank import stored_item_hash

    root = Path("question_banks/nl")
    for spec in load_bank(root).items:
        assert spec.content_hash == stored_item_hash(
            root,
            item_id=spec.id,
            skill=spec.skill,
            domain=spec.domain,
            level=spec.level,
            format=spec.format,
            difficulty=spec.difficulty,
            content=spec.content,
            media=spec.media,
            testlet=spec.testlet,
        ), spec.id
