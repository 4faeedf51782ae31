"""Issue 16, the user's files: an atomic write keeps the file's mode, writes through a symlink to
its target (the link stays), creates a new file with the usual mode, and flushes the directory."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from synth_lsp.core import atomic_file
from synth_lsp.core.atomic_file import write_atomically


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.mark.parametrize("bits", [0o644, 0o755, 0o640, 0o600])
def test_the_mode_of_the_file_is_kept(tmp_path: Path, bits: int):
    path = tmp_path / "x.synth.py"
    path.write_text("old\n")
    path.chmod(bits)
    write_atomically(path, "new\n")
    assert path.read_text() == "new\n" and mode(path) == bits


def test_a_new_file_gets_the_usual_mode(tmp_path: Path):
    umask = os.umask(0o022)
    try:
        write_atomically(tmp_path / "new.json", "{}")
    finally:
        os.umask(umask)
    assert mode(tmp_path / "new.json") == 0o644


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path):
    real = tmp_path / "real" / "x.synth.py"
    real.parent.mkdir()
    real.write_text("old\n")
    real.chmod(0o640)
    hop = tmp_path / "hop.synth.py"
    hop.symlink_to(Path("real") / "x.synth.py")  # relative
    link = tmp_path / "link.synth.py"
    link.symlink_to(hop)  # a chain of two
    write_atomically(link, "new\n")
    assert link.is_symlink() and hop.is_symlink()
    assert real.read_text() == "new\n" and mode(real) == 0o640
    assert sorted(p.name for p in real.parent.iterdir()) == ["x.synth.py"]  # no temporary file left


def test_a_symlink_loop_fails_before_anything_is_written(tmp_path: Path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.symlink_to(b)
    b.symlink_to(a)
    with pytest.raises(OSError):
        write_atomically(a, "new\n")
    assert a.is_symlink() and b.is_symlink() and sorted(p.name for p in tmp_path.iterdir()) == ["a", "b"]


def test_the_directory_is_flushed_after_the_rename(tmp_path: Path, monkeypatch):
    synced: list[bool] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(stat.S_ISDIR(os.fstat(fd).st_mode))
        real_fsync(fd)

    monkeypatch.setattr(atomic_file.os, "fsync", fsync)
    write_atomically(tmp_path / "x.json", "{}")
    assert synced == [False, True]  # the file's contents, then the directory holding the new name
