"""Screenshots of Data > Open data file… (issue 13): the import dialog on a CSV with a text
column, first refusing it by line, then with the column left out.

    QT_QPA_PLATFORM=offscreen python docs/screenshots/make_data_import_screenshots.py

Writes data-import-error.png and data-import.png next to this file. The CSV (penguin-like
measurements, an island name, a species 0-2) is made in a temporary folder.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication

from nnplayground.presets import load_builtin
from nnplayground.ui.main_window import MainWindow

HERE = Path(__file__).resolve().parent
ISLANDS = ("Biscoe", "Dream", "Torgersen")
ISLAND_COLUMN = 2


def penguins_csv(folder: Path) -> Path:
    rng = np.random.default_rng(3)
    rows = ["bill_length,bill_depth,island,species"]
    for i in range(120):
        species = i % 3
        rows.append(f"{38 + 8 * species + rng.normal(0, 2):.1f},"
                    f"{18.5 - 2.5 * (species == 2) + rng.normal(0, 0.8):.1f},"
                    f"{ISLANDS[rng.integers(3)]},{species}")
    path = folder / "penguins.csv"
    path.write_text("\n".join(rows) + "\n")
    return path


def settle(app):
    for _ in range(10):
        app.processEvents()


def wait_for_threads(app, dialog):
    """The file read and the choice checked, both on background threads."""
    while dialog.reading or dialog.checking:
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents)
    settle(app)


def main():
    app = QApplication.instance() or QApplication([])
    path = penguins_csv(Path(tempfile.mkdtemp(prefix="nnp-data-import-")))
    window = MainWindow(controller=None, create_controller=False, doc=load_builtin("xor"))
    window.show()
    dialog = window.dataset_panel.open_data_file(str(path))
    dialog.resize(720, 560)
    wait_for_threads(app, dialog)
    dialog.grab().save(str(HERE / "data-import-error.png"))
    dialog.inputs.item(ISLAND_COLUMN).setCheckState(Qt.CheckState.Unchecked)
    wait_for_threads(app, dialog)
    dialog.grab().save(str(HERE / "data-import.png"))
    dialog.reject()
    window.close()


if __name__ == "__main__":
    main()
