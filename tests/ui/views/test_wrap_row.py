"""WrapRow keeps every text whole: widgets side by side while they fit, stacked otherwise, also
when a child grows without the row being resized."""

from PySide6.QtWidgets import QComboBox, QSpinBox, QVBoxLayout, QWidget

from nnplayground.ui.views.common import WrapRow


def test_a_combo_box_that_grows_stacks_the_row_at_once(qtbot):
    """Lesson 4 at 1280x720: the Compare panel's choice got its long lesson entry after the
    row was laid out, and stayed side by side with its text cut."""
    combo, spin = QComboBox(), QSpinBox()
    combo.addItem("short")
    spin.setPrefix("epochs ")
    host = QWidget()
    QVBoxLayout(host).addWidget(row := WrapRow(combo, spin, stretch=False))
    qtbot.addWidget(host)
    host.resize(row.sizeHint().width() + 40, 100)
    host.show()
    qtbot.waitExposed(host)
    assert row.box.direction() == row.box.Direction.LeftToRight

    combo.addItem("Lesson: variants (cross-entropy, mean squared error)")
    combo.setCurrentIndex(1)
    qtbot.waitUntil(lambda: row.box.direction() == row.box.Direction.TopToBottom)
    qtbot.waitUntil(lambda: combo.width() >= combo.sizeHint().width())

    combo.removeItem(1)                 # short again: back side by side
    qtbot.waitUntil(lambda: row.box.direction() == row.box.Direction.LeftToRight)
