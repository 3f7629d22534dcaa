"""Each lesson's teaching outcome, asserted by training its own preset headless.

The figures in docs/lessons/README.md are the ones these runs produce. MNIST lessons run on the
bundled sample (forced with ``dataset.source = "sample"``) so the result does not depend on
whether the full set is installed.
"""

import numpy as np
import pytest

from nnplayground.engine import DivergenceError
from nnplayground.experiment import Experiment
from nnplayground.lessons import (
    apply_changes, load_lesson, preset_document, step_document, variant_document,
)
from nnplayground.lessons.compare import run_variants
from nnplayground.lessons.gradcheck_timing import gradcheck_experiment

SAMPLE = {"dataset.source": "sample"}


def by_label(runs):
    return {run.label: run for run in runs}


def test_lesson_1_single_unit_learns_and_or_nand_never_xor():
    runs = by_label(run_variants(load_lesson(1)))
    for gate in ("AND", "OR", "NAND"):
        assert runs[gate].final("train_accuracy") == 1.0, gate
    assert max(r["train_accuracy"] for r in runs["XOR"].history) <= 0.75


def test_lesson_2_xor_needs_the_hidden_layer():
    runs = by_label(run_variants(load_lesson(2)))
    assert max(r["train_accuracy"] for r in runs["no hidden layer"].history) <= 0.75
    assert runs["2-4-1 tanh"].final("train_accuracy") == 1.0
    assert runs["2-4-1 tanh"].final("test_accuracy") == 1.0


def test_lesson_3_step_does_not_learn_by_gradient_descent():
    doc = load_lesson(3)
    step = Experiment.from_preset(variant_document(doc, "step"))
    w_before = step.model.layers["h"].params["W"].copy()
    step.fit()
    assert np.array_equal(step.model.layers["h"].params["W"], w_before), \
        "no gradient passes through the step function, so the hidden weights never move"
    assert step.result()["accuracy"] < 0.6
    runs = by_label(run_variants(doc))
    for act in ("sigmoid", "tanh", "relu"):
        assert runs[act].final("test_accuracy") >= 0.95, act


def test_lesson_4_mse_and_cross_entropy_both_train_cross_entropy_no_slower():
    runs = by_label(run_variants(load_lesson(4)))
    ce, mse = runs["cross-entropy"], runs["mean squared error"]
    assert ce.final("test_accuracy") >= 0.9 and mse.final("test_accuracy") >= 0.9
    assert ce.epochs_to_reach("test_accuracy", 0.9) <= mse.epochs_to_reach("test_accuracy", 0.9)


@pytest.mark.parametrize("step", [0, 1])
def test_lesson_5_gradients_agree_and_numerical_needs_four_passes_a_weight(step):
    exp = Experiment.from_preset(step_document(load_lesson(5), step))
    exp.fit(3)  # a trained network, not only the initial one
    report = gradcheck_experiment(exp, samples=10)
    assert set(report.errors) == {"h1/W", "h1/b", "h2/W", "h2/b", "out/W", "out/b"}
    assert report.max_error < 1e-6, report.errors
    # why it is slower (the seconds themselves depend on the machine, so are not asserted)
    assert report.forward_passes == 4 * sum(report.sizes.values())


def test_lesson_6_every_optimizer_trains_the_network_sgd_slowest():
    runs = by_label(run_variants(load_lesson(6)))
    assert all(r.final("test_accuracy") >= 0.95 for r in runs.values()), runs_summary(runs)
    sgd = runs["SGD"].epochs_to_reach("test_accuracy", 0.9)
    for name in ("Momentum", "AdaGrad", "RMSprop", "Adam"):
        assert runs[name].epochs_to_reach("test_accuracy", 0.9) < sgd, name


def runs_summary(runs):
    return {k: r.final("test_accuracy") for k, r in runs.items()}


def test_lesson_7_batch_sizes_differ_and_too_large_a_learning_rate_diverges():
    doc = load_lesson(7)
    batch = by_label(run_variants(doc, group="batch size"))
    assert [len(batch[k].step_losses) for k in ("batch 1", "batch 10", "full batch")] == \
        [4000, 400, 40], "updates per epoch = 100 training points / batch size"
    assert batch["batch 10"].final("test_rmse") < 0.2
    assert batch["full batch"].final("test_rmse") > 2 * batch["batch 10"].final("test_rmse")
    # step-to-step change of the loss over the last 40 updates: noise for batch 1
    jitter = {k: np.std(np.diff([loss for _, loss in r.step_losses[-40:]]))
              for k, r in batch.items()}
    assert jitter["batch 1"] > 5 * max(jitter["batch 10"], jitter["full batch"]), jitter

    lr = by_label(run_variants(doc, group="learning rate"))
    small, right, large = (lr[k] for k in ("lr 0.002 (too small)", "lr 0.2 (right)",
                                           "lr 5 (too large)"))
    assert small.final("test_rmse") > 0.4 and small.diverged is None
    assert right.final("test_rmse") < 0.2 and right.diverged is None
    assert large.diverged is not None and "learning rate 5 is probably too high" in large.diverged
    assert all(np.all(np.isfinite(v)) for v in large.experiment.model.state_dict().values())
    with pytest.raises(DivergenceError):
        Experiment.from_preset(variant_document(doc, "lr 5 (too large)")).fit()


@pytest.mark.slow
def test_lesson_8_std_001_does_not_learn_he_learns_fastest():
    runs = by_label(run_variants(load_lesson(8), epochs=15, changes=SAMPLE))
    assert runs["std 0.01"].final("test_accuracy") < 0.2
    assert runs["He"].final("test_accuracy") > runs["Xavier"].final("test_accuracy") \
        > runs["std 0.01"].final("test_accuracy") + 0.15


@pytest.mark.slow
def test_lesson_9_batch_norm_reaches_70_percent_in_fewer_epochs():
    runs = by_label(run_variants(load_lesson(9), changes=SAMPLE))
    with_bn, without = runs["with batch norm"], runs["without"]
    assert with_bn.epochs_to_reach("test_accuracy", 0.7) <= 12
    assert without.epochs_to_reach("test_accuracy", 0.7) is None
    assert with_bn.final("test_accuracy") > without.final("test_accuracy") + 0.3


@pytest.mark.slow
def test_lesson_10_overfitting_gap_narrowed_by_weight_decay_and_dropout():
    runs = by_label(run_variants(load_lesson(10), changes=SAMPLE))
    gap = {k: r.final("train_accuracy") - r.final("test_accuracy") for k, r in runs.items()}
    assert runs["plain"].final("train_accuracy") >= 0.99
    assert gap["plain"] >= 0.25, gap
    assert gap["weight decay"] < gap["plain"] - 0.03, gap
    assert gap["dropout"] < gap["plain"] - 0.03, gap


def neighbour_correlation(w):
    """How alike neighbouring pixels of the filters are: ~0 for noise, larger for strokes."""
    w = w[:, 0] - w[:, 0].mean(axis=(1, 2), keepdims=True)
    pairs = (w[:, :, 1:] * w[:, :, :-1]).sum() + (w[:, 1:, :] * w[:, :-1, :]).sum()
    return pairs / (2 * (w * w).sum())


@pytest.mark.slow
def test_lesson_11_cnn_filters_change_and_it_classifies_digits():
    exp = Experiment.from_preset(apply_changes(step_document(load_lesson(11), 0), SAMPLE))
    before = exp.model.layers["conv1"].params["W"].copy()
    assert before.shape == (8, 1, 5, 5)
    exp.fit()
    after = exp.model.layers["conv1"].params["W"]
    change = np.linalg.norm(after - before) / np.linalg.norm(before)
    assert change > 0.15, f"filters changed by only {change:.1%}"
    assert neighbour_correlation(after) > neighbour_correlation(before) + 0.05, \
        "trained filters are smoother (strokes and edges) than the random ones"
    assert exp.result()["accuracy"] >= 0.9
    maps = exp.model.forward_all(exp.dataset.x_test[:1])["conv1"]
    assert maps.shape == (1, 8, 24, 24)


def test_lesson_12_skip_connections_train_the_deep_network():
    runs = by_label(run_variants(load_lesson(12)))
    assert runs["with skips"].final("test_accuracy") >= 0.95
    assert runs["plain"].final("test_accuracy") <= 0.65
    assert runs["with skips"].epochs_to_reach("test_accuracy", 0.9) <= 10


def test_lesson_13_sine_regression_and_a_category():
    doc = load_lesson(13)
    sine = Experiment.from_preset(step_document(doc, 0))
    sine.fit()
    assert sine.task == "regression" and sine.result()["rmse"] < 0.05
    gauss = Experiment.from_preset(step_document(doc, 1))
    gauss.fit()
    assert gauss.task == "classification" and gauss.result()["accuracy"] >= 0.95


@pytest.mark.parametrize("number", range(1, 18))
def test_every_step_and_variant_trains_an_epoch(number):
    """Smoke run: each step and compare variant of each lesson builds and trains (MNIST ones on
    200 sample images); only the lesson's deliberately too-large learning rate may diverge."""
    doc = load_lesson(number)
    docs = [("base", preset_document(doc))]
    docs += [(s["title"], step_document(doc, i)) for i, s in enumerate(doc["lesson"]["steps"])]
    docs += [(v["label"], variant_document(doc, i))
             for i, v in enumerate(doc["lesson"].get("compare", []))]
    for label, d in docs:
        if d["dataset"]["kind"] == "mnist":
            d = apply_changes(d, {"dataset.source": "sample", "dataset.train_limit": 200,
                                  "dataset.test_limit": 100})
        exp = Experiment.from_preset(d)
        try:
            record = exp.trainer.run_epoch()
        except DivergenceError:
            assert "too large" in label.lower(), f"lesson {number} {label!r} diverged"
            continue
        # (lesson 7's lr 5 overflows the evaluation in epoch 1 and raises at step 11)
        assert np.isfinite(record["train_loss"]) or "too large" in label.lower(), (number, label)


@pytest.mark.slow
def test_lesson_14_keras_mlp_reaches_90_percent_on_the_sample():
    doc = preset_document(load_lesson(14))
    doc["dataset"]["source"] = "sample"
    exp = Experiment.from_preset(doc)
    exp.fit(5)
    assert exp.result()["accuracy"] >= 0.9


def test_lesson_15_augmentation_recognises_moved_digits_at_least_5_points_better():
    from nnplayground.lessons.augmentation import distorted_accuracy, distorted_test_set

    doc = load_lesson(15)
    spec = doc["lesson"]["distorted_test"]
    runs = by_label(run_variants(doc, changes=SAMPLE))
    without, with_aug = runs["without augmentation"], runs["with augmentation"]
    assert with_aug.experiment.trainer.steps_done == without.experiment.trainer.steps_done
    moved = {label: distorted_accuracy(run.experiment, spec) for label, run in runs.items()}
    assert moved["with augmentation"] >= moved["without augmentation"] + 0.05, moved
    # on the ordinary test digits augmentation costs little
    assert with_aug.final("test_accuracy") >= without.final("test_accuracy") - 0.03
    # the distorted test set is one fixed draw, the same for both runs
    x1, _ = distorted_test_set(without.experiment, spec)
    x2, _ = distorted_test_set(with_aug.experiment, spec)
    np.testing.assert_array_equal(x1, x2)
    assert not np.array_equal(x1, without.experiment.trainer.x_test)
