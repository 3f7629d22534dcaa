"""The Data panel's preview of a user's file: read off the GUI thread (a 50 MB CSV takes
seconds), only the newest document's shown, and at most PREVIEW_POINTS points drawn (every
one of 416,000 took pyqtgraph 50 s on the GUI thread)."""

from __future__ import annotations

import copy
import threading

import numpy as np
import shiboken6

from nnplayground.presets import load_builtin
from nnplayground.ui import panels

HUNG = 60.0     # seconds a held reader waits at most: a bound for a broken test, not a timing


def file_doc(path) -> dict:
    doc = copy.deepcopy(load_builtin("xor"))
    doc["dataset"] = {"kind": "file", "path": str(path), "task": "classification",
                      "train_fraction": 0.5, "seed": 0}
    return doc


def big_csv(tmp_path, n):
    x = np.random.default_rng(0).uniform(-1, 1, size=(n, 2))
    path = tmp_path / f"points-{n}.csv"
    path.write_text("x1,x2,label\n" + "".join(f"{a:.4f},{b:.4f},{int(a * b > 0)}\n"
                                              for a, b in x))
    return path


class HeldPreview:
    """`panels.load_preview`, a file's held until `release` is set (`threads` it ran on,
    `specs`); generated data passes at once."""

    def __init__(self):
        self.release = threading.Event()
        self.threads, self.specs = [], []
        self._load = panels.load_preview

    def __call__(self, key, spec, folder):
        if spec.get("kind") == "file":
            self.threads.append(threading.current_thread())
            self.specs.append(spec)
            self.release.wait(HUNG)
        return self._load(key, spec, folder)


def test_a_files_preview_is_read_off_the_gui_thread_and_drawn_in_part(
        make_window, qtbot, tmp_path, monkeypatch):
    held = HeldPreview()
    monkeypatch.setattr(panels, "load_preview", held)
    path = big_csv(tmp_path, 10_000)
    window = make_window(load_builtin("xor"))
    panel = window.dataset_panel
    window.model.edit("Open data file", lambda d: d.update(dataset=file_doc(path)["dataset"]))
    qtbot.waitUntil(lambda: len(held.specs) == 1)
    assert held.threads[0] is not threading.current_thread()
    assert panel.preview_thread is not None and "10000 rows" not in panel.file_info.text()
    held.release.set()
    qtbot.waitUntil(lambda: "10000 rows" in panel.file_info.text())
    shown = np.stack(panel.scatter.getData(), axis=1)
    assert len(shown) == panels.PREVIEW_POINTS == 1000   # every 5th of 5,000 training points
    ds = panels.load_preview(None, held.specs[0], None)[2]
    np.testing.assert_array_equal(shown, ds.x_train[::5])


def test_only_the_newest_documents_file_is_previewed(make_window, qtbot, tmp_path,
                                                     monkeypatch):
    """A file read still under way when the document changes again (Undo): its late result
    is dropped, and the preview shows the data the document has."""
    held = HeldPreview()
    monkeypatch.setattr(panels, "load_preview", held)
    window = make_window(load_builtin("xor"))
    panel = window.dataset_panel
    before = np.stack(panel.scatter.getData(), axis=1)
    path = big_csv(tmp_path, 300)
    window.model.edit("Open data file", lambda d: d.update(dataset=file_doc(path)["dataset"]))
    qtbot.waitUntil(lambda: len(held.specs) == 1)
    thread = panel.preview_thread
    window.model.undo_stack.undo()                  # back to xor, generated at once
    np.testing.assert_array_equal(np.stack(panel.scatter.getData(), axis=1), before)
    held.release.set()
    # deleted once finished: its result, posted before, has reached the panel by then
    qtbot.waitUntil(lambda: not shiboken6.isValid(thread))
    np.testing.assert_array_equal(np.stack(panel.scatter.getData(), axis=1), before)
    assert "300 rows" not in panel.file_info.text()
