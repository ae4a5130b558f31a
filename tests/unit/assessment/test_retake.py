"""Retake rules as data: the minimum wait, the maximum per 12 months, and the next allowed day."""

from __future__ import annotations

from datetime import date

import pytest

from attest.assessment.purposes import load_purposes
from attest.assessment.retake import (
    RetakeDecision,
    RetakeRule,
    RetakeRulesError,
    decide,
    decide_booking,
    load_rules,
    rule_for,
)

RULE = RetakeRule(min_days_between=90, max_attempts_per_12_months=2, fee_cents=2500)
TODAY = date(2026, 12, 7)


@pytest.mark.parametrize(
    "attempts, expected",
    [
        ([], RetakeDecision(True)),
        ([date(2026, 9, 8)], RetakeDecision(True)),  # 90 days ago exactly
        ([date(2026, 9, 9)], RetakeDecision(False, "too_soon", date(2026, 12, 8))),
        ([date(2026, 12, 7)], RetakeDecision(False, "too_soon", date(2027, 3, 7))),
        # two in the last 365 days: the next one waits until the older leaves the window
        (
            [date(2026, 1, 10), date(2026, 6, 1)],
            RetakeDecision(False, "too_many", date(2027, 1, 10)),
        ),
        ([date(2025, 12, 7), date(2026, 6, 1)], RetakeDecision(True)),  # 365 days: out
        # both limits: the later day wins
        (
            [date(2026, 1, 10), date(2026, 11, 30)],
            RetakeDecision(False, "too_soon", date(2027, 2, 28)),
        ),
    ],
)
def test_the_next_attempt_is_allowed_from_the_day_the_rules_say(attempts, expected):
    assert decide(RULE, attempts, TODAY) == expected


def test_a_purpose_without_a_wait_allows_the_same_day_until_the_yearly_maximum():
    rule = RetakeRule(0, 2, 0)
    assert decide(rule, [TODAY], TODAY).is_allowed
    assert decide(rule, [TODAY, TODAY], TODAY) == RetakeDecision(
        False, "too_many", date(2027, 12, 7)
    )


def test_every_shipped_purpose_has_a_rule_and_the_file_is_valid():
    default, purposes = load_rules()
    assert set(purposes) <= set(load_purposes())  # no rule for a purpose that does not exist
    assert rule_for("a2-mondeling").min_days_between == 90
    assert rule_for("no-such-purpose") == default


@pytest.mark.parametrize(
    "text",
    [
        "purposes: {}",
        "default: {min_days_between: -1, max_attempts_per_12_months: 1, fee_eur: '0'}",
        "default: {min_days_between: 1, max_attempts_per_12_months: 0, fee_eur: '0'}",
        "default: {min_days_between: 1, max_attempts_per_12_months: 1, fee_eur: '1.005'}",
        "default: {min_days_between: x, max_attempts_per_12_months: 1, fee_eur: '0'}",
    ],
)
def test_a_malformed_rules_file_is_refused(tmp_path, text):
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(RetakeRulesError):
        load_rules(path)


@pytest.mark.parametrize(
    "attempts, expected",
    [
        ([], RetakeDecision(True)),
        # booked for a week later: booking today would put two attempts 7 days apart
        ([date(2026, 12, 14)], RetakeDecision(False, "before_booked", date(2026, 12, 14))),
        ([date(2027, 3, 7)], RetakeDecision(True)),  # 90 days later exactly
        # the earlier attempts decide first, as for decide()
        (
            [date(2026, 12, 1), date(2027, 6, 1)],
            RetakeDecision(False, "too_soon", date(2027, 3, 1)),
        ),
        # two later attempts 90+ days apart, but a third in their year breaks the yearly maximum
        (
            [date(2027, 3, 7), date(2027, 6, 10)],
            RetakeDecision(False, "before_booked", date(2027, 6, 10)),
        ),
        # a later attempt the rules already forbid is not blamed on this booking
        ([date(2027, 3, 10), date(2027, 3, 12)], RetakeDecision(True)),
    ],
)
def test_a_booking_must_not_break_the_rules_for_attempts_booked_later(attempts, expected):
    assert decide_booking(RULE, attempts, TODAY) == expected
