"""Rubrics for speaking and writing, the level rule and the adjudication rule (docs/rating.md).

Bands are anchored on the CEFR: band 0 = below A1, 1 = A1, 2 = A2, 3 = B1, 4 = B2. A task at
level L is rated in bands 0..L+1 on each criterion of its task type (data/rubrics.yaml). A
criterion's descriptors are shared by the task types that use it unless the file gives a task
type its own (an override); every set of descriptors names its source, the CEFR Companion Volume
(2020) scales and pages, and the loader refuses one without it.

Level rule (one performance, then one skill):
1. A rating's task level is the lower median of its criterion bands, never above the task
   completion band (a fluent answer to another question does not complete the task) and never
   above the task's own level (a task can only show what it asks for).
2. A skill's level is the lower median of the task levels of all tasks planned for that skill;
   a task left unanswered counts as below A1. With two tasks this is the lower of the two: no
   level is awarded that only one task shows. The test purpose's ceiling caps the result.

Band thresholds (docs/standard-setting.md): rule 1 reads a band as a level with thresholds on the
band scale, by default the rubric's own (A1 1, A2 2, B1 3, B2 4: band n is level n). A
benchmarking panel's adopted cuts replace them (the cut-score store's `speaking`/`writing`
entries): a task reaches L when its lower-median band (and its task completion band) is at or
above the threshold of L. Callers pass the thresholds of the version that scores the result.

Final-rating rule (``decide``): two independent ratings are needed. If on any criterion they
differ by more than one band, or they lead to different task levels, a senior examiner gives a
third rating, which decides: its bands and level are final. Otherwise the final level is the
level both ratings give, and the final bands are the means of the two ratings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

# PRODUCTIVE and level_rank are the vocabulary's, read here as rubrics.* by examiner.scoring.
from attest.vocabulary import BELOW_A1, PRODUCTIVE, RESULT_LEVELS, level_rank  # noqa: F401

DATA_FILE = Path(__file__).with_name("data") / "rubrics.yaml"
BAND_LEVELS = RESULT_LEVELS  # band n means level BAND_LEVELS[n]
# Cues of a task in which the candidate talks *with* someone (a role-play or a phone call).
_DIALOGUE_CUES = re.compile(r"\b(praat met|je belt|belt (naar|aan)|wat zeg je|gesprek)", re.I)

Bands = Mapping[str, float]
Thresholds = Mapping[str, float]  # level (A1..B2) -> lowest band that reaches it
# The rubric's own thresholds: band n is level n (A1 1, A2 2, B1 3, B2 4).
BAND_THRESHOLDS: dict[str, float] = {level: float(level_rank(level)) for level in BAND_LEVELS[1:]}


class RubricError(ValueError):
    """The rubric data is malformed, or a rating does not fit its rubric."""


@dataclass(frozen=True)
class Scale:
    """One CEFR Companion Volume (2020) scale a set of descriptors is drawn from."""

    name: str
    pages: str


@dataclass(frozen=True)
class Source:
    """Where a criterion's descriptors come from: CV 2020 scales with their pages, and the URL."""

    scales: tuple[Scale, ...]
    url: str

    @property
    def citation(self) -> str:
        """Return the scales as one line: 'Conversation (p. 73); Reports and essays (pp. 68-69)'."""
        return "; ".join(
            f"{s.name} ({'pp.' if '-' in s.pages else 'p.'} {s.pages})" for s in self.scales
        )


@dataclass(frozen=True)
class Criterion:
    code: str
    label: str
    descriptors: tuple[str, ...]  # descriptor per band 0..max_band
    source: Source | None = None
    note: str = ""  # shown to the examiner above the bands


@dataclass(frozen=True)
class Rubric:
    """What an examiner scores for one task: criteria with the bands a task of `level` allows."""

    skill: str
    task_type: str
    task_type_label: str
    level: str
    criteria: tuple[Criterion, ...]

    @property
    def max_band(self) -> int:
        """Return the highest band a task of this level can be given."""
        return min(level_rank(self.level) + 1, len(BAND_LEVELS) - 1)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.criteria)

    @property
    def band_levels(self) -> tuple[str, ...]:
        """Return the level each band means (band n: band_levels[n]), for the rating form."""
        return BAND_LEVELS

    def check(self, bands: Mapping[str, Any]) -> dict[str, str]:
        """Return problems per criterion ('missing', 'not_a_band', 'out_of_range', 'unknown')."""
        problems: dict[str, str] = {}
        for code in self.codes:
            value = bands.get(code)
            if value is None or value == "":
                problems[code] = "missing"
            elif not isinstance(value, int) or isinstance(value, bool):
                problems[code] = "not_a_band"
            elif not 0 <= value <= self.max_band:
                problems[code] = "out_of_range"
        for code in bands:
            if code not in self.codes:
                problems[code] = "unknown"
        return problems


@dataclass(frozen=True)
class Rules:
    """The whole rubric file: criteria per skill, task types, quality and calibration bounds."""

    criteria: Mapping[str, Mapping[str, Mapping[str, Any]]]
    task_types: Mapping[str, Mapping[str, Mapping[str, Any]]]
    quality: Mapping[str, float]
    calibration: Mapping[str, float]
    benchmark_every: int


@lru_cache(maxsize=4)
def load_rules(path: Path = DATA_FILE) -> Rules:
    """Load and check the rubric file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        rules = Rules(
            criteria=data["criteria"],
            task_types=data["task_types"],
            quality=data["quality"],
            calibration=data["calibration"],
            benchmark_every=int(data["benchmark_every"]),
        )
    except (KeyError, TypeError) as exc:
        raise RubricError(f"{path.name}: missing section {exc}") from exc
    for skill, types in rules.task_types.items():
        for name, spec in types.items():
            for code in spec["criteria"]:
                _check_layer(path.name, skill, name, code, _layer(rules, skill, name, code))
                if not rules.criteria[skill][code].get("label"):
                    raise RubricError(f"{path.name}: criterion {skill}/{code} has no label")
        for code, entry in rules.criteria.get(skill, {}).items():
            for name in entry.get("task_types") or {}:
                if name not in types:
                    raise RubricError(f"{path.name}: {skill}/{code}: unknown task type {name!r}")
    return rules


def _layer(rules: Rules, skill: str, task_type: str, code: str) -> Mapping[str, Any]:
    """Return the descriptors of a criterion for a task type: its override, else the shared set."""
    entry = rules.criteria.get(skill, {}).get(code)
    if entry is None:
        return {}
    override = (entry.get("task_types") or {}).get(task_type)
    return override if override is not None else entry


def _check_layer(
    file: str, skill: str, task_type: str, code: str, layer: Mapping[str, Any]
) -> None:
    where = f"{file}: criterion {code!r} of {skill} task type {task_type!r}"
    if not layer:
        raise RubricError(f"{where} is not defined under criteria.{skill}")
    bands = layer.get("bands")
    if not isinstance(bands, Mapping) or not bands:
        raise RubricError(f"{where} has no band descriptors (bands 0..4)")
    outside = sorted(str(b) for b in bands if b not in range(len(BAND_LEVELS)))
    if outside:
        raise RubricError(f"{where} has band(s) {', '.join(outside)} outside 0..4")
    missing = [str(b) for b in range(len(BAND_LEVELS)) if b not in bands]
    if missing:
        raise RubricError(f"{where} misses band(s) {', '.join(missing)} (needs 0..4)")
    if not all(isinstance(d, str) and d.strip() for d in bands.values()):
        raise RubricError(f"{where} has an empty band descriptor")
    if not layer.get("source"):
        raise RubricError(
            f"{where} has no source: name the CEFR Companion Volume 2020 scales with their pages "
            "and the URL; a rubric without a source is a draft"
        )
    try:
        _source(layer)
    except (KeyError, TypeError, ValueError) as exc:
        raise RubricError(
            f"{where} has a malformed source ({exc!r}): name the CEFR Companion Volume 2020 scales "
            "with their pages and the URL; a rubric without a source is a draft"
        ) from None


def _source(layer: Mapping[str, Any]) -> Source:
    """Return the source of a set of descriptors (KeyError/TypeError/ValueError if malformed)."""
    raw = layer["source"]
    scales = tuple(Scale(str(s["name"]), str(s["pages"])) for s in raw["scales"])
    url = str(raw["url"])
    if not scales or not url.startswith("https://") or not all(s.name and s.pages for s in scales):
        raise ValueError("scales with pages and an https URL are required")
    return Source(scales, url)


def task_types(skill: str) -> tuple[str, ...]:
    """Return the task types known for a productive skill."""
    return tuple(load_rules().task_types[skill])


def task_type_for(skill: str, level: str, content: Mapping[str, Any]) -> str:
    """Return the task type of an item: its `task_type` field, else inferred from the task.

    Speaking: a dialogue when the prompt puts the candidate in a conversation (a role-play, a
    phone call), else a monologue. Writing: functional texts up to A2, argumentative from B1."""
    explicit = content.get("task_type")
    if explicit:
        return str(explicit)
    if skill == "speaking":
        return "dialogue" if _DIALOGUE_CUES.search(str(content.get("stem", ""))) else "monologue"
    return "functional" if level_rank(level) <= level_rank("A2") else "argumentative"


def rubric_for(skill: str, task_type: str, level: str) -> Rubric:
    """Return the rubric of a task: its criteria with this task type's descriptors (its own
    where the file gives them, else the criterion's shared ones) for bands 0..level+1."""
    rules = load_rules()
    try:
        spec = rules.task_types[skill][task_type]
    except KeyError:
        raise RubricError(f"no rubric for {skill} task type {task_type!r}") from None
    top = min(level_rank(level) + 1, len(BAND_LEVELS) - 1)
    criteria = []
    for code in spec["criteria"]:
        entry, layer = rules.criteria[skill][code], _layer(rules, skill, task_type, code)
        criteria.append(
            Criterion(
                code=code,
                label=entry["label"],
                descriptors=tuple(layer["bands"][b] for b in range(top + 1)),
                source=_source(layer),
                note=str(entry.get("note", "")),
            )
        )
    return Rubric(skill, task_type, spec["label"], level, tuple(criteria))


def _lower_median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[(len(ordered) - 1) // 2]


def band_rank(band: float, thresholds: Thresholds | None = None) -> int:
    """Return the rank (0 below A1 .. 4 B2) of the highest level whose threshold `band` reaches."""
    cuts = BAND_THRESHOLDS if thresholds is None else thresholds
    rank = 0
    for i, level in enumerate(BAND_LEVELS[1:], start=1):
        if band + 1e-9 >= float(cuts[level]):
            rank = i
    return rank


def task_level(bands: Bands, task_level_: str, thresholds: Thresholds | None = None) -> str:
    """Return the level one rating gives a task (rule 1 of the module docstring), read with
    `thresholds` (default: the rubric's own, BAND_THRESHOLDS)."""
    if not bands:
        return BELOW_A1
    rank = band_rank(_lower_median(list(bands.values())), thresholds)
    if "task_completion" in bands:
        rank = min(rank, band_rank(bands["task_completion"], thresholds))
    return BAND_LEVELS[max(0, min(rank, level_rank(task_level_)))]


def skill_level(task_levels: Sequence[str], ceiling: str | None = None) -> str:
    """Return the level of a skill from the levels of all its tasks (rule 2)."""
    if not task_levels:
        return BELOW_A1
    rank = int(_lower_median([level_rank(level) for level in task_levels]))
    if ceiling is not None:
        rank = min(rank, level_rank(ceiling))
    return BAND_LEVELS[rank]


@dataclass(frozen=True)
class Decision:
    """Where a performance stands: 'pending', 'adjudicate' or 'final' (with bands and level)."""

    status: str
    reasons: tuple[str, ...] = ()
    bands: Mapping[str, float] | None = None
    level: str | None = None
    method: str | None = None


def adjudication_reasons(
    first: Bands, second: Bands, level: str, thresholds: Thresholds | None = None
) -> tuple[str, ...]:
    """Return why two ratings need a third: criteria more than one band apart, and 'level'."""
    reasons = [
        code
        for code in sorted(set(first) | set(second))
        if abs(first.get(code, 0) - second.get(code, 0)) > 1
    ]
    if task_level(first, level, thresholds) != task_level(second, level, thresholds):
        reasons.append("level")
    return tuple(reasons)


def decide(
    level: str,
    first: Bands | None,
    second: Bands | None,
    third: Bands | None = None,
    thresholds: Thresholds | None = None,
) -> Decision:
    """Apply the final-rating rule to the ratings a performance has so far (levels read with
    `thresholds`, default the rubric's own)."""
    if first is None or second is None:
        return Decision("pending")
    reasons = adjudication_reasons(first, second, level, thresholds)
    if reasons:
        if third is None:
            return Decision("adjudicate", reasons)
        level_ = task_level(third, level, thresholds)
        return Decision("final", reasons, dict(third), level_, "adjudicated")
    mean = {code: (first[code] + second[code]) / 2 for code in first}
    return Decision("final", (), mean, task_level(first, level, thresholds), "agreed")
