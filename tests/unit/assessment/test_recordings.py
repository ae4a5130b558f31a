"""Spoken answers: only real audio of a sane size with a matching checksum is stored."""

import hashlib
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from attest.assessment.recordings import (
    MAX_BYTES,
    RecordingError,
    sniff_content_type,
    store_recording,
)
from attest.storage import DirectoryStorage

WEBM = b"\x1a\x45\xdf\xa3" + b"\x00" * 2000
OGG = b"OggS" + b"\x00" * 2000
MP4 = b"\x00\x00\x00\x20ftypisom" + b"\x00" * 2000

SPEAKING = SimpleNamespace(format="audio_response", content={})  # a speaking task's item version


class FakeSession:
    def __init__(self):
        self.added = []

    def add(self, obj):
        self.added.append(obj)

    def flush(self):
        pass


@pytest.mark.parametrize(
    "data, kind",
    [
        (WEBM, "audio/webm"),
        (OGG, "audio/ogg"),
        (MP4, "audio/mp4"),
        (b"<html>", None),
        (b"RIFF....WAVE", None),
        (b"", None),
    ],
)
def test_content_type_comes_from_the_bytes(data, kind):
    assert sniff_content_type(data) == kind


@pytest.mark.parametrize(
    "data, checksum, code",
    [
        (b"", "right", "empty"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * MAX_BYTES, "right", "too_large"),
        (b"#!/bin/sh\nrm -rf /", "right", "not_audio"),
        (WEBM, "0" * 64, "checksum"),
        (WEBM, None, "checksum_missing"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(tmp_path, data, checksum, code):
    if checksum == "right":  # the upload is checked for itself, not for its checksum
        checksum = hashlib.sha256(data).hexdigest()
    session, storage = FakeSession(), DirectoryStorage(tmp_path)
    item = SimpleNamespace(id=7, session_id=3, item_version=SPEAKING)
    with pytest.raises(RecordingError) as err:
        store_recording(session, storage, item, data, checksum, datetime.now(UTC))
    assert err.value.code == code
    assert session.added == [] and not any(tmp_path.rglob("*"))


def test_good_upload_is_stored_with_its_checksum(tmp_path):
    session, storage = FakeSession(), DirectoryStorage(tmp_path)
    item = SimpleNamespace(
        id=7, session_id=3, position=2, session=SimpleNamespace(id=3), item_version=SPEAKING
    )
    digest = hashlib.sha256(OGG).hexdigest()
    rec = store_recording(session, storage, item, OGG, digest.upper(), datetime.now(UTC))
    assert rec.sha256 == digest and rec.content_type == "audio/ogg" and rec.size_bytes == len(OGG)
    assert storage.get(rec.storage_key) == OGG and session.added[0] is rec
    # an Ogg header and no audio: kept, but flagged for the proctor rather than scored
    assert rec.flag == "undecodable" and rec.duration_ms is None
    (event,) = session.added[1:]
    assert event.kind == "recording_flagged" and event.needs_proctor
    assert event.detail["reason"] == "undecodable" and event.detail["position"] == 2
