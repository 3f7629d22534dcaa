"""At startup the app deletes the temp files that killed saves left in the folders it writes to
(issue 11: they were removed only when that very file was saved again, so a preset or model
never saved again kept its leftover for ever)."""

from __future__ import annotations

import os

import pytest

from nnplayground.presets.io import STALE_TEMP_SECONDS
from nnplayground.ui.app import folders_written_to, remove_stale_saves, run_app


def _leftover(folder, name, stale=True):
    """A temp file as a save (or a download) killed before its rename leaves it."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_bytes(b"half a file")
    if stale:
        long_ago = path.stat().st_mtime - 2 * STALE_TEMP_SECONDS
        os.utime(path, (long_ago, long_ago))
    return path


@pytest.fixture
def downloads(tmp_path, monkeypatch):
    from nnplayground.data import mnist
    monkeypatch.setattr(mnist, "user_mnist_dir", lambda kind="mnist": tmp_path / "data" / kind)
    return tmp_path / "data"


def test_startup_removes_leftovers_in_every_folder_the_app_writes_to(make_window, settings,
                                                                     tmp_path, downloads):
    presets, models = tmp_path / "presets", tmp_path / "models"
    for path in (presets / "mine.json", models / "run.npz"):
        path.parent.mkdir()
        path.write_text("{}")
    settings.setValue("recent", [str(presets / "mine.json"), str(models / "run.npz")])
    stale = [_leftover(presets, ".mine.json.k2x_9abc.tmp"),           # a preset's save
             _leftover(models, ".run.npz.0abc1234.tmp"),              # a model with history
             _leftover(tmp_path, ".layout.json.zz99aa00.tmp"),        # the settings' folder
             _leftover(downloads / "mnist", ".t10k-images-idx3-ubyte.gz.abcdefgh.part")]
    kept = [_leftover(presets, ".mine.json.k2x_9abd.tmp", stale=False),   # a save under way
            _leftover(presets, ".notes.txt.abcd1234.tmp"),            # not a file of ours
            _leftover(models, ".run.npz.notes.tmp"),                  # not mkstemp's name
            _leftover(models, "run.npz.abcd1234.tmp")]                # not hidden: not ours
    window = make_window()
    assert set(folders_written_to(window)) >= {presets, models, tmp_path, downloads / "mnist"}
    assert sorted(remove_stale_saves(window)) == sorted(stale)
    assert not any(p.exists() for p in stale) and all(p.exists() for p in kept)
    assert (presets / "mine.json").exists() and (models / "run.npz").exists()


def test_the_app_cleans_up_when_it_starts(qtbot, downloads, tmp_path):
    """run_app sweeps before it opens anything (here a name that does not open: exit 2)."""
    left = _leftover(downloads / "mnist", ".train-labels-idx1-ubyte.gz.q1w2e3r4.part")
    assert run_app("no-such-preset", screenshot=str(tmp_path / "x.png")) == 2
    assert not left.exists()
