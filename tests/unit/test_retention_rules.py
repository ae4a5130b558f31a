"""Retention rule of the test-day photo (attest.retention_rules.photo_due)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attest.retention_rules import RetentionPolicy, photo_due

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
POLICY = RetentionPolicy(photo_days=365)


@pytest.mark.parametrize(
    "days, attested, anonymised, due",
    [
        (364, False, False, False),
        (365, False, False, True),  # no attestation: a year after admission
        (3000, True, False, False),  # attested: kept while the candidate's data is
        (1, True, True, True),  # the candidate's data went: the photo goes with it
        (1, False, True, True),
    ],
)
def test_photo_due(days, attested, anonymised, due):
    now = T0 + timedelta(days=days)
    assert photo_due(T0, POLICY, now, attested=attested, candidate_anonymised=anonymised) is due


def test_photo_days_must_be_positive():
    with pytest.raises(ValueError):
        RetentionPolicy(photo_days=0)
