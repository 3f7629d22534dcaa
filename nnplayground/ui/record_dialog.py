"""File > Record Animation...: a GIF or MP4 of the window or one view, and "Save View as PNG"
in every view's context menu.

The dialog asks what to picture (the whole window or one view), how (render the training
history, one frame per checkpoint, or record while training), the file (.gif or .mp4), the
frame rate and the width. Recording runs while the dialog stays open (it is not modal: Play,
Pause and the scrubber still work), its button turning into "Stop and save".
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (QButtonGroup, QComboBox, QDialog, QDialogButtonBox, QFileDialog,
                               QFormLayout, QHBoxLayout, QLabel, QLineEdit, QMessageBox,
                               QPushButton, QRadioButton, QSpinBox, QVBoxLayout, QWidget)

from nnplayground.ui.recording import (Recorder, RecordingError, check_path, render_history,
                                       save_view_png, write_animation)

WINDOW = "The whole window"


class RecordDialog(QDialog):
    """Choose the picture, the way, the file, fps and width; then Render or Start recording."""

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.recorder = None
        self.setWindowTitle("Record Animation")
        self.target = QComboBox()
        self.target.addItem(WINDOW, None)
        for name, dock in window.view_docks.items():
            self.target.addItem(dock.windowTitle(), name)
        self.target.setToolTip("Picture the whole window, or one view as its dock shows it")
        self.from_history = QRadioButton("Render from the training history (one frame per "
                                         "checkpoint)")
        self.live = QRadioButton("Record while training (Play, then Stop and save here)")
        self.from_history.setChecked(True)
        self._ways = QButtonGroup(self)
        for button in (self.from_history, self.live):
            self._ways.addButton(button)
        self.path = QLineEdit(str(Path.home() / "training.gif"))
        self.path.setToolTip("Where to save: a .gif (slides, web pages) or an .mp4 video")
        browse = QPushButton("Browse\u2026")
        browse.clicked.connect(self._on_browse_clicked)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.fps = QSpinBox()
        self.fps.setRange(1, 60)
        self.fps.setValue(10)
        self.fps.setSuffix(" frames/s")
        self.width = QSpinBox()
        self.width.setRange(120, 3840)
        self.width.setSingleStep(40)
        self.width.setValue(800)
        self.width.setSuffix(" px wide")
        form = QFormLayout()
        form.addRow("Picture", self.target)
        form.addRow("File", file_row)
        form.addRow("Frame rate", self.fps)
        form.addRow("Size", self.width)
        self.message = QLabel(" ")
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.go = self.buttons.addButton("Render", QDialogButtonBox.ButtonRole.ActionRole)
        self.go.clicked.connect(self._on_go_clicked)
        self.buttons.rejected.connect(self.reject)
        self.live.toggled.connect(self._on_way_changed)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.from_history)
        layout.addWidget(self.live)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)

    def _on_way_changed(self, live):
        if self.recorder is None:
            self.go.setText("Start recording" if live else "Render")

    def _on_browse_clicked(self):
        path, _ = QFileDialog.getSaveFileName(self, "Save animation", self.path.text(),
                                              "Animated GIF (*.gif);;MP4 video (*.mp4)")
        if path:
            self.path.setText(path)

    def picture(self) -> QWidget:
        name = self.target.currentData()
        if name is None:
            return self.window
        dock = self.window.view_docks[name]
        dock.show()
        dock.raise_()
        return dock.widget()

    def _on_go_clicked(self):
        try:
            check_path(self.path.text())
            if self.recorder is not None:
                self._stop_and_save()
            elif self.live.isChecked():
                self.recorder = Recorder(self.window.controller, self.picture(),
                                         self.fps.value(), self.width.value(), parent=self)
                self.go.setText("Stop and save")
                self.message.setText("Recording: press Play in the window; a frame is taken "
                                     "each time the views are drawn.")
            else:
                self._render()
        except RecordingError as exc:
            self.message.setText(str(exc))

    def _render(self):
        self.go.setEnabled(False)
        try:
            frames = render_history(self.window, self.picture(), self.width.value(),
                                    progress=lambda i, n: self.message.setText(
                                        f"Rendering frame {i} of {n}\u2026"))
            self.message.setText(f"Writing {len(frames)} frames\u2026")
            write_animation(self.path.text(), frames, self.fps.value())
            self.message.setText(f"Saved {len(frames)} frames to {self.path.text()}")
        finally:
            self.go.setEnabled(True)

    def _stop_and_save(self):
        frames, self.recorder = self.recorder.stop(), None
        self.go.setText("Start recording" if self.live.isChecked() else "Render")
        write_animation(self.path.text(), frames, self.fps.value())
        self.message.setText(f"Saved {len(frames)} frames to {self.path.text()}")


def open_record_dialog(window) -> RecordDialog:
    """Show the (non-modal) dialog, one per window."""
    dialog = getattr(window, "record_dialog", None)
    if dialog is None:
        dialog = window.record_dialog = RecordDialog(window)
    dialog.show()
    dialog.activateWindow()
    return dialog


def add_save_png_action(view: QWidget, parent=None) -> QAction:
    """"Save View as PNG..." in the view's context menu (and in its plots' own menus)."""
    action = QAction("Save View as PNG\u2026", parent or view)
    action.setToolTip(f"Save the {view.title.lower()} view as it is now as a PNG picture")
    action.triggered.connect(lambda: _save_png(view))
    view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
    view.addAction(action)
    import pyqtgraph as pg
    for graphics in view.findChildren(pg.GraphicsView):
        for item in graphics.scene().items():
            if isinstance(item, pg.ViewBox) and getattr(item, "menu", None) is not None:
                item.menu.addSeparator()
                item.menu.addAction(action)
    return action


def _save_png(view):
    name = view.title.lower().replace(" ", "-")
    path, _ = QFileDialog.getSaveFileName(view, "Save view as PNG",
                                          str(Path.home() / f"{name}.png"), "PNG image (*.png)")
    if not path:
        return
    try:
        save_view_png(view, path)
    except RecordingError as exc:
        QMessageBox.warning(view, "Could not save the picture", str(exc))
