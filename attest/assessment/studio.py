"""The audio studio's service: store a human recording for a bank clip, approve it, deliver it.

A recording is checked and normalised first (attest.assessment.studio_audio); an unfit upload
raises StudioAudioError before anything is written. The file goes to the instance storage
under studio/, the row to `studio_clip`. A second admin approves it (never the one who recorded
it: the approval is the check that the words, the voice and the sound are right, and nobody
hears their own slips); approval is one compare-and-set, so a double-click approves once. The
newest approved clip of a media path is what the kiosk plays in place of the bank's file, and
`attest bank studio-export` writes approved clips and their provenance into the bank files.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import sqlalchemy as sa
import sqlalchemy.orm as so

from attest.assessment.bank import MEDIA_DIR
from attest.assessment.provenance import (
    ALLOW,
    REFUSE,
    REGIONS,
    SPEAKER,
    ClipProvenance,
    ProvenanceError,
    load_provenance,
)
from attest.assessment.purposes import Purpose
from attest.assessment.studio_audio import PreparedClip, StudioAudioError, prepare_clip
from attest.models import Item, ItemVersion, StudioClip, User
from attest.storage import DirectoryStorage
from attest.vocabulary import level_range

__all__ = ["StudioAudioError", "StudioError", "approve", "approved_clips", "store_clip"]

STORAGE_PREFIX = "studio"
# The kiosk's spoken general instructions are recorded under these media paths (no bank file
# has them): "instructions/<language code>.ogg", exported to static/audio/instructions/.
INSTRUCTIONS_PREFIX = "instructions/"
INSTRUCTIONS_MAX_SECONDS = 300.0  # all spoken paragraphs of one language


def instruction_media_path(code: str) -> str:
    """Return the studio's media path of one kiosk language's spoken instructions."""
    return f"{INSTRUCTIONS_PREFIX}{code}.ogg"


class StudioError(ValueError):
    """A studio action was refused; `code` names the reason."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def store_clip(
    session: so.Session,
    storage: DirectoryStorage,
    *,
    media_path: str,
    level: str | None,
    data: bytes,
    speaker: str,
    region: str,
    actor: User,
    now: datetime,
    start: float | None = None,
    end: float | None = None,
    max_seconds: float | None = None,
) -> StudioClip:
    """Check, normalise and store a recording for one bank clip; StudioError/StudioAudioError
    (nothing stored) when the speaker, the region or the audio is not acceptable. Its length
    is held to the limit of its item's `level`, or to `max_seconds` for audio of no item
    (`level` None: the kiosk's spoken instructions, INSTRUCTIONS_MAX_SECONDS)."""
    if not SPEAKER.match(speaker or ""):
        raise StudioError("speaker", "the speaker must be a pseudonym such as spk-7, not a name")
    if region not in REGIONS:
        raise StudioError("region", f"the region must be one of {', '.join(REGIONS)}")
    clip: PreparedClip = prepare_clip(data, level, start, end, max_seconds=max_seconds)
    key = f"{STORAGE_PREFIX}/{secrets.token_hex(16)}.ogg"
    storage.put(key, clip.data)
    row = StudioClip(
        media_path=media_path,
        storage_key=key,
        sha256=hashlib.sha256(clip.data).hexdigest(),
        speaker=speaker,
        region=region,
        duration_s=clip.duration_s,
        loudness_lufs=round(clip.loudness_out, 2),
        uploaded_by_id=actor.id,
        uploaded_at=now,
    )
    session.add(row)
    session.flush()
    return row


def approve(session: so.Session, clip_id: int, actor: User, now: datetime) -> StudioClip:
    """Approve a pending clip as `actor`; StudioError when it is unknown, the actor recorded
    it, or it is already approved (a second click of the same button: one approval stands)."""
    clip = session.get(StudioClip, clip_id)
    if clip is None:
        raise StudioError("unknown", "no such recording")
    if clip.uploaded_by_id == actor.id:
        raise StudioError(
            "four_eyes", "a recording is approved by another admin than the one who made it"
        )
    done = session.execute(
        sa.update(StudioClip)
        .where(StudioClip.id == clip_id, StudioClip.approved_at.is_(None))
        .values(approved_by_id=actor.id, approved_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount
    if done != 1:
        raise StudioError("approved", "this recording is already approved")
    session.refresh(clip)
    return clip


def approved_clips(session: so.Session) -> dict[str, StudioClip]:
    """Return media path -> its newest approved studio clip."""
    rows = session.scalars(
        sa.select(StudioClip)
        .where(StudioClip.approved_at.is_not(None))
        .order_by(StudioClip.approved_at, StudioClip.id)
    )
    return {row.media_path: row for row in rows}


def approved_clip(session: so.Session, media_path: str) -> StudioClip | None:
    """Return the newest approved studio clip of one media path (None: the bank's file)."""
    return session.scalars(
        sa.select(StudioClip)
        .where(StudioClip.media_path == media_path, StudioClip.approved_at.is_not(None))
        .order_by(StudioClip.approved_at.desc(), StudioClip.id.desc())
        .limit(1)
    ).first()


def provenance_of(clip: StudioClip) -> ClipProvenance:
    """Return an approved studio clip's provenance as the bank writes it."""
    return ClipProvenance(
        kind="human",
        speaker=clip.speaker,
        region=clip.region,
        approved_by=clip.approved_by.username if clip.approved_by else None,
        approved_at=clip.approved_at.isoformat(timespec="seconds") if clip.approved_at else None,
    )


def studio_provenance(session: so.Session) -> dict[str, ClipProvenance]:
    """Return media path -> provenance of the approved studio clips (what delivery plays)."""
    return {path: provenance_of(clip) for path, clip in approved_clips(session).items()}


def export_to_bank(
    session: so.Session, storage: DirectoryStorage, bank_root: Path
) -> list[tuple[str, ClipProvenance]]:
    """Copy every approved studio clip over the bank's file of its media path and return the
    (path, provenance) pairs for the caller to write into media/provenance.yaml."""
    written = []
    for path, clip in approved_clips(session).items():
        if path.startswith(INSTRUCTIONS_PREFIX):
            continue  # export_instructions
        target = Path(bank_root) / MEDIA_DIR / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(storage.get(clip.storage_key))
        written.append((path, provenance_of(clip)))
    return written


def export_instructions(
    session: so.Session, storage: DirectoryStorage, out_dir: Path
) -> list[tuple[str, ClipProvenance]]:
    """Copy every approved recording of spoken instructions over the language's file in
    `out_dir` (static/audio/instructions) and drop the language from the manifest of synthetic
    audio (a file not in it counts as human: attest.assessment.instruction_audio); return the
    (language code, provenance) pairs written."""
    from attest.assessment.instruction_audio import MANIFEST, read_manifest

    out_dir = Path(out_dir)
    manifest = read_manifest(out_dir)
    written = []
    for path, clip in approved_clips(session).items():
        if not path.startswith(INSTRUCTIONS_PREFIX):
            continue
        name = path[len(INSTRUCTIONS_PREFIX) :]
        out_dir.mkdir(parents=True, exist_ok=True)
        (out_dir / name).write_bytes(storage.get(clip.storage_key))
        manifest.pop(name.removesuffix(".ogg"), None)
        written.append((name.removesuffix(".ogg"), provenance_of(clip)))
    if written:
        (out_dir / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return written


def synthetic_in_use(session: so.Session, bank_provenance: dict[str, ClipProvenance]) -> int:
    """Return how many of the bank's clips the kiosk plays with a synthetic (or unknown) voice:
    those the bank does not record as human and approved and the studio has not replaced."""
    replaced = set(
        session.scalars(sa.select(StudioClip.media_path).where(StudioClip.approved_at.is_not(None)))
    )
    return sum(
        1
        for path, source in bank_provenance.items()
        if not source.human_approved and path not in replaced
    )


def _audio_refs(media: dict | None) -> list[str]:
    """Return the audio media paths of one item version (its clip, option and turn audio)."""
    refs = []
    for key, ref in (media or {}).items():
        if key == "audio" or key.endswith(".audio"):
            path = ref.get("path") if isinstance(ref, dict) else ref
            if path:
                refs.append(str(path))
    return refs


def unfit_clips(
    session: so.Session, purpose: Purpose, bank_provenance: dict[str, ClipProvenance]
) -> tuple[int, list[str]]:
    """Return how many clips the running bank lets this purpose deliver (the current versions
    of the live items of its skills in its level range) and, sorted, those that are not human
    and approved: neither an approved studio recording nor a human, approved bank file."""
    rows = session.scalars(
        sa.select(ItemVersion.media)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(
            Item.status == "live",
            Item.skill.in_(purpose.skills),
            Item.level.in_(level_range(purpose.lowest_level, purpose.target_level)),
            ItemVersion.version == Item.current_version,
        )
    )
    clips = {path for media in rows for path in _audio_refs(media)}
    if not clips:
        return 0, []
    replaced = set(
        session.scalars(
            sa.select(StudioClip.media_path).where(
                StudioClip.approved_at.is_not(None), StudioClip.media_path.in_(sorted(clips))
            )
        )
    )
    unfit = sorted(
        path
        for path in clips - replaced
        if not (bank_provenance.get(path) and bank_provenance[path].human_approved)
    )
    return len(clips), unfit


def provenance_to_enforce(config: Mapping) -> dict[str, ClipProvenance] | None:
    """Return the bank's clip provenance when this instance refuses synthetic audio
    (SYNTHETIC_AUDIO=refuse, the default), for delivery to check each live purpose's clips
    against; None when it allows synthetic audio (the demo and the tests). A provenance file
    that cannot be read counts as no provenance at all: every clip is then unfit."""
    if config.get("SYNTHETIC_AUDIO", REFUSE) == ALLOW:
        return None
    try:
        return load_provenance(Path(config["BANK_DIR"]))
    except ProvenanceError:
        return {}
