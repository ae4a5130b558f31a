"""Monitoring aggregates: counts per group, small cells suppressed, people counted once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from attest.monitoring import (
    Pending,
    TestRecord,
    all_tables,
    examiner_backlog,
    levels_reached,
    people_tested,
    profile_shares,
    share,
    suppress,
    suppress_group,
    time_to_attestation,
)

T = datetime(2026, 3, 2, 10, tzinfo=UTC)


def rec(k, *, centre="GENT", purpose="a2", month="2026-03", level="A2", meets=True, days=None):
    return TestRecord(
        candidate_key=k,
        centre=centre,
        purpose=purpose,
        month=month,
        levels={"listening": level, "reading": level},
        profiles={"social_housing": meets},
        completed_at=T,
        attested_at=None if days is None else T + timedelta(days=days),
    )


@pytest.mark.parametrize("count,shown", [(0, 0), (1, None), (4, None), (5, 5), (120, 120)])
def test_counts_of_one_to_four_people_are_suppressed(count, shown):
    assert suppress(count) == shown


@pytest.mark.parametrize(
    "counts,shown",
    [
        ([10, 3, 7, 0], [10, None, None, 0]),  # one hidden: the smallest other one goes too
        ([10, 3, 2, 0], [10, None, None, 0]),  # two hidden already: nothing more to do
        ([10, 12, 7], [10, 12, 7]),
        ([3, 0, 0], [None, 0, 0]),  # nothing else to hide: zeros reveal nothing
    ],
)
def test_secondary_suppression_stops_subtraction(counts, shown):
    assert suppress_group(counts) == shown


@pytest.mark.parametrize(
    "meets,total,expected",
    [(0, 4, None), (5, 10, 50.0), (8, 10, None), (3, 10, None), (10, 10, 100.0), (0, 10, 0.0)],
)
def test_shares_hide_small_numerators_and_complements(meets, total, expected):
    assert share(meets, total) == expected


def test_tests_taken_counts_people_once_and_suppresses():
    records = [rec(k) for k in range(6)] + [rec(0)]  # candidate 0 tested twice
    records += [rec(100 + k, centre="BRUGGE") for k in range(3)]
    table = people_tested(records)
    assert table.rows == [["2026-03", "BRUGGE", "a2", None], ["2026-03", "GENT", "a2", 6]]
    assert table.csv_rows()[1] == ["2026-03", "BRUGGE", "a2", "<5"]


def test_levels_per_skill_and_purpose():
    records = [rec(k, level="A2") for k in range(7)] + [rec(10 + k, level="B1") for k in range(2)]
    table = levels_reached(records, "purpose")
    listening = next(r for r in table.rows if r[0] == "listening")
    cols = dict(zip(table.columns, listening, strict=True))
    assert cols["A2"] is None and cols["B1"] is None  # B1 (2) hidden, and A2 so it can't be
    assert cols["total"] == 9 and cols["A1"] == 0 and cols["purpose"] == "a2"


def test_profile_shares():
    records = [rec(k, meets=k < 6) for k in range(12)]
    table = profile_shares(records)
    assert table.rows == [["social_housing", 12, 6, 50.0]]
    few = profile_shares([rec(k) for k in range(4)])
    assert few.rows == [["social_housing", None, None, None]]


def test_time_to_attestation_median_and_p90():
    records = [rec(k, days=d) for k, d in enumerate([1, 2, 3, 4, 10])]
    assert time_to_attestation(records).rows == [["2026-03", 5, 3.0, 7.6]]
    assert time_to_attestation(records[:4]).rows == [["2026-03", None, None, None]]


def test_examiner_backlog_per_centre_and_skill():
    pending = [Pending("GENT", "speaking", T - timedelta(days=d)) for d in range(6)]
    pending += [Pending("GENT", "writing", T)]
    table = examiner_backlog(pending, date(2026, 3, 2))
    assert table.rows == [["GENT", "speaking", 6, 5], ["GENT", "writing", None, None]]


def test_no_table_carries_a_candidate_key():
    records = [rec(900_000 + k, days=k) for k in range(8)]
    for table in all_tables(records, [], date(2026, 3, 2)).values():
        assert "900001" not in repr(table.rows)
