"""Lessons 3, 6, 8 and 14: the computed figures show what the lessons claim."""

import numpy as np
import pytest

from nnplayground.lessons import (
    LessonError, apply_changes, load_lesson, preset_document, variant_document,
)
from nnplayground.lessons.activation_curves import activation_curves
from nnplayground.lessons.init_histograms import histograms, layer_activations
from nnplayground.lessons.keras_code import keras_code
from nnplayground.lessons.optimizer_race import SAME_LR, contour_grid, race


# lesson 3 ------------------------------------------------------------------------------------
def test_activation_curves_and_derivatives():
    c = activation_curves(("step", "sigmoid", "tanh", "relu"), (-4, 4), 81)
    x = c["sigmoid"].x
    assert np.all(c["step"].dy == 0), "step passes no gradient back"
    assert c["sigmoid"].dy.max() == pytest.approx(0.25)
    assert np.allclose(c["tanh"].dy, 1 - np.tanh(x) ** 2)
    assert np.array_equal(c["relu"].dy, (x > 0).astype(float))
    assert np.allclose(np.gradient(c["tanh"].y, x)[1:-1], c["tanh"].dy[1:-1], atol=0.02)
    with pytest.raises(ValueError, match="softmax is not an elementwise"):
        activation_curves(("softmax",))


# lesson 6 ------------------------------------------------------------------------------------
def test_textbook_race_sgd_zigzags_and_everyone_arrives():
    r = race("elongated_bowl", start=(-7, 2), steps=30)
    sgd = r.paths["SGD"]
    assert sgd.shape == (31, 2) and tuple(sgd[0]) == (-7.0, 2.0)
    assert np.all(np.sign(sgd[1:11, 1]) == -np.sign(sgd[:10, 1])), "y flips sign every step"
    assert all(r.steps_to_minimum[k] is not None for k in ("SGD", "Momentum", "AdaGrad", "Adam"))
    assert r.steps_to_minimum["AdaGrad"] < r.steps_to_minimum["SGD"]
    assert np.all(np.diff(r.values["AdaGrad"]) <= 1e-12)


def test_with_one_learning_rate_adam_and_momentum_beat_sgd():
    r = race("elongated_bowl", optimizers=SAME_LR, tolerance=0.1)
    assert r.steps_to_settle["Adam"] < r.steps_to_settle["SGD"] / 2
    assert r.steps_to_settle["Momentum"] < r.steps_to_settle["SGD"] / 2
    assert r.steps_to_minimum["AdaGrad"] is None, "AdaGrad's steps shrink until it stalls"


def test_race_line_ups_of_the_lesson_run_and_contour_grid():
    lesson = load_lesson(6)["lesson"]["race"]
    for line_up in lesson["line_ups"]:
        r = race(lesson["function"], lesson["start"], lesson["steps"], line_up["optimizers"])
        assert len(r.paths) == 5
    xs, ys, z = contour_grid("elongated_bowl", n=50)
    assert z.shape == (50, 50) and z[25, 0] == pytest.approx(xs[0] ** 2 / 20 + ys[25] ** 2)
    with pytest.raises(ValueError, match="unknown race function 'nope'; choose one of"):
        race("nope")


# lesson 8 ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def init_figure():
    return histograms()


def test_sigmoid_std1_saturates_std001_collapses_xavier_spreads(init_figure):
    std1 = init_figure[("sigmoid", "std 1")]
    small = init_figure[("sigmoid", "std 0.01")]
    xavier = init_figure[("sigmoid", "xavier")]
    assert all(s.outer_mass > 0.6 for s in std1), [s.outer_mass for s in std1]
    assert all(s.outer_mass < 0.1 for s in xavier), [s.outer_mass for s in xavier]
    assert all(s.centre_mass > 0.95 for s in small), [s.centre_mass for s in small]
    assert all(s.centre_mass < 0.5 and s.std > 0.1 for s in xavier)
    assert std1[0].counts.sum() + 0 <= 1000 * 100 and std1[0].counts.shape == (30,)


def test_he_keeps_relu_alive_in_deep_layers_while_xavier_fades(init_figure):
    he = init_figure[("relu", "he")]
    xavier = init_figure[("relu", "xavier")]
    assert he[-1].std / he[0].std > 0.7
    assert xavier[-1].std / xavier[0].std < 0.4
    tiny = init_figure[("relu", "std 0.01")]
    assert tiny[-1].alive < 0.05, "std 0.01: ReLU activations vanish by layer 5"


def test_init_histogram_inputs_are_deterministic():
    a = layer_activations("tanh", "xavier", layers=2, units=10, samples=20, seed=3)
    b = layer_activations("tanh", "xavier", layers=2, units=10, samples=20, seed=3)
    assert np.array_equal(a["layer2"], b["layer2"])
    with pytest.raises(ValueError, match="unknown initialisation 'glorot'"):
        layer_activations("tanh", "glorot")


# lesson 14 -----------------------------------------------------------------------------------
def test_keras_code_for_lesson_14_is_python_naming_the_right_layers():
    src = keras_code(preset_document(load_lesson(14)))
    compile(src, "lesson14_keras.py", "exec")
    for expected in ("model.add(layers.Flatten())",
                     "model.add(layers.Dense(256, activation='sigmoid'",
                     "model.add(layers.Dense(128, activation='relu'",
                     "model.add(layers.Dense(10, activation='softmax'",
                     "keras.optimizers.SGD(learning_rate=0.05, momentum=0.9)",
                     "loss='sparse_categorical_crossentropy'",
                     "model.fit(x_train, y_train, batch_size=32, epochs=5",
                     "model.evaluate(x_test, y_test)", "model.predict("):
        assert expected in src, expected
    assert src.index("Dense(256") < src.index("Dense(128") < src.index("Dense(10")


def test_keras_code_follows_any_sequential_preset():
    cnn = keras_code(preset_document(load_lesson(11)))
    compile(cnn, "cnn.py", "exec")
    assert "layers.Conv2D(8, kernel_size=5, strides=1, padding='valid'" in cnn
    assert "layers.MaxPooling2D(pool_size=2, strides=2)" in cnn
    assert "keras.Input(shape=(28, 28, 1))" in cnn and "Adam(learning_rate=0.002" in cnn
    drop = keras_code(variant_document(load_lesson(10), "dropout"))
    assert drop.count("layers.Dropout(0.2)") == 6
    decay = keras_code(variant_document(load_lesson(10), "weight decay"))
    assert "kernel_regularizer=keras.regularizers.L1L2(l1=0.0, l2=0.05)" in decay
    ada = keras_code(apply_changes(preset_document(load_lesson(1)),
                                   {"optimizer": {"type": "adagrad", "lr": 0.5}}))
    assert "keras.optimizers.Adagrad(learning_rate=0.5, epsilon=1e-10)" in ada
    gates = keras_code(preset_document(load_lesson(1)))
    compile(gates, "gates.py", "exec")
    assert "loss='binary_crossentropy'" in gates and "keras.Input(shape=(2,))" in gates


def test_keras_code_for_a_graph_with_skips_uses_the_functional_api():
    doc = preset_document(load_lesson(12))
    src = keras_code(doc)
    compile(src, "skips.py", "exec")
    assert "add1 = layers.Add()([h0, d1])" in src
    assert "model = keras.Model(x, out)" in src and "model.add(" not in src
    with pytest.raises(LessonError, match="'add1' \\(Add\\) joins several inputs"):
        keras_code(doc, style="sequential")
    doc["model"]["nodes"][1]["id"] = "model"          # a name the program itself uses
    doc["model"]["nodes"][2]["inputs"] = ["model"]
    doc["model"]["nodes"][3]["inputs"] = ["model", "d1"]
    src = keras_code(doc, style="functional")
    compile(src, "renamed.py", "exec")
    assert "model_ = layers.Dense(16" in src and "layers.Add()([model_, d1])" in src


@pytest.mark.parametrize("style", ["auto", "functional"])
def test_keras_code_compiles_for_every_lesson_and_step(style):
    from nnplayground.lessons import list_lessons, step_document
    for info in list_lessons():
        doc = load_lesson(info.number)
        docs = [preset_document(doc)] + [step_document(doc, i)
                                         for i in range(len(doc["lesson"].get("steps", [])))]
        for d in docs:
            src = keras_code(d, style=style)
            compile(src, f"lesson{info.number}.py", "exec")
            assert "model.compile(" in src and "model.fit(" in src
