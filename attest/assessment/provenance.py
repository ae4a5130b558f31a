"""Where each listening clip comes from, and whether a purpose may go live with its clips.

The bank files are the versioned source: `media/provenance.yaml` beside the clips says, per
media path, whether the clip is synthetic (engine and voices) or human (a speaker pseudonym, the
region of the accent, who approved it and when). The admin audio studio stores new human clips
in the instance (database + storage) and `attest bank studio-export` writes them, with their
provenance, back into the bank. Delivery prefers an approved studio clip over the bank's file.

A live purpose must deliver only human, approved clips, unless the instance allows synthetic
audio (ATTEST_SYNTHETIC_AUDIO=allow: the demo and the tests). Pure: no Flask, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from attest.assessment.bank import MEDIA_DIR, Bank
from attest.assessment.purposes import Purpose
from attest.vocabulary import level_range

PROVENANCE_FILE = "provenance.yaml"
KINDS = ("synthetic", "human")
REGIONS = ("flemish", "netherlands")
# A speaker is named by a pseudonym only (no personal data in the bank): "spk-" and digits.
SPEAKER = re.compile(r"^spk-[0-9]{1,6}$")
ALLOW, REFUSE = "allow", "refuse"  # ATTEST_SYNTHETIC_AUDIO


class ProvenanceError(ValueError):
    """The provenance file is malformed."""


@dataclass(frozen=True)
class ClipProvenance:
    """Where one clip comes from."""

    kind: str  # synthetic or human
    engine: str | None = None  # synthetic: the speech engine
    voices: tuple[str, ...] = ()  # synthetic: the engine's voices
    speaker: str | None = None  # human: pseudonym
    region: str | None = None  # human: flemish or netherlands
    approved_by: str | None = None  # human: the approving admin's user name
    approved_at: str | None = None  # human: ISO 8601 date-time, UTC

    @property
    def human_approved(self) -> bool:
        """Tell whether this is a human recording that an admin approved."""
        return self.kind == "human" and bool(self.approved_by and self.approved_at)

    def as_yaml(self) -> dict:
        """Return the entry as written in provenance.yaml (empty fields left out)."""
        out = {"kind": self.kind}
        for name in ("engine", "speaker", "region", "approved_by", "approved_at"):
            if getattr(self, name):
                out[name] = getattr(self, name)
        if self.voices:
            out["voices"] = list(self.voices)
        return out


def parse_entry(path: str, entry: object) -> ClipProvenance:
    """Return one clip's provenance; ProvenanceError naming the path when it is not valid."""
    if not isinstance(entry, dict):
        raise ProvenanceError(f"{path}: expected a mapping")
    unknown = set(entry) - {
        "kind", "engine", "voices", "speaker", "region", "approved_by", "approved_at"
    }  # fmt: skip
    if unknown:
        raise ProvenanceError(f"{path}: unknown field(s) {', '.join(sorted(unknown))}")
    kind = entry.get("kind")
    if kind not in KINDS:
        raise ProvenanceError(f"{path}: kind must be one of {', '.join(KINDS)}")
    clip = ClipProvenance(
        kind=kind,
        engine=entry.get("engine"),
        voices=tuple(entry.get("voices") or ()),
        speaker=entry.get("speaker"),
        region=entry.get("region"),
        approved_by=entry.get("approved_by"),
        approved_at=str(entry["approved_at"]) if entry.get("approved_at") else None,
    )
    if kind == "synthetic" and not clip.engine:
        raise ProvenanceError(f"{path}: a synthetic clip names its engine")
    if kind == "human":
        if not clip.speaker or not SPEAKER.match(str(clip.speaker)):
            raise ProvenanceError(
                f"{path}: speaker must be a pseudonym such as spk-7 (no names: personal data)"
            )
        if clip.region not in REGIONS:
            raise ProvenanceError(f"{path}: region must be one of {', '.join(REGIONS)}")
    return clip


# Parsed provenance per file, kept while the file's mtime and size stay the same: the proctor
# page and every live session's start read it, and parsing it each time cost tenths of a second.
_PARSED: dict[Path, tuple[tuple[int, int], dict[str, ClipProvenance]]] = {}
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when PyYAML was built with it


def load_provenance(bank_root: Path) -> dict[str, ClipProvenance]:
    """Return media path -> provenance from the bank's media/provenance.yaml ({} if absent).

    The parsed file is kept per process and read again when its mtime or size changes; the
    caller gets a dict of its own (the entries are frozen)."""
    path = Path(bank_root) / MEDIA_DIR / PROVENANCE_FILE
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError):
        return {}
    stamp = (stat.st_mtime_ns, stat.st_size)
    kept = _PARSED.get(path)
    if kept is not None and kept[0] == stamp:
        return dict(kept[1])
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_LOADER) or {}  # noqa: S506
    except yaml.YAMLError as exc:
        raise ProvenanceError(f"{path.name}: not valid YAML: {exc}") from None
    clips = data.get("clips") if isinstance(data, dict) else None
    if not isinstance(clips, dict):
        raise ProvenanceError(f"{path.name}: expected a mapping 'clips' of media path -> entry")
    parsed = {str(key): parse_entry(str(key), entry) for key, entry in clips.items()}
    _PARSED[path] = (stamp, parsed)
    return dict(parsed)


def write_provenance(bank_root: Path, clips: Mapping[str, ClipProvenance]) -> Path:
    """Write media/provenance.yaml, sorted by path (a stable diff in version control)."""
    path = Path(bank_root) / MEDIA_DIR / PROVENANCE_FILE
    body = {"clips": {key: clips[key].as_yaml() for key in sorted(clips)}}
    header = (
        "# Provenance of every clip in media/ (attest.assessment.provenance): synthetic (speech\n"
        "# engine and voices) or human (speaker pseudonym, region, approving admin, when).\n"
        "# Written by `attest bank audio` and `attest bank studio-export`; checked by\n"
        "# `attest bank check`.\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        header + yaml.safe_dump(body, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )
    _PARSED.pop(path, None)  # a rewrite within the clock's resolution keeps no stale entry
    return path


def audio_paths(item) -> list[str]:
    """Return the media paths of an item's audio (its clip and any option audio)."""
    return [ref for key, ref in item.media.items() if key == "audio" or key.endswith(".audio")]


def bank_clips(bank: Bank) -> list[str]:
    """Return every audio media path the bank refers to, sorted."""
    return sorted({ref for item in bank.items for ref in audio_paths(item)})


def deliverable_clips(purpose: Purpose, bank: Bank) -> list[str]:
    """Return the audio a purpose can deliver: of the live items of its skills in its range."""
    levels = set(level_range(purpose.lowest_level, purpose.target_level))
    skills = set(purpose.skills)
    return sorted(
        {
            ref
            for item in bank.items
            if item.status == "live" and item.skill in skills and item.level in levels
            for ref in audio_paths(item)
        }
    )


@dataclass(frozen=True)
class PurposeAudio:
    """One purpose's deliverable clips and how many are human and approved."""

    purpose: Purpose
    clips: int
    human: int
    synthetic: int
    unknown: int  # clips without provenance
    missing: tuple[str, ...] = field(default=())  # clips not human-approved (first few)

    @property
    def share(self) -> float:
        """Return the share of deliverable clips that are human and approved (1.0 if none)."""
        return self.human / self.clips if self.clips else 1.0

    def problems(self, synthetic: str) -> list[str]:
        """Return why this live purpose may not be live with its clips ([] when it may)."""
        if not self.purpose.is_live or self.human == self.clips or synthetic == ALLOW:
            return []
        return [
            f"{self.purpose.code}: {self.clips - self.human} of {self.clips} clips it can "
            f"deliver are not human and approved (e.g. {', '.join(self.missing[:3])}); record "
            "them in the audio studio, mark the purpose draft, or allow synthetic audio "
            "(ATTEST_SYNTHETIC_AUDIO=allow, demo and test instances only)"
        ]


def clip_sources(
    bank: Bank,
    bank_provenance: Mapping[str, ClipProvenance],
    studio: Mapping[str, ClipProvenance] | None = None,
) -> dict[str, ClipProvenance | None]:
    """Return media path -> the provenance of what is delivered: an approved studio clip wins
    over the bank's entry; None for a clip without provenance."""
    studio = studio or {}
    return {path: studio.get(path) or bank_provenance.get(path) for path in bank_clips(bank)}


def purpose_audio(
    purposes: Iterable[Purpose], bank: Bank, sources: Mapping[str, ClipProvenance | None]
) -> list[PurposeAudio]:
    """Return, per purpose, its deliverable clips by provenance."""
    table = []
    for purpose in purposes:
        clips = deliverable_clips(purpose, bank)
        kinds = [sources.get(path) for path in clips]
        human = [p for p, s in zip(clips, kinds, strict=True) if s and s.human_approved]
        table.append(
            PurposeAudio(
                purpose,
                clips=len(clips),
                human=len(human),
                synthetic=sum(1 for s in kinds if s and s.kind == "synthetic"),
                unknown=sum(1 for s in kinds if s is None),
                missing=tuple(p for p in clips if p not in set(human))[:5],
            )
        )
    return table


def missing_provenance(bank: Bank, provenance: Mapping[str, ClipProvenance]) -> list[str]:
    """Return the bank's audio paths that have no provenance entry."""
    return [path for path in bank_clips(bank) if path not in provenance]


def format_audio_table(table: list[PurposeAudio]) -> list[str]:
    """Return the audio provenance table, one line per purpose."""
    lines = [f"{'purpose':<31} {'status':<6} {'clips':>5} {'human':>5} {'synth':>5} {'share':>6}"]
    for row in table:
        lines.append(
            f"{row.purpose.code:<31} {row.purpose.status:<6} {row.clips:>5} {row.human:>5} "
            f"{row.synthetic:>5} {row.share:6.0%}"
        )
    return lines
