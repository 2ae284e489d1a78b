"""Versioned model artifacts on disk: ``root/<name>/<version>/`` plus an ``ACTIVE`` pointer per name.

A version folder holds what the model's own ``save`` writes and a ``metadata.json``
(parameters, creation time, data snapshot, metrics, Vestis version, training seconds).
Every kind of saved artifact lives here, told apart by the ``family`` its metadata names
(``"recommender"``, ``"guide"``): services list the names of their own family.
Versions are written into a hidden temporary folder and renamed into place at the end, and
the ``ACTIVE`` pointer is replaced by an atomic rename, so a reader never sees a half-written
version or a torn pointer. Version names are ``<UTC timestamp>-<short hash>`` and sort by age.

What is on disk can still go wrong behind the registry's back: a version folder deleted by
hand, a disk that filled up, a model saved by another release. Every such failure to hand a
version over is a :class:`ModelLoadError` whose ``reason`` says what went wrong in a few
words, without paths, so a server can report it publicly and keep serving the other models.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import vestis
from vestis.errors import NotFound
from vestis.files import atomic_write

METADATA_FILE = "metadata.json"
ACTIVE_FILE = "ACTIVE"
_HIDDEN = "."
_TIMESTAMP = "%Y%m%dT%H%M%S%fZ"
FAMILY_KEY = "family"
LEGACY_FAMILY = "recommender"
"""The family of a version whose metadata names none: only recommenders were saved before families."""

logger = logging.getLogger(__name__)


class Saveable(Protocol):
    """Anything with the recommenders' ``save(directory)``."""

    def save(self, directory: Path) -> Path:
        """Write the model's files into ``directory``."""
        ...


class RegistryError(NotFound):
    """A model name or version that the registry does not hold."""

    @property
    def public_detail(self) -> str:
        """The message names the registry's folder: clients are told only what is missing."""
        return "no such model or version"


class ModelLoadError(RegistryError):
    """A version the registry names but cannot hand over: missing, unreadable metadata, unreadable files.

    ``reason`` is short and free of paths, fit for a public health report; the message adds
    the underlying error (with paths) for the server log, and ``__cause__`` keeps it whole.
    """

    status_code = 503

    def __init__(self, name: str, version: str | None, reason: str, detail: str = "") -> None:
        self.name = name
        self.version = version
        self.reason = reason
        self.label = f"{name}@{version}" if version else name
        super().__init__(f"cannot load {self.label}: {reason}" + (f" ({detail})" if detail else ""))

    @property
    def public_detail(self) -> str:
        """The short reason, without the underlying error's paths."""
        return f"cannot load {self.label}: {self.reason}"


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

    @property
    def family(self) -> str:
        """What kind of artifact this is (``"recommender"``, ``"guide"``), from its metadata."""
        return str(self.metadata.get(FAMILY_KEY, LEGACY_FAMILY))


class ModelRegistry:
    """Model versions under ``root``; see the module docstring for the layout.

    Examples
    --------
    >>> registry = ModelRegistry(tmp_path)  # doctest: +SKIP
    >>> version = registry.register(model, name="als", metadata={"params": model.get_params()})  # doctest: +SKIP
    >>> registry.activate("als", version.version)  # doctest: +SKIP
    >>> registry.load("als", loader=load_model)  # the active version  # doctest: +SKIP
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

    def names(self, *, family: str | None = None) -> list[str]:
        """Every model name with a complete version or an ``ACTIVE`` pointer, sorted; only ``family``'s when given.

        A pointer counts even when the version it names is gone, so that a server reports the
        model as broken instead of forgetting it.
        """
        if not self.root.is_dir():
            return []
        names = sorted(
            folder.name
            for folder in self.root.iterdir()
            if folder.is_dir()
            and _is_valid(folder.name)
            and ((folder / ACTIVE_FILE).is_file() or any(_complete_versions(folder)))
        )
        return names if family is None else [name for name in names if self.family(name) == family]

    def family(self, name: str) -> str:
        """The family of ``name``: that of its active version, else of its newest readable one.

        A name whose versions are all gone or unreadable counts as :data:`LEGACY_FAMILY`, so
        that the recommenders' service still reports it as broken.
        """
        try:
            version = self.active(name)
        except ModelLoadError:
            version = None
        version = version or self.latest(name)
        return version.family if version is not None else LEGACY_FAMILY

    def versions(self, name: str) -> list[Version]:
        """The complete versions of ``name``, oldest first (version strings sort by creation time).

        A version whose metadata cannot be read is logged and left out.
        """
        folder = self.root / name
        if not folder.is_dir():
            return []
        found = []
        for path in _complete_versions(folder):
            try:
                found.append(self._read(name, path.name))
            except ModelLoadError as error:
                logger.warning("%s; leaving it out of the versions of %s", error, name)
        return sorted(found, key=lambda v: v.version)

    def latest(self, name: str) -> Version | None:
        """The newest version of ``name``, or ``None`` when there is none."""
        versions = self.versions(name)
        return versions[-1] if versions else None

    def get(self, name: str, version: str) -> Version:
        """One version; :class:`RegistryError` naming what exists when it is missing.

        :class:`ModelLoadError` when its metadata cannot be read.
        """
        _check_name(name)
        _check_name(version)
        if not (self.root / name / version / METADATA_FILE).is_file():
            known = [v.version for v in self.versions(name)]
            raise RegistryError(
                f"no version {version!r} of model {name!r}; known versions: {known or 'none'}"
            )
        return self._read(name, version)

    def pointer(self, name: str) -> str | None:
        """The version ``name``'s ``ACTIVE`` file names, unchecked; ``None`` when none is active.

        Unlike :meth:`active` this does not fail when that version is missing: it answers
        "has a version been activated?" (:class:`ModelLoadError` only when the file cannot be read).
        """
        _check_name(name)
        try:
            return (self.root / name / ACTIVE_FILE).read_text().strip()
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as error:
            raise ModelLoadError(name, None, "its ACTIVE pointer cannot be read", _describe(error)) from error

    def active(self, name: str) -> Version | None:
        """The version the ``ACTIVE`` pointer of ``name`` names, or ``None`` when none is active.

        :class:`ModelLoadError` when the pointer names a version the registry does not hold
        or whose metadata cannot be read: a dangling pointer is a fault to report, not "no
        active version".
        """
        version = self.pointer(name)
        if version is None:
            return None
        try:
            return self.get(name, version)
        except ModelLoadError:
            raise
        except RegistryError as error:
            reason = "its active version is not in the registry"
            raise ModelLoadError(name, version or None, reason, str(error)) from error

    def activate(self, name: str, version: str) -> Version:
        """Point ``name``'s ``ACTIVE`` file at ``version`` (written to a temporary file, then renamed)."""
        target = self.get(name, version)
        atomic_write(self.root / name / ACTIVE_FILE, f"{version}\n".encode("ascii"))
        return target

    def load(self, name: str, version: str | None = None, *, loader: Callable[[Path], Any]) -> Any:
        """The model stored as ``version`` of ``name`` (default: the active one, else the newest), read by ``loader``.

        The registry keeps folders, not models: ``loader`` is the model family's own reader
        (``vestis.recommend.load_model`` for recommenders). :class:`ModelLoadError` when the
        files are missing, corrupt or from a release that saved them differently.
        """
        chosen = self.get(name, version) if version else (self.active(name) or self.latest(name))
        if chosen is None:
            raise RegistryError(f"no trained versions of model {name!r} under {self.root}")
        try:
            return loader(chosen.path)
        except Exception as error:  # whatever the files hold, the caller gets one kind of error with a reason
            raise ModelLoadError(name, chosen.version, _load_reason(error), _describe(error)) from error

    def prune(self, keep: int = 3, *, names: Iterable[str] | None = None) -> list[Version]:
        """Delete all but the ``keep`` newest versions of every model, or of ``names`` (never an active one).

        Returns the versions removed.
        """
        if keep < 1:
            raise ValueError(f"keep must be at least 1; got {keep}")
        removed = []
        for name in self.names() if names is None else names:
            try:
                active = self.active(name)
            except ModelLoadError as error:  # keep every version until the pointer is mended
                logger.warning("%s; not pruning %s", error, name)
                continue
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
        try:
            metadata = json.loads((path / METADATA_FILE).read_text())
        except (OSError, ValueError) as error:  # ValueError: not JSON, or not UTF-8
            raise ModelLoadError(name, version, "its metadata cannot be read", _describe(error)) from error
        if not isinstance(metadata, dict):
            detail = f"{METADATA_FILE} holds a JSON {type(metadata).__name__}, not an object"
            raise ModelLoadError(name, version, "its metadata cannot be read", detail)
        return Version(name, version, path, metadata)


def _complete_versions(folder: Path) -> list[Path]:
    """The version folders under a model's ``folder`` that were renamed into place (they have metadata)."""
    return [
        path
        for path in folder.iterdir()
        if path.is_dir() and not path.name.startswith(_HIDDEN) and (path / METADATA_FILE).is_file()
    ]


def _load_reason(error: Exception) -> str:
    """Why a model's files could not be loaded, in a few words and without paths."""
    if isinstance(error, FileNotFoundError):
        return "its model files are missing"
    if isinstance(error, PermissionError):
        return "its model files cannot be read (permission denied)"
    if isinstance(error, OSError | EOFError | zipfile.BadZipFile | UnicodeDecodeError | json.JSONDecodeError):
        return "its model files are corrupt"
    return f"its model files are corrupt or from an incompatible release ({type(error).__name__})"


def _describe(error: BaseException) -> str:
    """``Type: message`` of ``error``, for the log."""
    return f"{type(error).__name__}: {error}"


def _check_name(name: str) -> None:
    """Refuse names that would leave the registry folder or hide a version."""
    if not _is_valid(name):
        raise RegistryError(f"not a valid model name or version: {name!r}")


def _is_valid(name: str) -> bool:
    """Whether ``name`` can name a model or version: inside the registry folder, not hidden, not the pointer."""
    hidden_or_pointer = name.startswith(_HIDDEN) or name == ACTIVE_FILE
    return bool(name) and not hidden_or_pointer and "/" not in name and "\\" not in name
