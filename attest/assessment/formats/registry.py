"""The registry of item formats: the one list of the formats Attest knows, keyed by name.

Every other module asks the registry (``get_format``, ``FORMATS``) and then the format object
(its template, QTI interaction, lint rules, productive skill) rather than comparing format names;
``tests/unit/assessment/formats/test_registry.py`` proves that no other list exists.
"""

from __future__ import annotations

from collections.abc import Iterable

from attest.assessment.formats.base import ItemFormat
from attest.assessment.formats.choice import MultipleResponse, SingleChoice
from attest.assessment.formats.conversation import SpeakingConversation
from attest.assessment.formats.inline_choice import InlineChoice
from attest.assessment.formats.matching import Matching
from attest.assessment.formats.ordering import Ordering
from attest.assessment.formats.productive import AudioResponse, ExtendedText
from attest.assessment.formats.text_entry import TextEntry


def by_name(formats: Iterable[type[ItemFormat]]) -> dict[str, type[ItemFormat]]:
    """Return the formats keyed by name; ValueError for an empty or repeated name."""
    registry: dict[str, type[ItemFormat]] = {}
    for fmt in formats:
        if not fmt.name or fmt.name in registry:
            raise ValueError(f"item format {fmt.__name__}: name {fmt.name!r} empty or taken")
        registry[fmt.name] = fmt
    return registry


FORMATS: dict[str, type[ItemFormat]] = by_name(
    (
        SingleChoice,
        MultipleResponse,
        InlineChoice,
        Matching,
        Ordering,
        ExtendedText,
        AudioResponse,
        SpeakingConversation,
        TextEntry,
    )
)


def get_format(name: str) -> type[ItemFormat]:
    """Return the format class registered under ``name`` (KeyError if unknown)."""
    try:
        return FORMATS[name]
    except KeyError:
        raise KeyError(
            f"unknown item format {name!r}; known: {', '.join(sorted(FORMATS))}"
        ) from None


# The QTI 3.0 interactions some format is written as and read from.
QTI_INTERACTIONS = frozenset(f.qti_interaction for f in FORMATS.values() if f.qti_interaction)


def qti_formats(interaction: str) -> list[type[ItemFormat]]:
    """Return the formats written as this QTI interaction (two share qti-choice-interaction)."""
    return [f for f in FORMATS.values() if f.qti_interaction == interaction]


def qti_format(interaction: str, cardinality: str = "single") -> type[ItemFormat]:
    """Return the format read from this QTI interaction with a response of this cardinality
    (the only one for most interactions); KeyError when no format is written so."""
    found = qti_formats(interaction)
    if len(found) > 1:
        found = [f for f in found if f.qti_cardinality == cardinality]
    if not found:
        raise KeyError(f"no item format is written as {interaction} ({cardinality})")
    return found[0]
