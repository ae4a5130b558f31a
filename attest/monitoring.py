"""Monitoring figures for policy makers: aggregation and small-cell suppression.

Plain Python (no Flask, no ORM): the service hands in one `TestRecord` per finished test and
gets back tables of counts in which no cell describes fewer than MIN_CELL people. The rule:

- a count of 1-4 people is shown as suppressed (None; "<5" in CSV); 0 is shown as 0;
- secondary suppression: when a table shows a group total and exactly one cell of the group
  is suppressed, the smallest other non-zero cell of that group is suppressed too, so the hidden
  count cannot be worked out by subtraction;
- a share (percentage) is shown only when its group has at least MIN_CELL people and neither
  the people meeting nor the people not meeting it number 1-4;
- times (days from test to attestation) are given as median and 90th percentile of groups of
  at least MIN_CELL attestations.

People are counted by candidate: a candidate tested twice in one cell counts once."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from statistics import median

from attest.vocabulary import RESULT_LEVELS as LEVELS
from attest.vocabulary import SKILLS

MIN_CELL = 5
SUPPRESSED = "<5"


@dataclass(frozen=True)
class TestRecord:
    """One finished test, reduced to what the figures need (no names, no dates of birth)."""

    __test__ = False  # not a pytest class

    candidate_key: int
    centre: str
    purpose: str
    month: str  # YYYY-MM of the test
    levels: Mapping[str, str | None]
    profiles: Mapping[str, bool] = field(default_factory=dict)  # profile code -> meets
    completed_at: datetime | None = None
    attested_at: datetime | None = None


@dataclass(frozen=True)
class Pending:
    """A productive skill of a finished test that still waits for its examiner scores."""

    centre: str
    skill: str
    waiting_since: datetime


@dataclass
class Table:
    """Rows of a report table; None in a count column means suppressed."""

    name: str
    columns: list[str]
    rows: list[list[object]]

    def csv_rows(self) -> list[list[str]]:
        """Return header and rows as text, with suppressed cells written as '<5'."""
        out = [list(self.columns)]
        for row in self.rows:
            out.append([SUPPRESSED if v is None else str(v) for v in row])
        return out


def suppress(count: int, minimum: int = MIN_CELL) -> int | None:
    """Return the count, or None when it describes 1..minimum-1 people."""
    return None if 0 < count < minimum else count


def suppress_group(counts: Sequence[int], minimum: int = MIN_CELL) -> list[int | None]:
    """Suppress small cells of one group, plus a second cell when only one would be hidden."""
    shown: list[int | None] = [suppress(c, minimum) for c in counts]
    hidden = [k for k, v in enumerate(shown) if v is None]
    if len(hidden) == 1:
        others = [(c, k) for k, c in enumerate(counts) if shown[k] not in (None, 0)]
        if others:
            shown[min(others)[1]] = None
    return shown


def share(meets: int, total: int, minimum: int = MIN_CELL) -> float | None:
    """Return meets/total as a percentage (one decimal), or None when it would reveal few."""
    if total < minimum or 0 < meets < minimum or 0 < total - meets < minimum:
        return None
    return round(100.0 * meets / total, 1)


def _people(records: Iterable[TestRecord], key: Callable[[TestRecord], tuple]) -> dict:
    groups: dict[tuple, set[int]] = defaultdict(set)
    for r in records:
        groups[key(r)].add(r.candidate_key)
    return groups


def people_tested(records: Sequence[TestRecord]) -> Table:
    """People tested per month, centre and purpose."""
    groups = _people(records, lambda r: (r.month, r.centre, r.purpose))
    rows = [[*k, suppress(len(v))] for k, v in sorted(groups.items())]
    return Table("tests", ["month", "centre", "purpose", "people"], rows)


def people_per_month(records: Sequence[TestRecord]) -> Table:
    """People tested per month over all centres and purposes."""
    groups = _people(records, lambda r: (r.month,))
    rows = [[*k, suppress(len(v))] for k, v in sorted(groups.items())]
    return Table("people_per_month", ["month", "people"], rows)


def levels_reached(records: Sequence[TestRecord], by: str) -> Table:
    """People per level reached, for each skill and each value of `by` (purpose/centre/month).

    Each row is one group (skill, value); its level cells are suppressed together."""
    rows = []
    values = sorted({getattr(r, by) for r in records})
    for skill in SKILLS:
        for value in values:
            cells = {
                level: {
                    r.candidate_key
                    for r in records
                    if getattr(r, by) == value and r.levels.get(skill) == level
                }
                for level in LEVELS
            }
            counts = [len(cells[level]) for level in LEVELS]
            total = len(set().union(*cells.values()))
            if total == 0:
                continue
            rows.append([skill, value, *suppress_group(counts), suppress(total)])
    return Table(f"levels_by_{by}", ["skill", by, *LEVELS, "total"], rows)


def profile_shares(records: Sequence[TestRecord], by: str | None = None) -> Table:
    """Share of people whose result meets each requirement profile (judged on the test date)."""
    groups: dict[tuple, dict[int, bool]] = defaultdict(dict)
    for r in records:
        for code, meets in r.profiles.items():
            key = (code, getattr(r, by)) if by else (code,)
            # a person tested twice counts once: meeting it once is meeting it
            groups[key][r.candidate_key] = groups[key].get(r.candidate_key, False) or meets
    rows = []
    for key, people in sorted(groups.items()):
        total, meets = len(people), sum(people.values())
        visible = share(meets, total) is not None
        rows.append([*key, suppress(total), meets if visible else None, share(meets, total)])
    columns = ["profile", *([by] if by else []), "people", "meeting", "percent"]
    return Table("profiles" + (f"_by_{by}" if by else ""), columns, rows)


def _percentile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low = int(pos)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


def time_to_attestation(records: Sequence[TestRecord]) -> Table:
    """Days from the end of the test to the attestation, per month: median and 90th percentile."""
    groups: dict[str, list[float]] = defaultdict(list)
    for r in records:
        if r.completed_at is not None and r.attested_at is not None:
            days = (r.attested_at - r.completed_at).total_seconds() / 86400
            groups[r.month].append(max(days, 0.0))
    rows = []
    for month, days in sorted(groups.items()):
        if len(days) < MIN_CELL:
            rows.append([month, None, None, None])
        else:
            rows.append(
                [month, len(days), round(median(days), 1), round(_percentile(days, 0.9), 1)]
            )
    return Table("time_to_attestation", ["month", "attestations", "median_days", "p90_days"], rows)


def examiner_backlog(pending: Sequence[Pending], today: date) -> Table:
    """Skills waiting for examiner scores per centre and skill, with the oldest wait in days."""
    groups: dict[tuple[str, str], list[datetime]] = defaultdict(list)
    for p in pending:
        groups[(p.centre, p.skill)].append(p.waiting_since)
    rows = []
    for (centre, skill), since in sorted(groups.items()):
        count = suppress(len(since))
        oldest = (today - min(since).date()).days if count is not None else None
        rows.append([centre, skill, count, oldest])
    return Table("examiner_backlog", ["centre", "skill", "waiting", "oldest_days"], rows)


def all_tables(
    records: Sequence[TestRecord], pending: Sequence[Pending], today: date
) -> dict[str, Table]:
    """Every table of the reports page and its CSV downloads, by name."""
    tables = [
        people_per_month(records),
        people_tested(records),
        levels_reached(records, "purpose"),
        levels_reached(records, "centre"),
        levels_reached(records, "month"),
        profile_shares(records),
        profile_shares(records, "month"),
        time_to_attestation(records),
        examiner_backlog(pending, today),
    ]
    return {t.name: t for t in tables}
