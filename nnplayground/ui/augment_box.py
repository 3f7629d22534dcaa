"""The Data panel's augmentation box: the image distortions of `training.augmentation`, each
with its strength (0 = off), and a grid of digits distorted the way training will see them.

Edits go through the document like every other field (undoable, merged while a spin box is
held); the preview redraws from the same `Augmentation` the trainer uses, seeded, so what is
shown is what training does. "Other samples" draws the next seed's distortions.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import (QDoubleSpinBox, QFormLayout, QGroupBox, QLabel, QPushButton,
                               QVBoxLayout)

from nnplayground.data.augment import AUGMENTATION_KEYS, Augmentation
from nnplayground.ui import document as D
from nnplayground.ui.undo import DocumentModel

# preset key -> (label, largest value, step, decimals)
FIELDS = {
    "shift": ("Shift (pixels)", 14.0, 0.5, 1),
    "rotation": ("Rotation (degrees)", 180.0, 5.0, 0),
    "scale": ("Zoom (\u00b1 fraction)", 0.9, 0.05, 2),
    "elastic": ("Elastic strength", 100.0, 5.0, 0),
}
GRID = 4            # the preview shows GRID x GRID distorted images
PAD = 2             # pixels between them


class AugmentationBox(QGroupBox):
    """Spin boxes over training.augmentation and a preview grid; shown for image data only."""

    def __init__(self, model: DocumentModel, parent=None):
        super().__init__("Augmentation (training images only)", parent)
        self.model = model
        self.spins: dict[str, QDoubleSpinBox] = {}
        self._images = None
        self._preview_seed = 0
        layout = QVBoxLayout(self)
        form = QFormLayout()
        layout.addLayout(form)
        for key, (label, top, step, decimals) in FIELDS.items():
            spin = QDoubleSpinBox()
            spin.setRange(0.0, top)
            spin.setSingleStep(step)
            spin.setDecimals(decimals)
            spin.setSpecialValueText("off")          # 0 shows as "off"
            tip = f"{AUGMENTATION_KEYS[key][0].upper()}{AUGMENTATION_KEYS[key][1:]}; 0 is off"
            spin.setToolTip(tip)
            spin.valueChanged.connect(lambda value, key=key: self._set(key, value))
            name = QLabel(label)
            name.setToolTip(tip)
            form.addRow(name, spin)
            self.spins[key] = spin
        self.again = QPushButton("Other samples")
        self.again.setToolTip("Draw new random distortions for the preview (training is not "
                              "changed)")
        self.again.clicked.connect(self.next_samples)
        layout.addWidget(self.again)
        self.plot = pg.PlotWidget()
        self.plot.setToolTip("Test digits distorted as the training images will be")
        self.plot.setMinimumHeight(150)
        self.plot.setBackground("w")
        self.plot.setAspectLocked(True)
        self.plot.hideButtons()
        self.plot.setMenuEnabled(False)
        for axis in ("left", "bottom"):
            self.plot.hideAxis(axis)
        self.image = pg.ImageItem()
        self.plot.addItem(self.image)
        layout.addWidget(self.plot)
        model.changed.connect(self.sync)
        self.sync()

    # ------------------------------------------------------------------ document

    def spec(self) -> dict:
        """The document's training.augmentation (an empty dict when there is none)."""
        return dict(self.model.doc.get("training", {}).get("augmentation") or {})

    def _set(self, key: str, value: float) -> None:
        value = round(float(value), 6)

        def apply(doc):
            training = doc.setdefault("training", {})
            augmentation = dict(training.get("augmentation") or {})
            if value:
                augmentation[key] = value
            else:
                augmentation.pop(key, None)
            if any(augmentation.get(k) for k in FIELDS):
                training["augmentation"] = augmentation
            else:
                training.pop("augmentation", None)      # all off: the key goes away
        shown = value if value else "off"
        self.model.edit(f"augmentation {key} = {shown}", apply,
                        merge_key=("field", "augmentation", key))

    def sync(self, *_args) -> None:
        """Show the document's values (signals blocked: no echo) and redraw the preview."""
        images = self.model.doc.get("dataset", {}).get("kind") in D.IMAGE_DATASETS
        self.setVisible(images)
        spec = self.spec()
        for key, spin in self.spins.items():
            spin.blockSignals(True)
            spin.setValue(float(spec.get(key, 0.0)))
            spin.blockSignals(False)
        self.redraw()

    # ------------------------------------------------------------------ preview

    def set_images(self, images) -> None:
        """The digits to distort (N, C, H, W), e.g. the worker's DatasetInfo.images_test."""
        self._images = None if images is None else np.asarray(images[:GRID * GRID],
                                                             dtype=np.float32)
        self.redraw()

    def next_samples(self) -> None:
        self._preview_seed += 1
        self.redraw()

    def augmentation(self) -> Augmentation | None:
        """The document's augmentation, or None when it is off or not valid (validation
        reports a bad value elsewhere)."""
        try:
            return Augmentation.from_spec(self.spec())
        except (TypeError, ValueError):
            return None

    def preview(self) -> np.ndarray | None:
        """The distorted images shown, (n, H, W): the same transform training uses."""
        if self._images is None or len(self._images) == 0:
            return None
        aug = self.augmentation()
        images = self._images
        if aug is not None:
            images = aug(images, np.random.default_rng(self._preview_seed))
        return images[:, 0]

    def redraw(self) -> None:
        tiles = self.preview()
        self.again.setEnabled(tiles is not None and self.augmentation() is not None)
        if tiles is None:
            self.image.clear()
            return
        n, h, w = tiles.shape
        rows = (n + GRID - 1) // GRID
        mosaic = np.ones((rows * (h + PAD), GRID * (w + PAD)), dtype=np.float32) * 0.25
        for k, tile in enumerate(tiles):
            r, c = divmod(k, GRID)
            mosaic[r * (h + PAD):r * (h + PAD) + h, c * (w + PAD):c * (w + PAD) + w] = tile
        self.image.setImage(mosaic.T[:, ::-1], levels=(0, 1))
        self.plot.autoRange()
