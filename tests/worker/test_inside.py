"""What the worker sends the views that look inside a trained network (explain, layer health,
mistakes): an explanation of an image computed on the live model, equal to the engine's own;
every layer's health figures, sent only while the health view shows; and the confusion matrix
together with the test outputs it was counted from, so a cell's images can be listed."""

import numpy as np

from nnplayground.engine.explain import explain
from nnplayground.presets import load_builtin
from nnplayground.worker import snapshot as S

WAIT = 30_000


def small_mnist():
    doc = load_builtin("mnist-mlp")
    doc["dataset"].update(source="sample", train_limit=500, test_limit=300)
    return doc


def loaded(qtbot, instrumented_controller):
    controller, live = instrumented_controller()
    with qtbot.waitSignal(controller.dataset_ready, timeout=WAIT):
        controller.load(small_mnist())
    qtbot.waitUntil(lambda: controller.state == "idle" and controller.latest_snapshot
                    is not None, timeout=WAIT)
    return controller, live


def test_explain_answers_with_the_live_models_explanation(qtbot, instrumented_controller):
    controller, live = loaded(qtbot, instrumented_controller)
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT):
        controller.step()
    x = controller.dataset.images_test[3:4]
    with qtbot.waitSignal(controller.explained, timeout=WAIT) as blocker:
        request = controller.explain(x)
    got_id, got = blocker.args
    assert got_id == request
    want = explain(live["exp"].model, x)        # the worker is idle: nobody trains now
    assert got.target == want.target
    assert np.array_equal(got.saliency, want.saliency)
    assert np.array_equal(got.nudge_probabilities, want.nudge_probabilities)


def test_health_goes_out_for_every_layer_only_while_its_view_shows(
        qtbot, instrumented_controller):
    controller, _ = loaded(qtbot, instrumented_controller)
    controller.set_visible_views({S.VIEW_HEALTH})
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.step()
    health = blocker.args[0].health
    assert [h.node_id for h in health] == ["h1", "h2", "out"]
    assert all(h.grad_norm > 0 for h in health)
    assert 0 <= health[0].dead <= 1
    controller.set_visible_views({S.VIEW_CONFUSION})
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.step()
    assert blocker.args[0].health is None


def test_the_confusion_matrix_comes_with_the_outputs_it_counts(qtbot, instrumented_controller):
    controller, _ = loaded(qtbot, instrumented_controller)
    controller.set_visible_views({S.VIEW_CONFUSION})
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.step()
    snap = blocker.args[0]
    probs = snap.confusion_probabilities
    y = controller.dataset.y_test[:len(probs)]
    pred = np.argmax(probs, axis=1)
    rebuilt = np.zeros_like(snap.confusion)
    np.add.at(rebuilt, (y, pred), 1)
    assert np.array_equal(rebuilt, snap.confusion)


def test_a_confusion_matrix_shown_after_training_is_counted_now(qtbot,
                                                                instrumented_controller):
    """The matrix's view opened while training is paused (a tab clicked after a run) got the
    matrix counted at load: "Test set, before training" beside 99.6 % accuracy."""
    controller, _ = loaded(qtbot, instrumented_controller)
    controller.set_visible_views({S.VIEW_HEALTH})          # the matrix not shown
    for _ in range(3):
        with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT):
            controller.step()
    qtbot.waitUntil(lambda: not controller.running, timeout=WAIT)
    stepped = controller.latest_snapshot.step
    assert stepped == 3
    with qtbot.waitSignal(controller.snapshot_ready, timeout=WAIT) as blocker:
        controller.set_visible_views({S.VIEW_CONFUSION})
    snap = blocker.args[0]
    assert snap.confusion_step == stepped, (snap.confusion_step, stepped)
