"""The one atomic write: whole files or none, unique temporary names, modes set at creation."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import numpy as np
import pytest

from vestis.files import PARTIAL_MARK, atomic_write, replacing, sweep_partials


def test_a_file_is_replaced_whole_and_its_folder_created(tmp_path: Path) -> None:
    target = tmp_path / "new" / "folder" / "ACTIVE"
    atomic_write(target, b"v1\n")
    atomic_write(target, b"v2\n")
    assert target.read_bytes() == b"v2\n"
    assert sorted(p.name for p in target.parent.iterdir()) == ["ACTIVE"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "vectors.npy"
    atomic_write(target, b"old")
    with pytest.raises(RuntimeError, match="disk full"), replacing(target) as temporary:
        temporary.write_bytes(b"half of the new")
        raise RuntimeError("disk full")
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["vectors.npy"]


def test_the_temporary_name_keeps_the_suffix_numpy_needs(tmp_path: Path) -> None:
    target = tmp_path / "state.npz"
    with replacing(target) as temporary:
        assert temporary.suffix == ".npz" and temporary.name.startswith(".state.npz.")
        assert PARTIAL_MARK in temporary.name
        np.savez_compressed(temporary, values=np.arange(3))
    with np.load(target) as saved:
        assert saved["values"].tolist() == [0, 1, 2]


def test_a_private_file_is_never_readable_by_others(tmp_path: Path) -> None:
    target = tmp_path / "tombstones.json"
    seen: list[int] = []
    with replacing(target, mode=0o600) as temporary:
        seen.append(stat.S_IMODE(temporary.stat().st_mode))  # before a byte is written
        temporary.write_bytes(b"{}")
    assert seen == [0o600] and stat.S_IMODE(target.stat().st_mode) == 0o600


def test_concurrent_writers_never_share_a_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "pointer"
    errors: list[BaseException] = []

    def write(number: int) -> None:
        try:
            for _ in range(20):
                atomic_write(target, f"{number}\n".encode() * 1000)
        except BaseException as error:  # collected for the assertion below
            errors.append(error)

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    lines = set(target.read_text().splitlines())
    assert len(lines) == 1  # one writer's whole content, never a mix
    assert [p.name for p in tmp_path.iterdir()] == ["pointer"]


def test_leftovers_of_killed_writers_are_swept_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / f".a.png.1234{PARTIAL_MARK}.png").write_bytes(b"half")
    (tmp_path / f".b.json.99{PARTIAL_MARK}.json").write_bytes(b"half")
    (tmp_path / "a.png").write_bytes(b"whole")
    (tmp_path / ".hidden").write_bytes(b"someone else's")
    assert sweep_partials(tmp_path) == 2
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == [".hidden", "a.png"]
    assert os.listdir(tmp_path / "sub") == []
