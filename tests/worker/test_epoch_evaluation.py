"""The epoch-end evaluation runs in slices, so Pause is answered even in the middle of it."""

import threading
import time

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker import TrainingController

EVAL_DELAY = 0.01    # seconds per eval batch: 50 batches make a 0.5 s evaluation


class SlowEvaluation:
    """The trainer's handle on the model, with every eval batch as slow as a large data set's.

    Only the trainer's `predict` (its evaluation) is slowed: training steps and the views use
    the real model, so the test needs no MNIST and its timing does not depend on the machine.
    """

    def __init__(self, model):
        self._model = model
        self.calls = []                     # perf_counter() of every eval batch
        self.started = threading.Event()

    def __getattr__(self, name):
        return getattr(self._model, name)

    def predict(self, x, batch_size=500):
        self.calls.append(time.perf_counter())
        self.started.set()
        time.sleep(EVAL_DELAY)
        return self._model.predict(x, batch_size=batch_size)


def test_pause_in_a_long_epoch_end_evaluation_is_honoured_within_200ms(qtbot):
    live = {}

    def factory(doc):
        exp = Experiment.from_preset(doc)
        exp.trainer.eval_batch_size = 4     # 100 + 100 points -> 50 eval batches
        exp.trainer.model = live["model"] = SlowEvaluation(exp.model)
        live["trainer"] = exp.trainer
        return exp

    doc = load_builtin("xor")
    doc["dataset"]["n_samples"] = 200
    doc["training"]["batch_size"] = 100     # one step per epoch: the evaluation comes at once
    controller = TrainingController(experiment_factory=factory)
    try:
        with qtbot.waitSignal(controller.dataset_ready, timeout=10_000):
            controller.load(doc)
        qtbot.waitUntil(lambda: controller.state == "idle")
        controller.play()
        qtbot.waitUntil(live["model"].started.is_set, timeout=5_000)
        start = time.perf_counter()
        with qtbot.waitSignal(controller.state_changed, timeout=2_000,
                              check_params_cb=lambda s: s == "paused"):
            controller.pause()
        assert time.perf_counter() - start < 0.2
        # Paused in the middle: the first epoch is trained but its record not yet complete.
        trainer = live["trainer"]
        assert trainer.epoch == 1 and trainer.history.epochs == []
        assert 0 < len(live["model"].calls) < 50

        # One epoch more: the interrupted evaluation completes first, then epoch 2 runs.
        controller.step_epoch()
        qtbot.waitUntil(lambda: controller.state == "paused" and
                        controller.latest_snapshot.last_epoch is not None, timeout=10_000)
        assert [r["epoch"] for r in trainer.history.epochs] == [1, 2]
        assert controller.latest_snapshot.last_epoch["epoch"] == 2
        assert trainer.steps_done == 2
        calls = live["model"].calls
        assert len(calls) == 100
        assert calls[-1] - calls[-50] > 0.4     # one whole evaluation really took that long
    finally:
        controller.shutdown()
