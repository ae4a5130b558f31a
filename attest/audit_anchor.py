"""Signed checkpoints of the audit chain's head, kept outside the database.

The hash chain (attest/audit_chain.py) shows that entries were altered, removed or reordered,
but someone who can write the database can also rewrite the last entries, recompute their
hashes and move the head, or cut the tail and move the head back: the chain then verifies. A
checkpoint anchors the head outside the database: the sequence number and hash of the head at a
moment, signed (Ed25519) with the instance's audit key and written to the storage directory and
the log. The chain must still hold, at each checkpoint's sequence number, the hash the checkpoint
names. Plain Python: no Flask, no ORM."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from attest.audit_chain import ChainProblem, _timestamp

KEY_NAME = "audit-checkpoint"
VERSION = 1


class CheckpointError(Exception):
    """A checkpoint file or the audit key cannot be read."""


@dataclass(frozen=True)
class Checkpoint:
    """A signed (seq, hash) of the chain head, as read from its file."""

    name: str
    seq: int
    hash: str
    at: str
    key_id: str
    signature: bytes

    def signed_bytes(self) -> bytes:
        return _signed_bytes(self.seq, self.hash, self.at, self.key_id)


def _signed_bytes(seq: int, digest: str, at: str, key_id: str) -> bytes:
    doc = {"v": VERSION, "seq": seq, "hash": digest, "at": at, "key_id": key_id}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """Return the first 8 bytes (hex) of the SHA-256 of the raw public key."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def load_or_create_key(keys_dir: Path) -> Ed25519PrivateKey:
    """Return the instance's audit key, creating it (PEM, mode 0600) on first use.

    Two processes that create it at once keep one key: the file is linked into place, which
    fails if it exists, and the loser reads the winner's."""
    path = Path(keys_dir) / f"{KEY_NAME}.key.pem"
    if not path.exists():
        key = Ed25519PrivateKey.generate()
        path.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        try:
            os.link(tmp, path)
            public = key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            (path.parent / f"{KEY_NAME}.pub.pem").write_bytes(public)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot read the audit key {path}: {exc}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"not an Ed25519 private key: {path}")
    return key


def load_public_key(keys_dir: Path) -> Ed25519PublicKey:
    """Return the audit key's public half (from the .pub.pem, or from the private key)."""
    public_path = Path(keys_dir) / f"{KEY_NAME}.pub.pem"
    private_path = Path(keys_dir) / f"{KEY_NAME}.key.pem"
    try:
        if public_path.exists():
            key = serialization.load_pem_public_key(public_path.read_bytes())
        else:
            key = serialization.load_pem_private_key(private_path.read_bytes(), None).public_key()
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"no audit key in {keys_dir}: {exc}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CheckpointError(f"the audit key in {keys_dir} is not an Ed25519 key")
    return key


def make_checkpoint(key: Ed25519PrivateKey, seq: int, digest: str, at: datetime) -> dict:
    """Return the checkpoint document (JSON-ready) for the head (seq, digest) at `at`."""
    kid, stamp = key_id(key.public_key()), _timestamp(at)
    signature = key.sign(_signed_bytes(seq, digest, stamp, kid))
    return {
        "v": VERSION,
        "seq": seq,
        "hash": digest,
        "at": stamp,
        "key_id": kid,
        "signature": base64.b64encode(signature).decode(),
    }


def parse_checkpoint(name: str, text: str) -> Checkpoint:
    """Read a checkpoint document; CheckpointError if it is not one."""
    try:
        doc = json.loads(text)
        if doc.get("v") != VERSION:
            raise ValueError(f"unknown version {doc.get('v')!r}")
        return Checkpoint(
            name=name,
            seq=int(doc["seq"]),
            hash=str(doc["hash"]),
            at=str(doc["at"]),
            key_id=str(doc["key_id"]),
            signature=base64.b64decode(doc["signature"], validate=True),
        )
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise CheckpointError(f"checkpoint {name} is not readable: {exc}") from None


def signature_problem(checkpoint: Checkpoint, public_key: Ed25519PublicKey) -> str | None:
    """Return why the checkpoint's signature does not hold, or None if it does."""
    if checkpoint.key_id != key_id(public_key):
        return f"signed by key {checkpoint.key_id}, not by this instance's audit key"
    try:
        public_key.verify(checkpoint.signature, checkpoint.signed_bytes())
    except InvalidSignature:
        return "the signature does not match its contents (forged or altered)"
    return None


def check_checkpoints(
    checkpoints: Iterable[Checkpoint],
    public_key: Ed25519PublicKey,
    hashes: Mapping[int, str],
    last_seq: int,
) -> list[ChainProblem]:
    """Compare signed checkpoints with the chain: `hashes` maps each checkpoint's seq to the
    hash the chain holds there (missing if there is no such entry), `last_seq` is the chain's
    last entry. A bad signature, a checkpoint beyond the chain's end (the tail was cut) or a
    hash that differs (the chain was rewritten) is a problem."""
    problems: list[ChainProblem] = []
    for cp in checkpoints:
        bad_signature = signature_problem(cp, public_key)
        if bad_signature:
            problems.append(ChainProblem(None, cp.seq, "checkpoint", f"{cp.name}: {bad_signature}"))
        elif cp.seq > last_seq:
            message = (
                f"{cp.name} (signed {cp.at}) anchors seq {cp.seq}, but the chain ends at seq "
                f"{last_seq}: entries were cut off"
            )
            problems.append(ChainProblem(None, cp.seq, "checkpoint", message))
        elif cp.seq > 0 and hashes.get(cp.seq) != cp.hash:
            message = (
                f"{cp.name} (signed {cp.at}) anchors hash {cp.hash[:16]}... at seq {cp.seq}, "
                f"the chain holds {str(hashes.get(cp.seq))[:16]}...: the chain was rewritten"
            )
            problems.append(ChainProblem(None, cp.seq, "checkpoint", message))
    return problems


def checkpoint_document_json(doc: Mapping[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, indent=1) + "\n"
