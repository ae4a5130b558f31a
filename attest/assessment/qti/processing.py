"""How the response processing of a QTI item with several gaps scores them, next to Attest's rules.

An Attest item with several gaps (text entry, inline choice) scores them one way: all gaps right
or nothing (``all_or_nothing``), or the share of gaps right (``partial``). A QTI item may score
its gaps any way its response processing says: a template that reads only ``RESPONSE`` (so the
other gaps count for nothing), a sum of per-gap matches, weights, "at least two of three", ...

``gap_rule`` runs the item's response processing for every combination of gaps right and wrong
(each gap answered with its correct value or with a wrong one) and compares the ``SCORE`` it
gives, relative to the score of all gaps right, with Attest's two rules. Equal to one of them:
that rule, faithfully. Otherwise the nearest rule and the table of what differs, which the
importer names as a scoring approximation (opt-in with ``--approximate``). Response processing
that uses an operator not read here is named the same way. An item with one response (a
single choice, one gap) is run for a right and a wrong answer: a right answer that scores 0
(e.g. the ``match_correct`` template on a response not called ``RESPONSE``) or a wrong answer
that scores is named; processing it cannot read is left unread. Pure: no Flask, no ORM.
"""

from __future__ import annotations

import itertools
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

MAX_GAPS = 10  # 2**10 runs of the response processing at most
WRONG = "\x00wrong"  # an answer no key or mapping holds
TEMPLATES = {  # last part of a template URI (without .xml) -> what it scores
    "match_correct": "match",
    "cc2_match": "match",
    "cc2_match_basic": "match",
    "map_response": "map",
    "cc2_map_response": "map",
}
RULES = ("all_or_nothing", "partial")


class Unsupported(Exception):
    """The response processing uses something this reader does not evaluate."""


class _Exit(Exception):
    pass


@dataclass
class GapRule:
    """What the source's response processing does with the gaps, in Attest's terms."""

    rule: str  # all_or_nothing | partial: the source's rule, or the nearest one
    faithful: bool
    what: str = ""  # for an approximation: how the source scores, in words


def gap_rule(root: ET.Element, rids: list[str]) -> GapRule | None:
    """Return how the item's response processing scores its gaps, or None if it has none.

    ``root`` is a normalized item (QTI 3.0 names); ``rids`` are the response identifiers of
    its gaps in order (one response: see ``_one_response``).
    """
    processing = root.find("qti-response-processing")
    if processing is None or not rids:
        return None
    if len(rids) == 1:
        return _one_response(root, processing, rids[0])
    if len(rids) > MAX_GAPS:
        return GapRule("all_or_nothing", False, f"{len(rids)} gaps: response processing not read")
    machine = _Machine(root)
    try:
        rules = _rules(processing)
        scores = {}
        for combo in itertools.product((True, False), repeat=len(rids)):
            responses = {
                rid: (machine.correct_value(rid) if right else WRONG)
                for rid, right in zip(rids, combo, strict=True)
            }
            scores[combo] = machine.run(rules, responses)
    except Unsupported as exc:
        return GapRule(
            "all_or_nothing",
            False,
            f"response processing uses {exc}, which Attest does not read; Attest scores all "
            "gaps right or nothing",
        )
    top = scores[(True,) * len(rids)]
    if top <= 0:
        return GapRule(
            "all_or_nothing",
            False,
            f"response processing gives all gaps right a SCORE of {_num(top)}: "
            + _unscored(processing, rids)
            + "; Attest scores all gaps right or nothing",
        )
    relative = {combo: score / top for combo, score in scores.items()}
    expected = {
        "all_or_nothing": {c: float(all(c)) for c in scores},
        "partial": {c: sum(c) / len(c) for c in scores},
    }
    for rule in RULES:
        if all(abs(relative[c] - expected[rule][c]) < 1e-9 for c in scores):
            return GapRule(rule, True)
    template = _template(processing) if not list(processing) else None
    named = f"the {template} template, which reads RESPONSE only, " if template else ""
    rule = min(RULES, key=lambda r: sum(abs(relative[c] - expected[r][c]) for c in scores))
    wrong = [c for c in scores if abs(relative[c] - expected[rule][c]) >= 1e-9]
    shown = "; ".join(
        f"gap(s) {_gaps(c)} right: {_num(relative[c])} (Attest {_num(expected[rule][c])})"
        for c in sorted(wrong, key=lambda c: (-sum(c), c))[:4]
    )
    more = f"; and {len(wrong) - 4} more" if len(wrong) > 4 else ""
    words = "all gaps right or nothing" if rule == "all_or_nothing" else "the share of gaps right"
    return GapRule(
        rule,
        False,
        f"response processing ({named}relative to {_num(top)} for all gaps right) scores "
        f"the gaps otherwise: {shown}{more}; Attest scores {words}",
    )


def _one_response(root: ET.Element, processing: ET.Element, rid: str) -> GapRule | None:
    """One response: right must score and wrong must not, as in Attest; None if not read."""
    machine = _Machine(root)
    try:
        rules = _rules(processing)
        right = machine.run(rules, {rid: machine.correct_value(rid)})
        wrong = machine.run(rules, {rid: WRONG})
    except Unsupported:
        return None  # not read: the key comes from the correct response, as documented
    if right <= 0:
        return GapRule(
            "all_or_nothing",
            False,
            f"response processing gives the correct answer a SCORE of {_num(right)}: "
            + _unscored(processing, [rid])
            + "; Attest scores the correct answer 1",
        )
    mapped = root.find(f"qti-response-declaration[@identifier='{rid}']/qti-mapping")
    if wrong > 0 and mapped is None:  # a mapping's default-value is named by the reader
        return GapRule(
            "all_or_nothing",
            False,
            f"response processing gives an answer no key holds {_num(wrong)} of "
            f"{_num(right)}; Attest scores it 0",
        )
    return GapRule("all_or_nothing", True)


def _unscored(processing: ET.Element, rids: list[str]) -> str:
    template = _template(processing)
    if template is not None and not list(processing):
        what = "the gaps are" if len(rids) > 1 else "the response is"
        return f"the {template} template scores RESPONSE only, and {what} {', '.join(rids)}"
    return "it does not set SCORE from the gaps"


def _gaps(combo: tuple[bool, ...]) -> str:
    right = [str(i + 1) for i, ok in enumerate(combo) if ok]
    return ", ".join(right) if right else "none"


def _num(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:.3g}"


def _template(processing: ET.Element) -> str | None:
    uri = processing.get("template") or processing.get("template-location")
    if not uri:
        return None
    name = uri.rstrip("/").rsplit("/", 1)[-1].lower().removesuffix(".xml")
    if name not in TEMPLATES:
        raise Unsupported(f"the template {name}")
    return name


def _rules(processing: ET.Element) -> list[ET.Element]:
    """Return the rules to run: the element's own, else the template's expansion."""
    if list(processing):
        return list(processing)
    name = _template(processing)
    if name is None:
        return []
    kind = TEMPLATES[name]
    condition = ET.Element("qti-response-condition")
    branch = ET.SubElement(condition, "qti-response-if")
    if kind == "match":
        test = ET.SubElement(branch, "qti-match")
        ET.SubElement(test, "qti-variable", {"identifier": "RESPONSE"})
        ET.SubElement(test, "qti-correct", {"identifier": "RESPONSE"})
        _set(branch, ET.Element("qti-base-value", {"base-type": "float"}), "1")
        _set(ET.SubElement(condition, "qti-response-else"), None, "0")
    else:
        test = ET.SubElement(branch, "qti-is-null")
        ET.SubElement(test, "qti-variable", {"identifier": "RESPONSE"})
        _set(branch, None, "0")
        otherwise = ET.SubElement(condition, "qti-response-else")
        _set(otherwise, ET.Element("qti-map-response", {"identifier": "RESPONSE"}), None)
    return [condition]


def _set(parent: ET.Element, value: ET.Element | None, number: str | None) -> None:
    setter = ET.SubElement(parent, "qti-set-outcome-value", {"identifier": "SCORE"})
    if value is None:
        value = ET.Element("qti-base-value", {"base-type": "float"})
    if number is not None:
        value.text = number
    setter.append(value)


class _Machine:
    """Evaluates the common subset of QTI response processing for one item."""

    def __init__(self, root: ET.Element):
        self.declarations = {d.get("identifier"): d for d in root.iter("qti-response-declaration")}
        self.outcomes = {d.get("identifier"): d for d in root.iter("qti-outcome-declaration")}

    def correct_value(self, rid: str) -> Any:
        decl = self.declarations.get(rid)
        if decl is None:
            raise Unsupported(f"a gap without a declaration ({rid})")
        if decl.get("cardinality", "single") != "single":
            raise Unsupported(f"a gap with {decl.get('cardinality')} cardinality ({rid})")
        values = [(v.text or "").strip() for v in decl.iterfind("qti-correct-response/qti-value")]
        if values:
            return self._typed(values[0], decl.get("base-type"))
        entries = list(decl.iter("qti-map-entry"))
        if entries:
            best = max(entries, key=lambda e: _float(e.get("mapped-value")))
            return self._typed(best.get("map-key", ""), decl.get("base-type"))
        return None

    def run(self, rules: list[ET.Element], responses: dict[str, Any]) -> float:
        self.responses = responses
        self.values: dict[str, Any] = {}
        for ident, decl in self.outcomes.items():
            default = decl.find("qti-default-value/qti-value")
            numeric = decl.get("base-type") in ("float", "integer")
            if default is not None:
                self.values[ident] = self._typed(
                    (default.text or "").strip(), decl.get("base-type")
                )
            else:
                self.values[ident] = 0.0 if numeric else None
        try:
            self._block(rules)
        except _Exit:
            pass
        score = self.values.get("SCORE")
        if score is None:
            return 0.0
        if isinstance(score, bool) or not isinstance(score, (int, float)):
            raise Unsupported("a SCORE that is not a number")
        return float(score)

    def _block(self, rules: list[ET.Element]) -> None:
        for rule in rules:
            tag = rule.tag
            if tag == "qti-response-condition":
                for branch in rule:
                    if branch.tag == "qti-response-else":
                        self._block(list(branch))
                        break
                    if branch.tag not in ("qti-response-if", "qti-response-else-if"):
                        raise Unsupported(f"<{branch.tag}>")
                    test, *body = list(branch)
                    if self._eval(test) is True:
                        self._block(body)
                        break
            elif tag == "qti-set-outcome-value":
                (expression,) = list(rule)
                self.values[rule.get("identifier", "")] = self._eval(expression)
            elif tag == "qti-exit-response":
                raise _Exit
            elif tag == "qti-response-processing-fragment":
                self._block(list(rule))
            else:
                raise Unsupported(f"<{tag}>")

    def _eval(self, e: ET.Element) -> Any:  # noqa: C901 - one branch per operator
        tag = e.tag
        args = list(e)
        if tag == "qti-base-value":
            return self._typed((e.text or "").strip(), e.get("base-type"))
        if tag == "qti-null":
            return None
        if tag == "qti-variable":
            ident = e.get("identifier", "")
            if ident in self.responses:
                return self.responses[ident]
            return self.values.get(ident)  # an undeclared variable is NULL, as in QTI
        if tag == "qti-correct":
            ident = e.get("identifier", "")
            return self.correct_value(ident) if ident in self.declarations else None
        if tag == "qti-map-response":
            return self._map(e.get("identifier", ""))
        values = [self._eval(a) for a in args]
        if tag == "qti-is-null":
            return values[0] is None or values[0] == ""
        if tag in ("qti-match", "qti-equal", "qti-string-match"):
            if any(v is None for v in values):
                return None
            a, b = values
            if tag == "qti-string-match" and e.get("case-sensitive", "true") == "false":
                return str(a).lower() == str(b).lower()
            return a == b
        if tag in ("qti-and", "qti-or"):
            if any(v is None for v in values):
                return None
            return all(values) if tag == "qti-and" else any(values)
        if tag == "qti-not":
            return None if values[0] is None else not values[0]
        if tag == "qti-any-n":
            count = sum(1 for v in values if v is True)
            return int(e.get("min", "0")) <= count <= int(e.get("max", str(len(values))))
        numbers = [v for v in values if v is not None]
        if len(numbers) != len(values):
            return None
        if tag == "qti-sum":
            return float(sum(numbers))
        if tag == "qti-product":
            result = 1.0
            for v in numbers:
                result *= v
            return result
        if tag == "qti-subtract":
            return numbers[0] - numbers[1]
        if tag == "qti-divide":
            return None if numbers[1] == 0 else numbers[0] / numbers[1]
        if tag in ("qti-min", "qti-max"):
            return (min if tag == "qti-min" else max)(numbers)
        compare = {
            "qti-lt": lambda a, b: a < b,
            "qti-gt": lambda a, b: a > b,
            "qti-lte": lambda a, b: a <= b,
            "qti-gte": lambda a, b: a >= b,
        }
        if tag in compare:
            return compare[tag](*numbers)
        raise Unsupported(f"<{tag}>")

    def _map(self, rid: str) -> float:
        decl = self.declarations.get(rid)
        mapping = decl.find("qti-mapping") if decl is not None else None
        if mapping is None:
            raise Unsupported(f"qti-map-response on {rid}, which has no mapping")
        response = self.responses.get(rid)
        value = _float(mapping.get("default-value"))
        for entry in mapping.iter("qti-map-entry"):
            key = self._typed(entry.get("map-key", ""), decl.get("base-type"))
            sensitive = entry.get("case-sensitive", mapping.get("case-sensitive", "true"))
            same = (
                str(key).lower() == str(response).lower()
                if sensitive == "false" and isinstance(key, str) and isinstance(response, str)
                else key == response
            )
            if same:
                value = _float(entry.get("mapped-value"))
                break
        if mapping.get("lower-bound") is not None:
            value = max(value, _float(mapping.get("lower-bound")))
        if mapping.get("upper-bound") is not None:
            value = min(value, _float(mapping.get("upper-bound")))
        return value

    @staticmethod
    def _typed(text: str, base_type: str | None) -> Any:
        if base_type in ("float", "integer"):
            try:
                return float(text)
            except ValueError:
                raise Unsupported(f"the {base_type} value {text!r}") from None
        if base_type == "boolean":
            return text.lower() in ("true", "1")
        return text


def _float(value: str | None) -> float:
    try:
        return float(value) if value is not None else 0.0
    except ValueError:
        return 0.0
