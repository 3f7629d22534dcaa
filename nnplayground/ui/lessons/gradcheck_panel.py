"""Lesson 5: numerical against back-propagated gradients for the network on the canvas.

The check (float64, the first few training samples) runs on a background thread: finite
differences cost two forward passes per parameter element, seconds for a wider network, and the
timing itself is part of the lesson - back-propagation gets every gradient in about the time of
one forward and one backward pass.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtWidgets import (QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from .common import TaskThread, stop_thread

TOLERANCE = 1e-5        # the command line's default (nnplayground gradcheck --tolerance)
BIAS_JITTER = 0.1


def time_gradients(doc: dict, samples: int = 10, h: float = 1e-4, base_dir=None) -> dict:
    """Gradient check of `doc`'s network with both methods timed.

    Returns {"errors": {"node/param": max relative error}, "sizes": {"node/param": elements},
    "backprop_seconds", "numerical_seconds", "samples"}. All-zero biases get small noise first
    (as the command line does): at a ReLU kink the finite difference sees slope 1/2, a false
    alarm that says nothing about the gradient code. `base_dir`: the folder a relative file
    dataset path is read from (the open preset's folder).
    """
    from nnplayground.data import load_dataset
    from nnplayground.engine import build_model, gradient_check, make_loss

    dataset = load_dataset(doc["dataset"], base_dir=base_dir)
    x = np.asarray(dataset.x_train[:samples], dtype=np.float64)
    y = dataset.y_train[:samples]
    if dataset.task == "regression":
        y = np.asarray(y, dtype=np.float64)
    seed = int(doc.get("training", {}).get("seed", 0))
    model = build_model(doc["model"], seed=seed, dtype=np.float64)
    rng = np.random.default_rng(seed)
    for node_id in model.order:
        bias = model.layers[node_id].params.get("b")
        if bias is not None and bias.size and not np.any(bias):
            bias[...] = rng.normal(0.0, BIAS_JITTER, size=bias.shape)
    loss = make_loss(doc["loss"])
    start = time.perf_counter()
    repeats = 5     # one pass is too short to time alone on a small network
    for _ in range(repeats):
        model.forward_backward(x, y, loss)
    backprop = (time.perf_counter() - start) / repeats
    start = time.perf_counter()
    errors = gradient_check(model, x, y, loss, h=h)
    numerical = time.perf_counter() - start
    sizes = {f"{node}/{name}": int(p.size) for node in model.order
             for name, p in model.layers[node].params.items()}
    return {"errors": errors, "sizes": sizes, "backprop_seconds": backprop,
            "numerical_seconds": numerical, "samples": len(x)}


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
        self._thread = TaskThread(lambda: time_gradients(doc, samples, h, base_dir), self)
        self._thread.done.connect(self._on_done)
        self._thread.failed.connect(self._on_failed)
        self._thread.start()

    def _on_done(self, result: dict) -> None:
        self.result = result
        self.check_button.setEnabled(True)
        errors = result["errors"]
        self.table.setRowCount(len(errors))
        for row, (name, error) in enumerate(errors.items()):
            ok = error <= TOLERANCE
            cells = [name, str(result["sizes"].get(name, "")), f"{error:.2e}",
                     "ok" if ok else "TOO LARGE"]
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        bp, num = result["backprop_seconds"], result["numerical_seconds"]
        total = sum(result["sizes"].values())
        self.timing.setText(
            f"Back-propagation: {bp * 1e3:.2f} ms for all {total} gradients; numerical "
            f"(central differences): {num * 1e3:.0f} ms \u2014 {num / max(bp, 1e-9):.0f}\u00d7 "
            f"slower ({result['samples']} samples, float64)")

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


__all__ = ["GradcheckPanel", "time_gradients"]
