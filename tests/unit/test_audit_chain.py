"""The audit hash chain: every kind of tampering is found and located."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from attest.audit_chain import GENESIS, entry_hash, verify_chain

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def chain(n: int = 5) -> list[dict]:
    entries, prev = [], GENESIS
    for k in range(1, n + 1):
        entry = {
            "id": k * 10,
            "seq": k,
            "at": T0 + timedelta(seconds=k),
            "actor_id": 7,
            "action": "session.create",
            "object_type": "test_session",
            "object_id": str(k),
            "detail": {"purpose": "a2"},
            "prev_hash": prev,
        }
        entry["hash"] = entry_hash(entry)
        prev = entry["hash"]
        entries.append(entry)
    return entries


def head(entries):
    return entries[-1]["seq"], entries[-1]["hash"]


def test_an_intact_chain_has_no_problems():
    entries = chain()
    assert verify_chain(entries, head(entries)) == []
    assert verify_chain([], (0, GENESIS)) == []


@pytest.mark.parametrize(
    "field,value", [("action", "x"), ("detail", {"purpose": "b1"}), ("actor_id", 8), ("at", T0)]
)
def test_an_altered_entry_is_named(field, value):
    entries = chain()
    entries[2][field] = value
    problems = verify_chain(entries, head(chain()))
    assert [(p.row_id, p.kind) for p in problems] == [(30, "altered")]


def test_an_altered_entry_with_recomputed_hash_breaks_the_next_link():
    entries = chain()
    entries[2]["action"] = "x"
    entries[2]["hash"] = entry_hash(entries[2])
    problems = verify_chain(entries, head(entries))
    assert [(p.row_id, p.kind) for p in problems] == [(40, "broken_link")]


def test_a_removed_entry_is_named():
    entries = chain()
    del entries[1]
    problems = verify_chain(entries, head(entries))
    assert [(p.row_id, p.kind) for p in problems] == [(30, "removed"), (30, "broken_link")]
    assert "seq 2 is missing" in str(problems[0])


def test_entries_cut_off_the_end_are_found_through_the_head():
    entries = chain()
    full_head = head(entries)
    problems = verify_chain(entries[:-2], full_head)
    assert [p.kind for p in problems] == ["removed"]
    assert "head is at seq 5" in str(problems[0])


def test_reordered_entries_are_named():
    entries = chain()
    entries[1], entries[2] = entries[2], entries[1]
    problems = verify_chain(entries, head(entries))
    kinds = {(p.seq, p.kind) for p in problems}
    assert (2, "reordered") in kinds and (3, "removed") in kinds


def test_naive_timestamps_are_refused():
    entry = chain(1)[0] | {"at": datetime(2026, 1, 1)}
    with pytest.raises(ValueError):
        entry_hash(entry)
