"""The hash chain of the audit trail: canonical form, entry hash and chain verification.

Each entry's hash covers its own fields and the previous entry's hash, so altering, removing or
reordering any entry breaks the chain from that point on (a hash chain as in Schneier & Kelsey
1999, "Secure audit logs to support computer forensics"). Plain Python: no Flask, no ORM."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

GENESIS = "0" * 64


def _timestamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(entry: Mapping[str, Any]) -> bytes:
    """Serialise the hashed fields of an entry deterministically (sorted keys, no spaces)."""
    doc = {
        "seq": int(entry["seq"]),
        "at": _timestamp(entry["at"]),
        "actor_id": entry.get("actor_id"),
        "action": entry["action"],
        "object_type": entry["object_type"],
        "object_id": str(entry["object_id"]),
        "detail": entry.get("detail") or {},
        "prev_hash": entry["prev_hash"],
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def entry_hash(entry: Mapping[str, Any]) -> str:
    """Return the SHA-256 (hex) of an entry's canonical form, which includes prev_hash."""
    return hashlib.sha256(canonical(entry)).hexdigest()


@dataclass(frozen=True)
class ChainProblem:
    """Where the chain breaks: the row id and sequence number, and what is wrong there."""

    row_id: int | None
    seq: int | None
    kind: str  # altered | removed | reordered | broken_link
    message: str

    def __str__(self) -> str:
        return f"row id={self.row_id} seq={self.seq}: {self.kind}: {self.message}"


def verify_chain(
    entries: Iterable[Mapping[str, Any]], head: tuple[int, str] | None = None
) -> list[ChainProblem]:
    """Check entries given in stored order (by row id); return every problem found.

    `head` is the (seq, hash) the writer recorded last; it catches entries cut off the end.

    - altered: an entry's stored hash does not match its contents;
    - removed: a sequence number is missing (the next entry points past it);
    - reordered: sequence numbers do not rise with the row order;
    - broken_link: an entry's prev_hash is not the previous entry's hash."""
    problems: list[ChainProblem] = []
    prev_hash, prev_seq = GENESIS, 0
    for entry in entries:
        row_id, seq = entry.get("id"), int(entry["seq"])
        if entry_hash(entry) != entry["hash"]:
            problems.append(
                ChainProblem(row_id, seq, "altered", "contents do not match the stored hash")
            )
        if seq < prev_seq + 1:
            problems.append(
                ChainProblem(row_id, seq, "reordered", f"sequence {seq} follows {prev_seq}")
            )
        elif seq > prev_seq + 1:
            missing = f"{prev_seq + 1}" if seq == prev_seq + 2 else f"{prev_seq + 1}-{seq - 1}"
            problems.append(
                ChainProblem(row_id, seq, "removed", f"entry seq {missing} is missing before it")
            )
        if entry["prev_hash"] != prev_hash:
            problems.append(
                ChainProblem(
                    row_id, seq, "broken_link", "prev_hash does not match the preceding entry"
                )
            )
        prev_hash, prev_seq = entry["hash"], seq
    if head is not None and head[0] != prev_seq:
        problems.append(
            ChainProblem(
                None,
                head[0],
                "removed",
                f"the chain head is at seq {head[0]} but the last entry is seq {prev_seq}",
            )
        )
    elif head is not None and head[1] != prev_hash:
        problems.append(
            ChainProblem(None, head[0], "altered", "the last entry's hash differs from the head")
        )
    return problems
