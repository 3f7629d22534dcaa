"""The Data panel offers the many-class generators and their class count; the output layer
follows the number of classes in the same undoable edit."""

from PySide6.QtCore import Qt

from nnplayground.presets import load_builtin, validate_preset
from nnplayground.ui import document as D
from nnplayground.ui.views.classes import class_colour


def _output(doc):
    out = D.node_by_id(doc, doc["model"].get("output", "out"))
    return out["params"]["units"], out["params"]["activation"], doc["loss"]


def test_choosing_spirals_then_five_classes_fits_the_output_layer(make_window, qtbot):
    window = make_window(load_builtin("spiral"))
    panel = window.dataset_panel
    kind, classes = panel.fields[("dataset", "kind")][0], panel.fields[("dataset", "n_classes")][0]
    assert not classes.isEnabled()                # spiral has two classes, always
    assert kind.findText("blobs") >= 0 and kind.findText("spirals") >= 0
    kind.setCurrentText("spirals")
    doc = window.model.doc
    assert classes.isEnabled() and classes.value() == 3
    assert _output(doc) == (3, "softmax", "cross_entropy")
    assert validate_preset(doc) == [] and window.training.act_play.isEnabled()
    classes.setFocus()
    classes.selectAll()
    qtbot.keyClicks(classes, "5")
    qtbot.keyClick(classes, Qt.Key.Key_Return)
    doc = window.model.doc
    assert doc["dataset"]["n_classes"] == 5 and _output(doc) == (5, "softmax", "cross_entropy")
    assert validate_preset(doc) == []
    # the preview draws each class in its own colour, as the views do
    qtbot.waitUntil(lambda: len(panel.scatter.data) > 0)
    colours = {b.color().getRgb()[:3] for b in panel.scatter.data["brush"]}
    assert colours == {class_colour(k) for k in range(5)}
    window.act_undo.trigger()
    assert _output(window.model.doc) == (3, "softmax", "cross_entropy")
    window.act_undo.trigger()
    assert window.model.doc["dataset"]["kind"] == "spiral"
    assert _output(window.model.doc) == (1, "sigmoid", "binary_cross_entropy")


def test_two_classes_keep_a_sigmoid_output_and_regression_is_left_alone():
    doc = load_builtin("spiral")
    doc["dataset"] = {"kind": "blobs", "n_classes": 2}
    D.fit_output_to_classes(doc)
    assert _output(doc) == (1, "sigmoid", "binary_cross_entropy")
    doc = load_builtin("regression-plane")
    before = _output(doc)
    D.fit_output_to_classes(doc)
    assert _output(doc) == before
