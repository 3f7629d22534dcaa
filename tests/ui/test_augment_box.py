"""The Data panel's augmentation box: typed strengths edit the document (undoably) and the
preview grid shows digits distorted by the same transform training uses."""

import numpy as np
from PySide6.QtCore import Qt

from nnplayground.data import load_dataset
from nnplayground.data.augment import Augmentation
from nnplayground.presets import load_builtin
from nnplayground.worker.snapshot import DatasetInfo


def image_info():
    ds = load_dataset({"kind": "mnist", "source": "sample", "train_limit": 20,
                       "test_limit": 16})
    return DatasetInfo(name=ds.name, task="classification", kind="image", n_classes=10,
                       feature_names=(), points_train=None, y_train=ds.y_train,
                       points_test=None, y_test=ds.y_test, extent=(0.0, 1.0, 0.0, 1.0),
                       images_test=ds.x_test, note="")


def type_value(qtbot, spin, text):
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin.lineEdit(), text)
    qtbot.keyClick(spin.lineEdit(), Qt.Key_Return)


def centre_of_mass(image):
    rows, cols = np.indices(image.shape)
    return np.array([(image * rows).sum(), (image * cols).sum()]) / image.sum()


def test_typed_strengths_edit_the_preset_and_the_preview_shows_them(make_window, qtbot,
                                                                    fake_controller):
    window = make_window(load_builtin("mnist-cnn"))
    box = window.dataset_panel.augmentation
    assert not box.isHidden()
    info = image_info()
    fake_controller.dataset_ready.emit(info)
    plain = box.preview()
    np.testing.assert_array_equal(plain, info.images_test[:16, 0])     # all off: as they are
    assert not box.again.isEnabled()

    type_value(qtbot, box.spins["shift"], "3")
    type_value(qtbot, box.spins["rotation"], "20")
    doc = window.model.doc
    assert doc["training"]["augmentation"] == {"shift": 3.0, "rotation": 20.0}
    shown = box.preview()
    expected = Augmentation(shift=3, rotation=20)(info.images_test[:16],
                                                  np.random.default_rng(0))[:, 0]
    np.testing.assert_array_equal(shown, expected)
    moved = [np.abs(centre_of_mass(a) - centre_of_mass(b)).max() for a, b in zip(shown, plain)]
    assert max(moved) > 1.0

    qtbot.mouseClick(box.again, Qt.LeftButton)            # other samples, same settings
    assert not np.array_equal(box.preview(), shown)
    assert window.model.doc["training"]["augmentation"] == {"shift": 3.0, "rotation": 20.0}

    window.model.undo_stack.undo()                        # the rotation
    window.model.undo_stack.undo()                        # the shift
    assert "augmentation" not in window.model.doc["training"]
    assert box.spins["shift"].value() == 0 and box.spins["shift"].text() == "off"
    np.testing.assert_array_equal(box.preview(), plain)


def test_setting_every_strength_back_to_off_removes_the_key(make_window, qtbot):
    window = make_window(load_builtin("mnist-cnn"))
    box = window.dataset_panel.augmentation
    type_value(qtbot, box.spins["elastic"], "34")
    assert window.model.doc["training"]["augmentation"] == {"elastic": 34.0}
    type_value(qtbot, box.spins["elastic"], "0")
    assert "augmentation" not in window.model.doc["training"]


def test_the_box_is_hidden_for_point_data(make_window):
    window = make_window(load_builtin("xor"))
    assert window.dataset_panel.augmentation.isHidden()
