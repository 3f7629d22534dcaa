"""Lesson 5: numerical against back-propagated gradients for the network on the canvas.

The check (float64, the first few training samples) runs on a background thread: finite
differences cost two forward passes per parameter element, seconds for a wider network, and the
timing itself is part of the lesson - back-propagation gets every gradient in about the time of
one forward and one backward pass.
"""

from __future__ import annotations

from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from nnplayground.lessons.gradcheck_timing import TOLERANCE, GradcheckReport, gradcheck_document
from nnplayground.ui.tasks import TaskThread, stop_thread


class GradcheckPanel(QWidget):
    """A Check button, a table (parameter, elements, max relative error, verdict), timings."""

    title = "Gradient check"

    def __init__(self, current_doc, settings: dict | None = None, parent=None, base_dir=None):
        super().__init__(parent)
        self._current_doc = current_doc
        self._base_dir = base_dir or (lambda: None)   # () -> the open preset's folder or None
        settings = dict(settings or {})
        self.samples = int(settings.get("samples", 10))
        self.h = float(settings.get("h", 1e-4))
        self.check_button = QPushButton("Check gradients")
        self.check_button.setToolTip("Compare back-propagation with central differences for the "
                                     "network on the canvas (float64)")
        self.check_button.clicked.connect(self.check)
        self.timing = QLabel("Press Check to compare the two ways of computing the gradient.")
        self.timing.setWordWrap(True)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["parameter", "elements", "max relative error",
                                              "verdict"])
        # Each column as wide as its header needs ("max relative error" was cut to "ax relative
        # err" in equal stretched columns); the parameter names take what is left.
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setToolTip(f"Each parameter's largest relative error; below {TOLERANCE:g} "
                              "means back-propagation is right")
        bar = QHBoxLayout()
        bar.addWidget(self.check_button)
        bar.addWidget(self.timing, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        self._thread = None
        self.result = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def check(self) -> None:
        doc = self._current_doc()
        if doc is None:
            return
        stop_thread(self._thread)
        self.check_button.setEnabled(False)
        self.timing.setText(f"Checking on {self.samples} samples\u2026")
        samples, h, base_dir = self.samples, self.h, self._base_dir()
        self._thread = TaskThread(lambda: gradcheck_document(doc, samples, h, base_dir), self)
        self._thread.done.connect(self._on_done)
        self._thread.failed.connect(self._on_failed)
        self._thread.start()

    def _on_done(self, report: GradcheckReport) -> None:
        self.result = report
        self.check_button.setEnabled(True)
        rows = report.rows()
        self.table.setRowCount(len(rows))
        for row, (name, size, error) in enumerate(rows):
            cells = [name, str(size), f"{error:.2e}", "ok" if error <= TOLERANCE else "TOO LARGE"]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        bp, num = report.backprop_seconds, report.numerical_seconds
        total = sum(report.sizes.values())
        self.timing.setText(
            f"Back-propagation: {bp * 1e3:.2f} ms for all {total} gradients; numerical "
            f"(central differences): {num * 1e3:.0f} ms \u2014 {report.speedup:.0f}\u00d7 "
            f"slower ({report.samples} samples, float64)")

    def _on_failed(self, message: str) -> None:
        self.check_button.setEnabled(True)
        self.timing.setText(f"Could not check this network: {message}")

    def parameters(self) -> list[str]:
        """The parameter names listed in the table."""
        return [self.table.item(r, 0).text() for r in range(self.table.rowCount())]

    def shutdown(self) -> None:
        """Join the computation thread (before the panel or the window goes away)."""
        stop_thread(self._thread)
        self._thread = None


__all__ = ["GradcheckPanel"]
