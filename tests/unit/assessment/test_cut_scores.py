"""A new version of the cut-score store (what adoption writes): the skill's or one purpose's cuts
replaced with status final and their record, everything else kept, checked like the file."""

from __future__ import annotations

import pytest

from attest.assessment.cut_scores import (
    CutScoreError,
    load_store,
    read_data,
    store_from_data,
    with_new_cuts,
)

NEW = {"A1": -2.0, "A2": -0.5, "B1": 1.0, "B2": 2.5}
RECORD = {"method": "standard setting: Bookmark (RP67)", "date": "2026-12-07", "panel": "#1"}


def test_a_new_version_replaces_one_skills_cuts_and_keeps_the_rest():
    seed = read_data()
    data = with_new_cuts(seed, "panel-1-20261207", "reading", None, NEW, RECORD)
    store = store_from_data(data)
    assert store.version == "panel-1-20261207"
    assert store.cuts("reading").cuts == NEW and store.cuts("reading").version == store.version
    assert not store.record("reading").is_provisional
    assert store.record("reading").panel == "#1"
    assert store.cuts("listening").cuts == load_store().cuts("listening").cuts
    assert store.record("listening").is_provisional
    assert seed["version"] == "provisional-1"  # the seed's data is not changed


def test_a_purpose_can_get_cuts_of_its_own():
    data = with_new_cuts(read_data(), "panel-2", "reading", "a2-luisteren-lezen", NEW, RECORD)
    store = store_from_data(data)
    assert store.cuts("reading", "a2-luisteren-lezen").cuts == NEW
    assert store.cuts("reading", "niveaubepaling").cuts == load_store().cuts("reading").cuts


def test_cuts_that_do_not_rise_are_refused():
    with pytest.raises(CutScoreError):
        with_new_cuts(read_data(), "panel-3", "reading", None, {**NEW, "B1": -1.0}, RECORD)
