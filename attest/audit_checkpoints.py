"""Write signed checkpoints of the audit chain head to the storage directory and the log, and
verify the chain against them (attest/audit_anchor.py says why).

`attest audit checkpoint` writes one (for cron or a systemd timer); a running app writes one
itself when the last is an hour old: the first request that ends after the hour creates the
hour's file with O_EXCL, so several processes never write two for one hour."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy.orm as so

from attest import audit_anchor as anchor
from attest.audit import HEAD_ID, verify_audit_trail
from attest.audit_chain import GENESIS, ChainProblem
from attest.engine import SQLITE_BEGIN
from attest.models import AuditChainHead

log = logging.getLogger("attest.audit")
SUBDIR = "audit-checkpoints"
INTERVAL_S = 3600


def checkpoint_dir(storage_dir: str | Path) -> Path:
    return Path(storage_dir) / SUBDIR


def write_checkpoint(
    session: so.Session, storage_dir: str | Path, keys_dir: str | Path, now: datetime,
    *, hourly: bool = False,
) -> Path | None:  # fmt: skip
    """Sign the committed chain head and write it as a file (and a log line); return the file.

    `hourly` names the file after the hour and returns None if that hour has one already."""
    head = session.get(AuditChainHead, HEAD_ID)
    seq, digest = (head.seq, head.hash) if head is not None else (0, GENESIS)
    doc = anchor.make_checkpoint(anchor.load_or_create_key(Path(keys_dir)), seq, digest, now)
    directory = checkpoint_dir(storage_dir)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = now.astimezone(UTC)
    name = stamp.strftime("%Y%m%dT%HZ") if hourly else stamp.strftime("%Y%m%dT%H%M%S%fZ-manual")
    path = directory / f"checkpoint-{name}.json"
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    except FileExistsError:
        if hourly:
            return None
        raise
    with os.fdopen(fd, "w") as fh:
        fh.write(anchor.checkpoint_document_json(doc))
    log.info(
        "audit checkpoint seq=%s hash=%s at=%s key_id=%s signature=%s",
        doc["seq"], doc["hash"], doc["at"], doc["key_id"], doc["signature"],
    )  # fmt: skip
    return path


def read_checkpoints(directory: Path) -> tuple[list[anchor.Checkpoint], list[ChainProblem]]:
    """Read every checkpoint-*.json in a directory; unreadable ones are problems."""
    checkpoints, problems = [], []
    for path in sorted(Path(directory).glob("checkpoint-*.json")):
        try:
            checkpoints.append(anchor.parse_checkpoint(path.name, path.read_text()))
        except (OSError, UnicodeDecodeError, anchor.CheckpointError) as exc:
            problems.append(ChainProblem(None, None, "checkpoint", str(exc)))
    return checkpoints, problems


def verify_with_checkpoints(
    session: so.Session, directory: Path, keys_dir: str | Path
) -> tuple[int, int, list[ChainProblem]]:
    """Verify the chain and check it against the checkpoints in `directory`; return (entries,
    checkpoints, problems)."""
    checkpoints, problems = read_checkpoints(directory)
    wanted = {cp.seq for cp in checkpoints}
    hashes: dict[int, str] = {}
    last = {"seq": 0}

    def tap(row: Mapping[str, Any]) -> None:
        last["seq"] = max(last["seq"], int(row["seq"]))
        if row["seq"] in wanted:
            hashes[int(row["seq"])] = row["hash"]

    count, chain_problems = verify_audit_trail(session, tap=tap)
    problems = chain_problems + problems
    if checkpoints:
        try:
            public_key = anchor.load_public_key(Path(keys_dir))
        except anchor.CheckpointError as exc:
            problems.append(ChainProblem(None, None, "checkpoint", f"cannot check: {exc}"))
        else:
            problems += anchor.check_checkpoints(checkpoints, public_key, hashes, last["seq"])
    return count, len(checkpoints), problems


def install_checkpoint_trigger(app: Any, clock: Callable[[], float] = time.time) -> None:
    """Let the running app write the hour's checkpoint after its first request of each UTC hour
    (the first process to do so writes it; a clock comparison per request otherwise)."""
    state = {"due": clock()}

    @app.teardown_request
    def checkpoint_when_due(exc: BaseException | None) -> None:
        now = clock()
        if now < state["due"]:
            return
        state["due"] = (now // INTERVAL_S + 1) * INTERVAL_S  # the next hour
        # It only reads the chain head: on SQLite a read transaction, never waiting for writers.
        engine = app.extensions["attest_engine"].execution_options(**{SQLITE_BEGIN: "read"})
        session = so.Session(bind=engine)
        try:
            write_checkpoint(
                session, app.config["STORAGE_DIR"], app.config["KEYS_DIR"],
                datetime.now(UTC), hourly=True,
            )  # fmt: skip
        except Exception:  # noqa: BLE001 - a checkpoint must never fail a request
            log.exception("audit checkpoint could not be written")
            state["due"] = now + 60  # try again soon
        finally:
            session.close()
