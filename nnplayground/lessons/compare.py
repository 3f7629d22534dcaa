"""Train several variants of a preset headless, on the same data, and collect their histories.

The compare view overlays the curves of two or more configurations (lesson 7: batch 1, 10 and
the full set; lesson 9: with and without batch normalisation). Each variant is an ordinary
preset document; every run is built with ``Experiment.from_preset``, so a variant trains exactly
as it would alone in the main window. The data is the same for every run because datasets are
deterministic from their spec and seed (MNIST subsets are always the first N images).

Two ways to drive it:

    runs = run_variants(lesson_doc)                 # everything, for tests and scripts
    session = CompareSession(docs, labels, should_stop=flag.is_set)   # the GUI's thread
    while not session.done:
        for run in session.runs:                    # one epoch of every unfinished run
            record = session.train_epoch(run)       # (or session.run_epoch() for all)

The GUI's compare dock (ui/lessons/compare.py) drives this same session on its thread, so the
lesson-outcome tests assert what the dock shows.

A run that diverges (``DivergenceError``) stops with ``run.diverged`` holding the trainer's
message - itself a lesson outcome (lesson 7's learning rate too large) - and the others go on.
"""

import time
from dataclasses import dataclass

from nnplayground.engine import DivergenceError
from nnplayground.experiment import Experiment

from .catalog import apply_changes, preset_document, variants


@dataclass
class Run:
    """One variant's training: live experiment plus its record."""

    label: str
    doc: dict
    experiment: Experiment
    epochs_target: int
    diverged: str | None = None        # the DivergenceError message, if it diverged
    seconds: float = 0.0               # training time of this run alone
    finished: bool = False

    @property
    def history(self):
        """The per-epoch records (epoch, train_loss, test_accuracy, ...)."""
        return self.experiment.trainer.history.epochs

    @property
    def step_losses(self):
        """[(step, loss), ...] of every mini-batch."""
        return self.experiment.trainer.history.steps

    def final(self, key):
        """The last epoch's value of ``key`` (e.g. "test_accuracy"), or None before epoch 1."""
        return self.history[-1].get(key) if self.history else None

    def epochs_to_reach(self, key, threshold, above=True):
        """First epoch whose ``key`` is >= threshold (or <= with above=False); None if never."""
        for record in self.history:
            value = record.get(key)
            if value is not None and (value >= threshold if above else value <= threshold):
                return record["epoch"]
        return None


class CompareSession:
    """Several runs trained side by side, one epoch of each at a time."""

    def __init__(self, docs, labels=None, epochs=None, mnist_dir=None, progress=None,
                 should_stop=None):
        """should_stop(): asked before every mini-batch; once it says True the session is done
        (an epoch under way stays unfinished), so a GUI's Stop answers within one step."""
        self._should_stop = should_stop or (lambda: False)
        docs = list(docs)
        labels = list(labels) if labels is not None else [d.get("name", "") for d in docs]
        if len(labels) != len(docs):
            raise ValueError(f"labels: {len(labels)} labels for {len(docs)} documents; give "
                             f"one label per document, or none to use their names")
        self.runs = []
        for label, doc in zip(labels, docs):
            exp = Experiment.from_preset(doc, mnist_dir=mnist_dir, progress=progress)
            target = int(epochs if epochs is not None else doc["training"]["epochs"])
            self.runs.append(Run(label, doc, exp, target, finished=target <= 0))

    @property
    def done(self):
        return self._should_stop() or all(run.finished for run in self.runs)

    def train_epoch(self, run):
        """Train one more epoch of `run`; returns its epoch record, or None when it diverged
        (`run.diverged` says why) or the session was stopped before the epoch ended."""
        trainer = run.experiment.trainer
        record = None
        start = time.perf_counter()
        try:
            while not self._should_stop():
                if trainer.step().epoch_done:
                    record = trainer.finish_epoch()
                    break
        except DivergenceError as exc:
            run.diverged = str(exc)
            run.finished = True
        run.seconds += time.perf_counter() - start
        if len(run.history) >= run.epochs_target:
            run.finished = True
        return record

    def run_epoch(self):
        """Train one more epoch of every unfinished run; returns {label: epoch record or None}."""
        records = {}
        for run in self.runs:
            records[run.label] = None
            if not run.finished and not self._should_stop():
                records[run.label] = self.train_epoch(run)
        return records

    def run(self, callback=None):
        """Train every run to its target; ``callback(records)`` after each round of epochs may
        return False to stop early. Returns the runs."""
        while not self.done:
            records = self.run_epoch()
            if callback is not None and callback(records) is False:
                break
        return self.runs


def variant_documents(lesson_doc, group=None):
    """[(label, preset document)] for a lesson's compare variants (optionally one group)."""
    base = preset_document(lesson_doc)
    return [(v["label"], apply_changes(base, v.get("changes", {})))
            for v in variants(lesson_doc, group)]


def run_variants(lesson_doc, group=None, epochs=None, mnist_dir=None, changes=None):
    """Train every compare variant of a lesson to the end and return the Runs.

    ``changes`` (dotted path: value) is applied to every variant first, e.g. a smaller
    ``dataset.train_limit`` for a quick classroom run or a test.
    """
    pairs = variant_documents(lesson_doc, group)
    if not pairs:
        raise ValueError(f"lesson {lesson_doc.get('name')!r} has no compare variants"
                         + (f" in group {group!r}" if group else ""))
    docs = [apply_changes(doc, changes or {}) for _, doc in pairs]
    return CompareSession(docs, [label for label, _ in pairs], epochs, mnist_dir).run()


def runs_table(runs, keys=("train_accuracy", "test_accuracy")):
    """A plain summary for a table or a report: one dict per run."""
    rows = []
    for run in runs:
        row = {"label": run.label, "epochs": len(run.history), "seconds": round(run.seconds, 2),
               "diverged": run.diverged is not None}
        row.update({key: run.final(key) for key in keys})
        rows.append(row)
    return rows


__all__ = ["Run", "CompareSession", "variant_documents", "run_variants", "runs_table"]
