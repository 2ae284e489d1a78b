"""Versioned model artifacts on disk: ``root/<name>/<version>/`` plus an ``ACTIVE`` pointer per name.

A version folder holds what the model's own ``save`` writes and a ``metadata.json``
(parameters, creation time, data snapshot, metrics, Vestis version, training seconds).
Versions are written into a hidden temporary folder and renamed into place at the end, and
the ``ACTIVE`` pointer is replaced by an atomic rename, so a reader never sees a half-written
version or a torn pointer. Version names are ``<UTC timestamp>-<short hash>`` and sort by age.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import vestis

METADATA_FILE = "metadata.json"
ACTIVE_FILE = "ACTIVE"
_HIDDEN = "."
_TIMESTAMP = "%Y%m%dT%H%M%S%fZ"


class Saveable(Protocol):
    """Anything with the recommenders' ``save(directory)``."""

    def save(self, directory: Path) -> Path:
        """Write the model's files into ``directory``."""
        ...


class RegistryError(LookupError):
    """A model name or version that the registry does not hold."""


@dataclass(frozen=True)
class Version:
    """One stored version of a model: its name, version string, folder and metadata."""

    name: str
    version: str
    path: Path
    metadata: dict[str, Any]

    @property
    def label(self) -> str:
        """``name@version``, as health checks and logs show it."""
        return f"{self.name}@{self.version}"


class ModelRegistry:
    """Model versions under ``root``; see the module docstring for the layout.

    Examples
    --------
    >>> registry = ModelRegistry(tmp_path)  # doctest: +SKIP
    >>> version = registry.register(model, name="als", metadata={"params": model.get_params()})  # doctest: +SKIP
    >>> registry.activate("als", version.version)  # doctest: +SKIP
    >>> registry.load("als")  # the active version  # doctest: +SKIP
    """

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # ----------------------------------------------------------------- public API
    def register(self, model: Saveable, *, name: str, metadata: Mapping[str, Any] | None = None) -> Version:
        """Save ``model`` as a new version of ``name`` (not activated) and return it.

        ``metadata`` is stored as given, plus ``name``, ``version``, ``created_at`` and
        ``vestis_version`` when absent. The folder appears only once it is complete.
        """
        _check_name(name)
        now = datetime.now(UTC)
        record = dict(metadata or {})
        digest = hashlib.sha256(
            json.dumps(record, sort_keys=True, default=str).encode() + uuid.uuid4().bytes
        ).hexdigest()[:8]
        version = f"{now.strftime(_TIMESTAMP)}-{digest}"
        record = {
            "name": name,
            "version": version,
            "created_at": now.isoformat(),
            "vestis_version": vestis.__version__,
            **record,
        }
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        staging = folder / f"{_HIDDEN}tmp-{version}"
        try:
            model.save(staging)
            (staging / METADATA_FILE).write_text(json.dumps(record, indent=2, sort_keys=True, default=str))
            staging.rename(folder / version)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        return Version(name, version, folder / version, record)

    def names(self) -> list[str]:
        """Every model name with at least one complete version, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and self.versions(p.name))

    def versions(self, name: str) -> list[Version]:
        """The complete versions of ``name``, oldest first (version strings sort by creation time)."""
        folder = self.root / name
        if not folder.is_dir():
            return []
        found = [
            self._read(name, path.name)
            for path in folder.iterdir()
            if path.is_dir() and not path.name.startswith(_HIDDEN) and (path / METADATA_FILE).is_file()
        ]
        return sorted(found, key=lambda v: v.version)

    def latest(self, name: str) -> Version | None:
        """The newest version of ``name``, or ``None`` when there is none."""
        versions = self.versions(name)
        return versions[-1] if versions else None

    def get(self, name: str, version: str) -> Version:
        """One version; :class:`RegistryError` naming what exists when it is missing."""
        _check_name(name)
        _check_name(version)
        if not (self.root / name / version / METADATA_FILE).is_file():
            known = [v.version for v in self.versions(name)]
            raise RegistryError(
                f"no version {version!r} of model {name!r}; known versions: {known or 'none'}"
            )
        return self._read(name, version)

    def active(self, name: str) -> Version | None:
        """The version the ``ACTIVE`` pointer of ``name`` names, or ``None`` when none is active."""
        pointer = self.root / name / ACTIVE_FILE
        try:
            version = pointer.read_text().strip()
        except FileNotFoundError:
            return None
        return self.get(name, version)

    def activate(self, name: str, version: str) -> Version:
        """Point ``name``'s ``ACTIVE`` file at ``version`` (written to a temporary file, then renamed)."""
        target = self.get(name, version)
        pointer = self.root / name / ACTIVE_FILE
        staging = pointer.with_name(f"{_HIDDEN}{ACTIVE_FILE}-{uuid.uuid4().hex}")
        staging.write_text(version + "\n")
        os.replace(staging, pointer)
        return target

    def load(self, name: str, version: str | None = None) -> Any:
        """The model stored as ``version`` of ``name``; by default the active one, else the newest."""
        from vestis.recommend import load_model

        chosen = self.get(name, version) if version else (self.active(name) or self.latest(name))
        if chosen is None:
            raise RegistryError(f"no trained versions of model {name!r} under {self.root}")
        return load_model(chosen.path)

    def prune(self, keep: int = 3) -> list[Version]:
        """Delete all but the ``keep`` newest versions of every model (never an active one); returns them."""
        if keep < 1:
            raise ValueError(f"keep must be at least 1; got {keep}")
        removed = []
        for name in self.names():
            active = self.active(name)
            for version in self.versions(name)[:-keep]:
                if active is not None and version.version == active.version:
                    continue
                # Hide the folder first so a concurrent reader never lists a half-deleted version.
                doomed = version.path.with_name(f"{_HIDDEN}del-{version.version}")
                version.path.rename(doomed)
                shutil.rmtree(doomed)
                removed.append(version)
        return removed

    # ---------------------------------------------------------------- helpers
    def _read(self, name: str, version: str) -> Version:
        path = self.root / name / version
        return Version(name, version, path, json.loads((path / METADATA_FILE).read_text()))


def _check_name(name: str) -> None:
    """Refuse names that would leave the registry folder or hide a version."""
    if not name or name.startswith(_HIDDEN) or "/" in name or "\\" in name or name == ACTIVE_FILE:
        raise RegistryError(f"not a valid model name or version: {name!r}")
