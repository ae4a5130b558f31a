"""Item formats: one module per family, one class per format, registered in ``registry``.

``base`` holds the interface (``ItemFormat``, ``ExaminerScored``) and the parsing and checking
helpers every format uses; ``choice`` (single_choice, multiple_response), ``inline_choice``,
``matching``, ``ordering``, ``text_entry`` and ``productive`` (extended_text, audio_response)
hold the formats; ``key_checks`` the helpers of their lint rules; ``registry`` the one list.
Pure: no Flask, no database (tests/unit/test_purity.py). docs/architecture.md ("How to add …",
"An item format") says what a new format needs.
"""

from attest.assessment.formats.base import (
    ExaminerScored,
    ItemFormat,
    RawResponse,
    ResponseError,
)
from attest.assessment.formats.registry import FORMATS, get_format

__all__ = [
    "FORMATS",
    "ExaminerScored",
    "ItemFormat",
    "RawResponse",
    "ResponseError",
    "get_format",
]
