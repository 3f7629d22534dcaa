"""File > Export...: the trained network as a PyTorch or Keras program, or an ONNX file.

The dialog chooses the format and the output file, says which files will be written and, before
anything is written, whether the network can be exported to that format at all (the reason names
the node). The trained weights come from the worker, which writes the live model between two
steps (`controller.save_model`, as File > Save trained model does); the GUI thread never reads
the live model. The export itself is `nnplayground.export`.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from nnplayground.export import FORMATS, TITLES, ExportError, check_export, output_path
from nnplayground.export.keras import DATA_SUFFIX
from nnplayground.export.keras import WEIGHTS_SUFFIX as KERAS_WEIGHTS
from nnplayground.export.pytorch import WEIGHTS_SUFFIX as TORCH_WEIGHTS

DESCRIPTIONS = {
    "pytorch": "A Python program with an nn.Module of this network, its trained weights in a "
               ".npz beside it and a training loop with this preset's loss, optimizer, learning "
               "rate and batch size: train on with a GPU, or on several with torchrun.",
    "keras": "A Keras program (Sequential, or functional for branches) that builds this "
             "network, loads its trained weights from a .npz beside it, compiles and fits.",
    "onnx": "One .onnx file (opset 17): input \"input\" (batch first), output after the final "
            "activation. Runs in onnxruntime, OpenCV, TensorRT and the browser.",
}


def trained_state_from(controller):
    """A function returning the worker's (doc, state dict), read through a temporary model
    file that the worker writes between two steps."""
    def read():
        from nnplayground.presets import load_model
        with tempfile.TemporaryDirectory(prefix="nnplayground-export-") as folder:
            path = Path(folder) / "model.npz"
            controller.save_model(str(path))
            return load_model(path)
    return read


class ExportDialog(QDialog):
    """Choose a format and a file, then export. `doc`: the preset the worker trains (its
    dataset path absolute); `trained_state()`: (doc, state) of the trained model."""

    exported = Signal(list)           # the paths written

    def __init__(self, doc, trained_state, default_path, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Export network")
        self.doc = doc
        self.trained_state = trained_state
        self.written = []
        self.format_buttons = QButtonGroup(self)
        formats = QHBoxLayout()
        for i, fmt in enumerate(FORMATS):
            button = QRadioButton(TITLES[fmt])
            button.setObjectName(f"format_{fmt}")
            button.setToolTip(DESCRIPTIONS[fmt])
            self.format_buttons.addButton(button, i)
            formats.addWidget(button)
        formats.addStretch(1)
        self.format_buttons.button(0).setChecked(True)
        self.description = QLabel()
        self.description.setWordWrap(True)
        self.path_edit = QLineEdit(str(default_path))
        self.path_edit.setToolTip("The file to write; the suffix is added when missing")
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self._browse)
        self.with_data = QCheckBox("Write the training data beside the program "
                                   "(x_train, y_train, x_test, y_test)")
        self.with_data.setChecked(True)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.Cancel)
        self.export_button = self.buttons.addButton("Export", QDialogButtonBox.AcceptRole)
        self.buttons.accepted.connect(self._export)
        self.buttons.rejected.connect(self.reject)

        grid = QGridLayout()
        grid.addWidget(QLabel("Format:"), 0, 0)
        grid.addLayout(formats, 0, 1, 1, 2)
        grid.addWidget(self.description, 1, 1, 1, 2)
        grid.addWidget(QLabel("Save as:"), 2, 0)
        grid.addWidget(self.path_edit, 2, 1)
        grid.addWidget(browse, 2, 2)
        grid.addWidget(self.with_data, 3, 1, 1, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.resize(620, 240)
        self.format_buttons.idToggled.connect(self._on_format_changed)
        self.path_edit.textChanged.connect(self._on_path_changed)
        self.with_data.toggled.connect(self._on_path_changed)
        self._on_format_changed()

    @property
    def format(self) -> str:
        return list(FORMATS)[self.format_buttons.checkedId()]

    def output(self) -> Path:
        return output_path(Path(self.path_edit.text().strip()).expanduser(), self.format)

    def files(self) -> list[Path]:
        """What an export now would write."""
        out = self.output()
        if self.format == "onnx":
            return [out]
        weights = TORCH_WEIGHTS if self.format == "pytorch" else KERAS_WEIGHTS
        files = [out, out.with_name(out.stem + weights)]
        if self.with_data.isChecked():
            files.append(out.with_name(out.stem + DATA_SUFFIX))
        return files

    def _on_format_changed(self, *_):
        fmt = self.format
        self.description.setText(DESCRIPTIONS[fmt])
        self.with_data.setVisible(fmt != "onnx")
        path = self.path_edit.text().strip()
        if path:                      # keep the name, switch the suffix
            stem = Path(path)
            if stem.suffix in (".py", ".onnx"):
                stem = stem.with_suffix("")
            self.path_edit.setText(str(output_path(stem, fmt)))
        self._on_path_changed()

    def _on_path_changed(self, *_):
        try:
            check_export(self.doc, self.format)
        except ExportError as exc:
            self._show_problem("\n".join(str(p) for p in exc.problems),
                               f"This network cannot be exported to {TITLES[self.format]}:")
            return
        if not Path(self.path_edit.text().strip()).name:
            self._show_problem("Choose a file to write.")
            return
        folder = self.output().parent
        if not folder.is_dir():
            self._show_problem(f"The folder {folder} does not exist.")
            return
        self.status.setStyleSheet("")
        self.status.setText("Will write " + ", ".join(p.name for p in self.files()) +
                            f" in {folder}")
        self.export_button.setEnabled(True)

    def _show_problem(self, text, intro=""):
        self.status.setStyleSheet("color: #b00020")
        self.status.setText(f"{intro}\n{text}" if intro else text)
        self.export_button.setEnabled(False)

    def _browse(self):
        fmt = self.format
        pattern = f"{TITLES[fmt]} (*{FORMATS[fmt]})"
        path, _ = QFileDialog.getSaveFileName(self, f"Export to {TITLES[fmt]}",
                                              str(self.output()), pattern)
        if path:
            self.path_edit.setText(str(output_path(path, fmt)))

    def _export(self):
        from PySide6.QtGui import QGuiApplication

        from nnplayground.export import export_model
        QGuiApplication.setOverrideCursor(Qt.WaitCursor)
        try:
            doc, state = self.trained_state()
            dataset = self._dataset() if self.format != "onnx" and self.with_data.isChecked() \
                else None
            self.written = export_model(doc, state, self.format, self.output(), dataset)
        except Exception as exc:  # noqa: BLE001 - shown in the dialog, which stays open
            self._show_problem(str(exc), "The export failed:")
            return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self.exported.emit(list(self.written))
        self.accept()

    def _dataset(self):
        """The preset's data (never downloaded: MNIST 'full' falls back to the local set or the
        bundled sample); None when it cannot be read, and the program says where to put it."""
        from nnplayground.data import DatasetError, load_dataset
        spec = dict(self.doc.get("dataset") or {})
        if spec.get("source") == "full":
            spec["source"] = "auto"
        try:
            return load_dataset(spec)
        except DatasetError:
            return None


def open_export_dialog(window) -> ExportDialog | None:
    """File > Export...: the dialog for the window's trained network, shown window-modal
    (returned, so tests can drive it); None with a message when nothing is loaded."""
    from PySide6.QtWidgets import QMessageBox

    if window.controller is None or window.training.loaded_doc is None:
        QMessageBox.information(window, "Nothing to export", "Load a valid network and train "
                                "it first; then export it.")
        return None
    doc = window.training.loaded_doc
    folder = Path(window.files.last_folder() or Path.home())
    name = re.sub(r"[^a-z0-9-]+", "_", (doc.get("name") or "").lower()).strip("_") or "network"
    dialog = ExportDialog(doc, trained_state_from(window.controller),
                          folder / (name + ".py"), window)
    dialog.exported.connect(lambda paths: window.statusBar().showMessage(
        "Exported " + ", ".join(str(p) for p in paths), 6000))
    dialog.open()
    return dialog
