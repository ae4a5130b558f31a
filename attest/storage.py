"""File storage for sealed PDFs (and later recordings): one interface, a directory backend."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any, Mapping


class StorageError(Exception):
    """A stored object could not be written or read."""


class DirectoryStorage:
    """Store objects as files under a root directory shared by all app processes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _resolve(self, key: str) -> Path:
        rel = PurePosixPath(key)
        if rel.is_absolute() or ".." in rel.parts or not rel.parts:
            raise StorageError(f"invalid storage key {key!r}")
        return self.root.joinpath(*rel.parts)

    def put(self, key: str, data: bytes) -> None:
        """Write an object atomically: readers see the old file or the whole new one."""
        path = self._resolve(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            Path(tmp).unlink(missing_ok=True)
            raise StorageError(f"could not store {key}: {exc.strerror}") from exc

    def get(self, key: str) -> bytes:
        """Read an object."""
        try:
            return self._resolve(key).read_bytes()
        except OSError as exc:
            raise StorageError(f"could not read {key}: {exc.strerror}") from exc

    def delete(self, key: str) -> None:
        """Remove an object if present."""
        self._resolve(key).unlink(missing_ok=True)

    def list(self, prefix: str) -> list[tuple[str, float]]:
        """Return (key, modification time) of every object under a prefix, temporary files of
        interrupted writes included (their names start with '.tmp-')."""
        base = self._resolve(prefix)
        if not base.is_dir():
            return []
        found = []
        for path in base.rglob("*"):
            if path.is_file():
                key = path.relative_to(self.root).as_posix()
                found.append((key, path.stat().st_mtime))
        return sorted(found)

    def path(self, key: str) -> Path:
        """Return the local path of an object (for sending files)."""
        return self._resolve(key)


def storage_for(config: Mapping[str, Any]) -> DirectoryStorage:
    """Return the storage configured by STORAGE_DIR."""
    return DirectoryStorage(Path(config["STORAGE_DIR"]))
