"""Say an item's key in words for the preview: the right option with its text, the pairs, the
order, the accepted answers, instead of the item's raw JSON. Pure: no Flask."""

from __future__ import annotations

import string
from collections.abc import Mapping
from typing import Any


def _option_texts(options: Any) -> dict[str, str]:
    """Map option ids (a, b, c... by position unless an option names its own) to their text."""
    texts = {}
    for i, opt in enumerate(options or ()):
        if isinstance(opt, Mapping):
            oid = str(opt.get("id") or string.ascii_lowercase[i % 26])
            texts[oid] = str(opt.get("text") or opt.get("image") or "")
        else:
            texts[string.ascii_lowercase[i % 26]] = str(opt)
    return texts


def _say(value: Any, options: Mapping[str, str]) -> str:
    """Return one keyed value in words: an option id with its text, or the value itself."""
    if isinstance(value, list):
        return ", ".join(_say(v, options) for v in value)
    if isinstance(value, Mapping):
        return "; ".join(f"{k} → {_say(v, options)}" for k, v in value.items())
    text = options.get(str(value))
    return f"{value} ({text})" if text else str(value)


def key_lines(content: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return (what, key) lines for an item's content; empty when it has no key (speaking)."""
    options = _option_texts(content.get("options"))
    lines: list[tuple[str, str]] = []
    if "answer" in content:
        lines.append(("answer", _say(content["answer"], options)))
    if content.get("accept"):
        lines.append(("accept", _say(content["accept"], {})))
    for i, part in enumerate(content.get("prompts") or content.get("gaps") or (), start=1):
        if not isinstance(part, Mapping):
            continue
        part_options = _option_texts(part.get("options")) or options
        said = _say(part.get("answer", ""), part_options)
        if part.get("accept"):
            said += " / " + _say(part["accept"], {})
        lines.append((str(i), said))
    return lines
