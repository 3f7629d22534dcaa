"""The epoch-end evaluation runs in slices, so Pause is answered even in the middle of it."""

from qt_warnings import WAIT

from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker import TrainingController

PAUSE_AT_BATCH = 5      # the click arrives while this eval batch runs (of 50)


class ClickDuringEvaluation:
    """The trainer's handle on the model; counts eval batches and calls `on_batch(n)` inside
    the n-th, as a click in the middle of a large data set's evaluation would arrive.

    Only the trainer's `predict` (its evaluation) is wrapped: training steps and the views use
    the real model, so the test needs no MNIST and does not depend on the machine's speed.
    """

    def __init__(self, model, on_batch):
        self._model = model
        self._on_batch = on_batch
        self.calls = 0

    def __getattr__(self, name):
        return getattr(self._model, name)

    def predict(self, x, batch_size=500):
        self.calls += 1
        self._on_batch(self.calls)
        return self._model.predict(x, batch_size=batch_size)


def test_pause_in_an_epoch_end_evaluation_is_answered_after_the_batch_under_way(qtbot):
    live = {}

    def pause_at(n):
        if n == PAUSE_AT_BATCH:
            controller.pause()

    def factory(doc):
        exp = Experiment.from_preset(doc)
        exp.trainer.eval_batch_size = 4     # 100 + 100 points -> 50 eval batches
        exp.trainer.model = live["model"] = ClickDuringEvaluation(exp.model, pause_at)
        live["trainer"] = exp.trainer
        return exp

    doc = load_builtin("xor")
    doc["dataset"]["n_samples"] = 200
    doc["training"]["batch_size"] = 100     # one step per epoch: the evaluation comes at once
    controller = TrainingController(experiment_factory=factory)
    try:
        with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
            controller.load(doc)
        qtbot.waitUntil(lambda: controller.state == "idle", timeout=WAIT)
        controller.play()
        qtbot.waitUntil(lambda: controller.state == "paused", timeout=WAIT)
        # Paused in the middle: the first epoch is trained but its record not yet complete.
        trainer = live["trainer"]
        assert trainer.epoch == 1 and trainer.history.epochs == []
        assert live["model"].calls == PAUSE_AT_BATCH

        # One epoch more: the interrupted evaluation completes first, then epoch 2 runs.
        controller.step_epoch()
        qtbot.waitUntil(lambda: controller.state == "paused" and
                        controller.latest_snapshot.last_epoch is not None, timeout=WAIT)
        assert [r["epoch"] for r in trainer.history.epochs] == [1, 2]
        assert controller.latest_snapshot.last_epoch["epoch"] == 2
        assert trainer.steps_done == 2
        assert live["model"].calls == 100
    finally:
        controller.shutdown()
