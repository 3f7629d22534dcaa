"""The Compare dock: train several configurations on the same data, overlay their curves.

The runs are trained on a QThread (never the GUI thread), round-robin one epoch each, so their
curves grow together and a slow configuration does not hide behind a fast one. Between every
mini-batch the thread checks its stop flag, so Stop answers at once even on MNIST. Each epoch
record crosses to the GUI as a signal; the panel redraws that run's curve with setData.

What is compared: the lesson's compare variants (by group), or the current network with one
setting varied (learning rate /10, x1, x10; batch size 1, 10, full), built fresh each time.
"""

from __future__ import annotations

import copy
import threading

import pyqtgraph as pg
from PySide6.QtCore import QThread, QTimer, Signal
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QSpinBox,
                               QVBoxLayout, QWidget)

from nnplayground.lessons.compare import CompareSession, variant_documents
from nnplayground.lessons.catalog import compare_groups

from nnplayground.ui.views.common import WrapRow

from .common import compact, light, pen

METRICS = (("train_loss", "Training loss"), ("test_loss", "Test loss"),
           ("test_accuracy", "Test accuracy"), ("train_accuracy", "Training accuracy"),
           ("test_rmse", "Test RMSE"))
MAX_DEFAULT_EPOCHS = 30


class CompareThread(QThread):
    """Trains `docs` side by side with the lessons' CompareSession; emits per-epoch records.
    Build and training both run here."""

    runs_started = Signal(list)           # labels, once every run is built
    epoch_done = Signal(int, dict)        # run index, epoch record (epoch, train_loss, ...)
    run_diverged = Signal(int, str)       # run index, the trainer's message
    failed = Signal(str)                  # a run could not be built (bad document, no data)

    def __init__(self, docs, labels, epochs, parent=None):
        super().__init__(parent)
        self.docs, self.labels, self.epochs = list(docs), list(labels), int(epochs)
        self._stop = threading.Event()

    def stop(self):
        self._stop.set()

    def run(self):
        try:
            session = CompareSession(self.docs, self.labels, epochs=self.epochs,
                                     should_stop=self._stop.is_set)
        except Exception as exc:    # shown in the panel, never a silent print
            self.failed.emit(f"{type(exc).__name__}: {exc}")
            return
        self.runs_started.emit(self.labels)
        while not session.done:
            for i, run in enumerate(session.runs):
                if run.finished or session.done:
                    continue
                record = session.train_epoch(run)
                if run.diverged is not None:
                    self.run_diverged.emit(i, run.diverged)
                elif record is not None:
                    self.epoch_done.emit(i, dict(record))


def vary_current(doc, setting):
    """[(label, doc)] of the current network with one setting varied (labels say how)."""
    variants = []
    if setting == "lr":
        lr = float(doc.get("optimizer", {}).get("lr", 0.01))
        for factor, word in ((0.1, "\u00f7 10"), (1.0, "as set"), (10.0, "\u00d7 10")):
            d = copy.deepcopy(doc)
            d["optimizer"]["lr"] = lr * factor
            variants.append((f"lr {lr * factor:g} ({word})", d))
    elif setting == "batch":
        for size in (1, 10, None):
            d = copy.deepcopy(doc)
            d["training"]["batch_size"] = size if size is not None else 1_000_000
            variants.append((f"batch {size}" if size else "full batch", d))
    return variants


class ComparePanel(QWidget):
    """Choice of comparison, epochs, metric, Start/Stop, and one plot with a legend."""

    finished = Signal()

    def __init__(self, current_doc=None, parent=None):
        super().__init__(parent)
        self._current_doc = current_doc or (lambda: None)
        self._lesson = None
        self._thread = None
        self.records: list[list[dict]] = []
        self.labels: list[str] = []
        self.curves: list[pg.PlotDataItem] = []
        self._diverged: dict[int, str] = {}
        # Toy runs finish an epoch in a millisecond: draw at most ~20 times a second.
        self._dirty: set[int] = set()
        self._redraw_timer = QTimer(self, singleShot=True, interval=50)
        self._redraw_timer.timeout.connect(self._flush)
        self.choice = compact(QComboBox(), 20)
        self.choice.setToolTip("What to compare: the lesson's variants or the current network "
                               "with one setting varied")
        self.epochs = QSpinBox()
        self.epochs.setRange(1, 1000)
        self.epochs.setPrefix("epochs ")
        self.epochs.setToolTip("How many epochs each configuration trains")
        self.metric_box = compact(QComboBox())
        for key, text in METRICS:
            self.metric_box.addItem(text, key)
        self.metric_box.setToolTip("The curve to overlay")
        self.metric_box.currentIndexChanged.connect(lambda _i: self._redraw_all())
        self.start_button = QPushButton("Start")
        self.start_button.setToolTip("Train every configuration on the same data, side by side")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop the comparison (the curves so far stay)")
        self.stop_button.setEnabled(False)
        self.start_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(self.stop)
        top = QHBoxLayout()     # stacked when narrow (presenter mode): the choice never cut
        top.addWidget(WrapRow(self.choice, self.epochs, stretch=False), 1)
        bottom = QHBoxLayout()
        bottom.addWidget(self.metric_box, 1)
        bottom.addWidget(self.start_button)
        bottom.addWidget(self.stop_button)
        # The legend in a row of its own above the plot: inside, a slowly falling loss curve
        # ran through it (lesson 10), and no corner is free for both loss and accuracy.
        self.plot_widget = light(pg.GraphicsLayoutWidget())
        self.legend = pg.LegendItem(colCount=4, labelTextColor="k", verSpacing=-4)
        self.plot_widget.ci.addItem(self.legend, row=0, col=0)
        self.plot = self.plot_widget.ci.addPlot(row=1, col=0)
        self.plot.setLabel("bottom", "epoch")
        self.plot.showGrid(x=True, y=True, alpha=0.25)
        self.plot_widget.setMinimumHeight(180)
        self.status = QLabel("Choose what to compare and press Start.")
        self.status.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addLayout(bottom)
        layout.addWidget(self.plot_widget, 1)
        layout.addWidget(self.status)
        self.set_lesson(None)

    # -- configuration --------------------------------------------------------------------------
    def set_lesson(self, lesson_doc) -> None:
        """Offer this lesson's compare groups first (None: only the current-network options)."""
        self._lesson = lesson_doc
        self.choice.clear()
        if lesson_doc is not None:
            for group, members in compare_groups(lesson_doc).items():
                names = ", ".join(v["label"] for v in members)
                self.choice.addItem(f"Lesson: {group or 'variants'} ({names})", f"lesson:{group}")
        self.choice.addItem("This network: learning rate \u00f7 10, as set, \u00d7 10",
                            "current:lr")
        self.choice.addItem("This network: batch size 1, 10, full", "current:batch")
        source = lesson_doc or self._current_doc() or {}
        epochs = int(source.get("training", {}).get("epochs", 10))
        self.epochs.setValue(max(1, min(epochs, MAX_DEFAULT_EPOCHS)))
        if source.get("loss") == "mse" and source.get("dataset", {}).get("kind") in (
                "sine", "abs", "poly", "step", "reg-plane", "reg-gauss"):
            self.metric_box.setCurrentIndex(self.metric_box.findData("test_rmse"))
        else:
            self.metric_box.setCurrentIndex(self.metric_box.findData("train_loss"))

    def chosen_runs(self):
        """[(label, preset document)] for the current choice."""
        kind, _, key = (self.choice.currentData() or "").partition(":")
        if kind == "lesson" and self._lesson is not None:
            return variant_documents(self._lesson, key if key else None)
        doc = self._current_doc()
        return vary_current(doc, key) if doc else []

    # -- running --------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.isRunning()

    def start(self) -> None:
        """(Re)start: a running comparison is stopped first; old curves are cleared."""
        self.stop()
        runs = self.chosen_runs()
        if not runs:
            self.status.setText("Nothing to compare: open a lesson or build a valid network.")
            return
        self._clear()
        self._dirty.clear()
        self.labels = [label for label, _ in runs]
        self.records = [[] for _ in runs]
        for i, label in enumerate(self.labels):
            curve = self.plot.plot([], [], pen=pen(i), symbol="o", symbolSize=5,
                                   symbolBrush=pen(i).color())
            self.legend.addItem(curve, label)
            self.curves.append(curve)
        self.status.setText(f"Building {len(runs)} runs on the same data\u2026")
        thread = CompareThread([doc for _, doc in runs], self.labels, self.epochs.value(), self)
        thread.runs_started.connect(self._on_runs_started)
        thread.epoch_done.connect(self._on_epoch_done)
        thread.run_diverged.connect(self._on_run_diverged)
        thread.failed.connect(self._on_failed)
        thread.finished.connect(self._on_thread_finished)
        self._thread = thread
        self._diverged = {}
        self.start_button.setEnabled(False)
        self.stop_button.setEnabled(True)
        thread.start()

    def stop(self) -> None:
        """Stop and join the training thread (it checks its flag between mini-batches)."""
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.stop()
            thread.wait()
            thread.deleteLater()
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)

    def _clear(self) -> None:
        for curve in self.curves:
            self.plot.removeItem(curve)
        self.legend.clear()
        self.curves = []

    def _stale(self) -> bool:
        """A signal still queued from a run that was stopped (or replaced by a new Start)."""
        return self.sender() is not self._thread

    def _on_runs_started(self, labels) -> None:
        if self._stale():
            return
        self.status.setText("Training " + ", ".join(labels) + "\u2026")

    def _on_epoch_done(self, index: int, record: dict) -> None:
        if self._stale():
            return
        if index >= len(self.records):
            return
        self.records[index].append(record)
        self._dirty.add(index)
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def _on_run_diverged(self, index: int, message: str) -> None:
        if self._stale():
            return
        self._diverged[index] = message
        self.status.setText(self._summary())

    def _on_failed(self, message: str) -> None:
        if self._stale():
            return
        self.status.setText(f"Could not start the comparison: {message}")

    def _on_thread_finished(self) -> None:
        self._flush()
        if self.sender() is not self._thread and self._thread is not None:
            return
        if self._thread is not None:
            self._thread.deleteLater()
            self._thread = None
        self.start_button.setEnabled(True)
        self.stop_button.setEnabled(False)
        self.finished.emit()

    def _summary(self) -> str:
        key = self.metric_box.currentData()
        parts = []
        for i, label in enumerate(self.labels):
            if i in self._diverged:
                parts.append(f"{label}: diverged ({self._diverged[i].split('.')[0]})")
            elif self.records[i] and self.records[i][-1].get(key) is not None:
                parts.append(f"{label}: {self.records[i][-1][key]:.3g}")
        return f"{self.metric_box.currentText()} after the latest epoch \u2014 " + "; ".join(parts)

    def _flush(self) -> None:
        self._redraw_timer.stop()
        for index in sorted(self._dirty):
            self._redraw(index)
        self._dirty.clear()
        if self.labels:
            self.status.setText(self._summary())

    def _redraw(self, index: int) -> None:
        key = self.metric_box.currentData()
        rows = [r for r in self.records[index] if r.get(key) is not None]
        self.curves[index].setData([r["epoch"] for r in rows], [r[key] for r in rows])

    def _redraw_all(self) -> None:
        for i in range(len(self.curves)):
            self._redraw(i)
        self.plot.setLabel("left", self.metric_box.currentText())

    def curve_points(self):
        """{label: (epochs, values)} as drawn (what a test or a screenshot checks)."""
        self._flush()
        result = {}
        for label, curve in zip(self.labels, self.curves):
            x, y = curve.getData()
            result[label] = ([] if x is None else list(x), [] if y is None else list(y))
        return result


__all__ = ["ComparePanel", "CompareThread", "vary_current"]
