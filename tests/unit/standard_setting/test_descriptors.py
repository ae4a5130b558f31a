"""The familiarisation descriptors: every skill has Dutch paraphrases at every level measured,
each naming its Companion Volume 2020 scale and page, with the CV's URL; the key is their level."""

from __future__ import annotations

from attest.assessment import standard_setting as ss
from attest.standard_setting.descriptors import descriptor_key, descriptors_for, load_descriptors
from attest.vocabulary import LEVELS, SKILLS


def test_every_skill_has_sourced_descriptors_at_every_level():
    descriptors = load_descriptors()
    assert set(descriptors) == set(SKILLS)
    for skill in SKILLS:
        rows = descriptors_for(skill)
        assert {d.level for d in rows} == set(LEVELS)
        for d in rows:
            assert d.source.startswith("https://rm.coe.int/")
            assert d.scale and d.page.isdigit() and len(d.text) > 30


def test_the_key_sorts_itself_perfectly_and_a_shuffle_does_not():
    key = descriptor_key("listening")
    assert ss.familiarisation(key, key).exact == 1.0
    reversed_levels = {d: LEVELS[len(LEVELS) - 1 - LEVELS.index(lv)] for d, lv in key.items()}
    result = ss.familiarisation(reversed_levels, key)
    assert result.exact == 0.0 and result.spearman < 0


def test_receptive_pages_not_checked_against_the_pdf_say_so():
    from attest.standard_setting.descriptors import load_descriptors

    descriptors = load_descriptors()
    for skill in ("listening", "reading"):
        assert descriptors[skill] and all(not d.page_verified for d in descriptors[skill])
    for skill in ("speaking", "writing"):
        assert all(d.page_verified for d in descriptors[skill])
