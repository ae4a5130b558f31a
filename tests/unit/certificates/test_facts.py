"""One attestation-facts type: the row's columns, the PDF's and the credential's facts."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from types import SimpleNamespace

from attest.certificates.facts import AttestationFacts, facts_of

FACTS = AttestationFacts(
    code="ATT-7KQ2-M9XP",
    family_name="Janssens",
    given_names="Marie Anne",
    birth_date=date(1990, 3, 4),
    levels={"listening": "A2", "reading": None, "speaking": "below_A1", "writing": None},
    test_date=date(2025, 3, 1),
    issued_at=datetime(2025, 3, 3, 10, 0, tzinfo=UTC),
    status_index=4711,
)


def test_the_skills_tested_leave_out_those_not_tested():
    assert FACTS.tested_levels() == {"listening": "A2", "speaking": "below_A1"}


def test_a_row_made_from_the_facts_gives_the_same_facts_back():
    row = SimpleNamespace(**FACTS.row_values(), centre_name="elders", is_demo=True)
    assert facts_of(row) == FACTS
    assert (
        facts_of(SimpleNamespace(**replace(FACTS, status_index=None).row_values())).status_index
        is None
    )
