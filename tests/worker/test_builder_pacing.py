"""The costly parts of a snapshot (layer health, the images' feature maps and predictions) are
refreshed by their cost, on the worker's own clock: never more often than their interval, and
no sooner than COST_RATIO times as long as the last one took. (Layer health of mnist-cnn on 200
samples cost 50 training steps and was asked for 4 times a second: the soak's training crawled
and the GUI thread lost CPU to it.) The clock is a fake: no test depends on the machine."""

from __future__ import annotations

from nnplayground.engine.health import layer_health
from nnplayground.experiment import Experiment
from nnplayground.presets import load_builtin
from nnplayground.worker import builder as B
from nnplayground.worker import snapshot as S


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def small_mnist_builder(clock, test_limit=50):
    doc = load_builtin("mnist-cnn")
    doc["dataset"].update(source="sample", train_limit=200, test_limit=test_limit)
    exp = Experiment.from_preset(doc)
    return B.SnapshotBuilder(exp, S.dataset_info(exp.dataset), clock=clock)


def costing(clock, seconds, calls, value):
    """A stand-in for a part's computation that takes `seconds` on the fake clock."""
    def compute(*_args):
        calls.append(clock.now)
        clock.now += seconds
        return value
    return compute


def test_layer_health_is_refreshed_by_its_interval_and_its_cost():
    clock = FakeClock()
    builder = small_mnist_builder(clock)
    calls = []
    builder._layer_health = costing(clock, 0.5, calls, ("health",))
    visible = {S.VIEW_HEALTH}

    assert builder.build(visible, 0.0).health == ("health",)    # the first one: at once
    assert calls == [0.0]
    clock.now = 4.9          # 0.5 s of work: due COST_RATIO * 0.5 = 5 s after it began
    assert builder.build(visible, 0.0).health == ("health",)    # the cached figures go out
    assert calls == [0.0]
    clock.now = 5.0
    builder.build(visible, 0.0)
    assert calls == [0.0, 5.0]
    builder._layer_health = costing(clock, 0.01, calls, ("cheap",))
    clock.now = 5.5 + B.HEALTH_INTERVAL - 0.01   # cheap now, but the interval still holds
    builder.build(visible, 0.0)
    assert calls == [0.0, 5.0]
    clock.now = 5.0 + B.COST_RATIO * 0.5
    assert builder.build(visible, 0.0).health == ("cheap",)
    assert len(calls) == 3
    # a moment the user looks at (pause, a step, a load) is always fresh
    assert builder.build(visible, 0.0, force_heavy=True).health == ("cheap",)
    assert len(calls) == 4
    # hidden: neither computed nor sent
    clock.now += 100.0
    assert builder.build({S.VIEW_CONFUSION}, 0.0).health is None
    assert len(calls) == 4


def test_image_parts_are_paced_the_same_way_and_a_new_image_is_shown_at_once():
    clock = FakeClock()
    builder = small_mnist_builder(clock)
    calls = []
    builder._image_parts = costing(clock, 0.2, calls, {"predictions": "p"})
    visible = {S.VIEW_PREDICTIONS}
    builder.build(visible, 0.0)
    clock.now = 1.9                  # 0.2 s of work: due 2 s after it began (not 0.25 s)
    builder.build(visible, 0.0)
    assert calls == [0.0]
    builder.select_image(3)          # the user chose another test image: no waiting
    builder.build(visible, 0.0)
    assert calls == [0.0, 1.9]


def test_layer_health_is_that_of_the_first_training_batch():
    builder = small_mnist_builder(FakeClock())
    got = builder.build({S.VIEW_HEALTH}, 0.0).health
    trainer, n = builder.exp.trainer, B.HEALTH_SAMPLES
    want = layer_health(builder.exp.model, trainer.x_train[:n], trainer.y_train[:n], trainer.loss)
    assert [h.node_id for h in got] == ["conv1", "conv2", "hidden", "out"]
    assert got == tuple(want)


def test_the_confusion_matrix_is_counted_in_the_evaluations_batches():
    """update_confusion ran mnist-cnn over its 2,000 test points at predict's default 500 at
    once: 240 MB of temporaries at each epoch's end, on top of training's memory (the soak's
    peaks). Measured as numpy's allocations (tracemalloc), which do not depend on the machine."""
    import tracemalloc

    from nnplayground.experiment import EVAL_MEMORY
    builder = small_mnist_builder(FakeClock(), test_limit=B.CONFUSION_POINTS)
    tracemalloc.start()
    try:
        builder.update_confusion()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert builder._confusion.sum() == B.CONFUSION_POINTS
    assert peak < 2 * EVAL_MEMORY
