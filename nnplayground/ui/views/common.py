"""Shared pieces of the live views: the view base class, colour maps and image mosaics."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QRect, QSize, QTimer
from PySide6.QtGui import QFont, QImage, QPainter
from PySide6.QtWidgets import (QBoxLayout, QComboBox, QGraphicsItem, QHBoxLayout, QLabel,
                               QLayout, QPushButton, QSizePolicy, QSpinBox, QStackedLayout,
                               QVBoxLayout, QWidget)

from nnplayground.ui.views.axes import readable_ticks

# TensorFlow Playground's palette: orange for negative / class 0, blue for positive / class 1.
ORANGE = (245, 147, 34)
BLUE = (8, 119, 189)
CLASS_COLOURS = [ORANGE, BLUE, (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
                 (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
DIVERGING = pg.ColorMap([0.0, 0.5, 1.0], [ORANGE, (232, 234, 235), BLUE])
GREYS = pg.ColorMap([0.0, 1.0], [(0, 0, 0), (255, 255, 255)])


def unit_map_levels(img):
    """A unit's output over the plane mapped to [0, 1] for DIVERGING: 0.5 is zero output
    (the Hidden units view and the diagram's neuron maps colour units alike). `img` is
    (H, W), or (..., H, W) for several units at once, each scaled on its own."""
    img = np.asarray(img)
    m = np.max(np.abs(img), axis=(-2, -1), keepdims=True)
    m = np.where(m > 0, m, 1.0)
    negative = np.min(img, axis=(-2, -1), keepdims=True) < 0
    return np.where(negative, 0.5 + 0.5 * img / m, img / m)

# Text inside the plots: readable from the back of a lecture room (pyqtgraph's defaults are
# ~8 pt light grey, made for a dark background).
FONT_PT = 10
TEXT = (30, 30, 30)
AXIS_PEN = (90, 90, 90)


def light(widget):
    """White background like TensorFlow Playground's, per widget (the global pyqtgraph
    configuration belongs to the whole app). A grid of plots keeps 2 px around it instead of
    pyqtgraph's 9: in presenter mode at 1280x720 those 18 px pushed the last histogram column
    of lesson 8 and the accuracy plot of lesson 16 past the widget's edge."""
    widget.setBackground("w")
    if isinstance(widget, pg.GraphicsLayoutWidget):
        widget.ci.layout.setContentsMargins(2, 2, 2, 2)
    return widget


def cache_axes(root: QWidget):
    """Cache every plot axis under `root` as a pixmap, with dark 10 pt ticks and labels.

    Replaying an axis' labels costs ~3 ms per axis per frame with software rendering, more
    than the data itself; a cached axis is only redrawn when its range actually changes.
    """
    font = QFont()
    font.setPointSize(FONT_PT)
    for view in ([root] if isinstance(root, pg.GraphicsView) else []) + \
            root.findChildren(pg.GraphicsView):
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
                item.setStyle(tickFont=font)
                readable_ticks(item)
                item.setPen(pg.mkPen(AXIS_PEN))
                item.setTextPen(pg.mkPen(TEXT))
                item.label.setFont(font)
                # "loss (x0.001)" with ticks of 200 misleads a class. pyqtgraph 0.14 scales
                # the ticks even with the SI prefix disabled, so no range may enable it either.
                item.setSIPrefixEnableRanges(())
                item.enableAutoSIPrefix(False)
                if item.labelText:
                    item.setLabel(item.labelText, color=TEXT)


def legend_row(layout: pg.GraphicsLayout, row: int, col: int = 0, columns: int = 3):
    """A legend in its own layout row (put it above its plot): never over the data, never
    clipped by the plot's edge, whatever the dock's size."""
    legend = pg.LegendItem(colCount=columns, labelTextColor=TEXT,
                           labelTextSize=f"{FONT_PT}pt", verSpacing=-4)
    layout.addItem(legend, row=row, col=col)
    return legend


def place_plots(layout: pg.GraphicsLayout, plots, side_by_side: bool, row: int = 0) -> None:
    """Lay `plots` out in `layout` from `row` on: one row of columns when `side_by_side`, else
    one column of rows (what a WideWatcher's `arrange` does); plots not listed leave it."""
    for item in list(layout.items):
        if isinstance(item, pg.PlotItem):
            layout.removeItem(item)
    for i, plot in enumerate(plots):
        layout.addItem(plot, row=row if side_by_side else row + i, col=i if side_by_side else 0)


class WideWatcher(QObject):
    """Calls `arrange(wide)` when `widget` turns wider than `ratio` times its height, or back:
    a view puts its plots side by side in a wide, short dock and stacks them in a tall one."""

    def __init__(self, widget, arrange, ratio=1.4):
        super().__init__(widget)
        self.arrange, self.ratio, self.wide = arrange, ratio, None
        widget.installEventFilter(self)

    def eventFilter(self, watched, event):
        if event.type() == QEvent.Type.Resize:
            size = event.size()
            wide = size.width() >= self.ratio * size.height()
            if wide != self.wide:
                self.wide = wide
                self.arrange(wide)
        return False


def set_title(plot, text):
    """A plot title in the views' dark 11 pt."""
    plot.setTitle(text, color=TEXT, size=f"{FONT_PT + 1}pt")


class WrapRow(QWidget):
    """Widgets side by side while they fit, one under the other when the row is narrower
    (a 1280x720 screen, presenter mode's large font): their text is never cut.

    Never narrower than its widest widget's size hint; a combo box in it is as wide as its
    longest entry (AdjustToContents).
    """

    def __init__(self, *widgets, stretch=True, parent=None):
        super().__init__(parent)
        self.widgets = widgets
        self.box = QBoxLayout(QBoxLayout.LeftToRight, self)
        self.box.setContentsMargins(0, 0, 0, 0)
        self.box.setSizeConstraint(QLayout.SetNoConstraint)    # minimumSizeHint rules
        for w in widgets:
            if isinstance(w, QComboBox):
                w.setSizeAdjustPolicy(QComboBox.AdjustToContents)
            self.box.addWidget(w)
        if stretch:
            self.box.addStretch(1)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)

    def _side_by_side_width(self) -> int:
        return sum(w.sizeHint().width() for w in self.widgets) + \
            self.box.spacing() * (len(self.widgets) - 1)

    def _height(self) -> int:
        heights = [w.sizeHint().height() for w in self.widgets]
        if self.box.direction() == QBoxLayout.LeftToRight:
            return max(heights)
        return sum(heights) + self.box.spacing() * (len(heights) - 1)

    def sizeHint(self):  # noqa: N802
        return QSize(self._side_by_side_width(), self._height())

    def minimumSizeHint(self):  # noqa: N802
        # as tall as the current arrangement: a layout (unlike a height-for-width item)
        # then keeps the stacked rows whole
        return QSize(max(w.sizeHint().width() for w in self.widgets), self._height())

    def _arrange(self) -> None:
        wide = self.width() >= self._side_by_side_width()
        direction = QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom
        if self.box.direction() != direction:
            self.box.setDirection(direction)
            self.updateGeometry()

    def resizeEvent(self, event):  # noqa: N802
        self._arrange()
        super().resizeEvent(event)

    def changeEvent(self, event):  # noqa: N802
        # a smaller font (leaving presenter mode) can put the row back side by side without
        # any resize; asked once the children have their new size hints
        super().changeEvent(event)
        if event.type() == event.Type.FontChange:
            QTimer.singleShot(0, self, self._arrange)

    def event(self, event):
        # a child's size hint changed without any resize (a longer entry added to a combo box
        # once a lesson opens): side by side it may no longer fit
        if event.type() == QEvent.Type.LayoutRequest:
            self._arrange()
        return super().event(event)


class SquareBox(QWidget):
    """Keeps one child square (or up to `wide` times as wide as tall), centred across and at
    the top, however wide or tall the dock is.

    A plot of the input plane with a locked aspect ratio would otherwise fill a wide dock with
    empty axis range; this keeps the plane as large as fits. At the top, so that in a tall dock
    the plot stays next to its options instead of floating below a gap.
    """

    def __init__(self, child, parent=None, wide: float = 1.0):
        super().__init__(parent)
        self.child = child
        self.wide = wide        # the child may be up to this times as wide as it is tall
        child.setParent(self)
        if isinstance(child, pg.PlotWidget):
            # room for the end tick labels (top "6", right "5"), which stick out of the axes
            child.getPlotItem().setContentsMargins(2, 10, 12, 2)
        self.setMinimumSize(160, 160)

    def resizeEvent(self, event):
        side = min(self.width(), self.height())
        width = min(self.width(), int(side * self.wide))
        self.child.setGeometry((self.width() - width) // 2, 0, width, side)
        super().resizeEvent(event)


class LiveView(QWidget):
    """A dock's content: built once, then updated from snapshots.

    `parts` names what the worker must compute for this view while it is visible (see
    `nnplayground.worker.snapshot`); `applies_to(info)` says whether the loaded dataset has
    anything for this view, otherwise a short placeholder explains why it is empty.
    """

    title = "View"
    parts: frozenset = frozenset()

    def __init__(self, parent=None):
        super().__init__(parent)
        self._stack = QStackedLayout(self)
        self.body = QWidget()
        self._placeholder = QLabel()
        self._placeholder.setWordWrap(True)
        self._placeholder.setStyleSheet("color: grey; padding: 12px")
        self._stack.addWidget(self.body)
        self._stack.addWidget(self._placeholder)
        self._policies = {page: page.sizePolicy() for page in (self.body, self._placeholder)}
        self._stack.currentChanged.connect(self._size_by_shown_page)
        self._size_by_shown_page()
        self.info = None

    def _size_by_shown_page(self, _index=None) -> None:
        """The view is as large as the page it shows needs (the body or the placeholder).

        A QStackedLayout sizes by every page, hidden ones included, but a hidden page cannot
        tell it when its size changes (a hidden widget's layout requests are dropped): the
        Decision boundary's body, hidden behind its placeholder in a regression lesson, kept
        the minimum its options had while they wrapped at presenter mode's font, and that
        stale minimum moved the docks after leaving. The hidden page is ignored instead.
        """
        shown = self._stack.currentWidget()
        for page, policy in self._policies.items():
            page.setSizePolicy(policy if page is shown else
                               QSizePolicy(QSizePolicy.Ignored, QSizePolicy.Ignored))
        self._stack.invalidate()
        self.updateGeometry()

    def applies_to(self, info) -> bool:
        return True

    def placeholder_text(self, info) -> str:
        return f"Nothing to show for the dataset {info.name!r}."

    def set_dataset(self, info):
        self.info = info
        applies = self.applies_to(info)
        self._stack.setCurrentIndex(0 if applies else 1)
        if not applies:
            self._placeholder.setText(self.placeholder_text(info))
        else:
            self.on_dataset(info)

    def clear_run(self):
        """No run: a placeholder instead of the last run's pictures, until the next dataset."""
        self.info = None
        self._placeholder.setText("Nothing trained yet: build a network (or open a preset) "
                                  "and press Play.")
        self._stack.setCurrentIndex(1)

    def show_snapshot(self, snapshot):
        if self.info is not None and self.applies_to(self.info):
            self.on_snapshot(snapshot)

    def on_dataset(self, info):
        """Rebuild what depends on the dataset (called once per load)."""

    def on_snapshot(self, snapshot):
        """Draw a snapshot with setData / setImage only."""


class ImageClassifierView(LiveView):
    """A view of an image classifier (MNIST): nothing to draw for other data, where it shows
    its `placeholder` sentence instead."""

    placeholder = "This view is drawn for image classifiers (MNIST)."

    def applies_to(self, info):
        return info.kind == "image" and info.task == "classification"

    def placeholder_text(self, info):
        return self.placeholder


def push_button(text: str, tooltip: str, on_clicked) -> QPushButton:
    """A button with its tooltip, `on_clicked` connected."""
    button = QPushButton(text)
    button.setToolTip(tooltip)
    button.clicked.connect(on_clicked)
    return button


def chooser_layout(body: QWidget, label: str, tooltip: str, *widgets):
    """Lays `body` out as a column whose first row chooses a sample: `label`, a spin box
    (0 to 0 until the view sets its range from the data), then `widgets` (buttons, a combo
    box; a `(widget, stretch)` pair takes the spare room, else the row ends in a stretch).
    Returns (the column, the spin box); the view adds its pictures under the row."""
    layout = QVBoxLayout(body)
    layout.setContentsMargins(2, 2, 2, 2)
    row = QHBoxLayout()
    row.addWidget(QLabel(label))
    box = QSpinBox()
    box.setRange(0, 0)
    box.setToolTip(tooltip)
    row.addWidget(box)
    stretched = False
    for widget in widgets:
        widget, stretch = widget if isinstance(widget, tuple) else (widget, 0)
        row.addWidget(widget, stretch)
        stretched = stretched or stretch > 0
    if not stretched:
        row.addStretch(1)
    layout.addLayout(row)
    return layout, box


def image_view_box(widget: pg.GraphicsLayoutWidget, row=None, col=None, title=None):
    """A locked-aspect, axis-free ViewBox with one row-major ImageItem in it."""
    vb = widget.addViewBox(row=row, col=col, lockAspect=True, enableMouse=False)
    vb.invertY(True)
    item = pg.ImageItem(axisOrder="row-major")
    vb.addItem(item)
    if title:
        vb.setToolTip(title)
    return vb, item


def mosaic(tiles: np.ndarray, columns=None, pad=1, normalise=True):
    """(n, h, w) tiles -> one (rows*(h+pad), cols*(w+pad)) image, each tile scaled to [0, 1].

    One big image is far cheaper to redraw than n small ImageItems.
    """
    n, h, w = tiles.shape
    cols = columns or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / cols))
    out = np.full((rows * (h + pad) - pad, cols * (w + pad) - pad), np.nan, np.float32)
    if normalise:
        lo = tiles.reshape(n, -1).min(axis=1)[:, None, None]
        hi = tiles.reshape(n, -1).max(axis=1)[:, None, None]
        tiles = (tiles - lo) / np.maximum(hi - lo, 1e-12)
    for i in range(n):
        r, c = divmod(i, cols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = tiles[i]
    return np.nan_to_num(out, nan=0.5)


def grid_columns(n: int, cell_w: float, cell_h: float, width: float, height: float,
                 below: float = 0.0) -> int:
    """How many columns show `n` cells of aspect `cell_w`:`cell_h` largest in a `width` x
    `height` area, each cell with `below` pixels under it that do not grow (its label).

    A wide, short dock then gets 8 feature maps in a row instead of a 3x3 square a third of
    its width, and a square one a square grid."""
    best, best_scale = 1, -1.0
    for columns in range(1, max(n, 1) + 1):
        rows = -(-n // columns)
        scale = min(width / (columns * cell_w), (height / rows - below) / cell_h)
        if scale > best_scale + 1e-9:
            best, best_scale = columns, scale
    return best


def to_qimage(image: np.ndarray, levels=(0.0, 1.0)) -> QImage:
    """(H, W) values (`levels` mapped to black and white) or (H, W, 3) uint8 RGB as a QImage
    that owns its pixels."""
    a = np.asarray(image)
    h, w = a.shape[:2]
    if a.ndim == 2:
        lo, hi = levels
        grey = np.clip((a.astype(np.float32) - lo) / max(hi - lo, 1e-12), 0.0, 1.0)
        data = np.ascontiguousarray(np.round(255 * grey).astype(np.uint8))
        return QImage(data.data, w, h, w, QImage.Format.Format_Grayscale8).copy()
    data = np.ascontiguousarray(a[..., :3].astype(np.uint8))
    return QImage(data.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class PixelImage(QWidget):
    """An image as large as the widget allows, its aspect kept, each pixel a sharp block
    (nearest neighbour): a 28x28 digit or a 3x3 kernel read from the back of a room. Centred
    across, at the top. In a pyqtgraph grid beside their captions the digit and the filters
    stayed 40 px thumbnails in a 300 px dock.

    `image` is the array last set, or None."""

    def __init__(self, tooltip: str = "", minimum: int = 40, parent=None):
        super().__init__(parent)
        self.image = None
        self._qimage = None
        if tooltip:
            self.setToolTip(tooltip)
        self.setMinimumSize(minimum, minimum)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def setImage(self, image, levels=(0.0, 1.0)):  # noqa: N802  (as pyqtgraph's ImageItem)
        self.image = np.asarray(image)
        self._qimage = to_qimage(self.image, levels)
        self.update()

    def clear(self):
        self.image = None
        self._qimage = None
        self.update()

    def target(self) -> QRect:
        """Where the image is drawn: the largest rectangle of its aspect in the widget."""
        if self.image is None:
            return QRect()
        h, w = self.image.shape[:2]
        scale = min(self.width() / w, self.height() / h)
        tw, th = max(1, int(w * scale)), max(1, int(h * scale))
        return QRect((self.width() - tw) // 2, 0, tw, th)

    def scale(self) -> float:
        """Screen pixels per image pixel as drawn now (0 with no image)."""
        return self.target().width() / self.image.shape[1] if self.image is not None else 0.0

    def paintEvent(self, _event):  # noqa: N802
        if self._qimage is None:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, False)
        painter.drawImage(self.target(), self._qimage)


class MosaicImage(PixelImage):
    """Tiles (n, h, w) drawn as one mosaic (`mosaic`) in as many columns as show them
    largest in the widget's shape (`grid_columns`), re-tiled when it is resized: eight feature
    maps in a row in a wide, short dock, a square in a square one."""

    def __init__(self, tooltip: str = "", minimum: int = 40, normalise=True, parent=None):
        super().__init__(tooltip, minimum, parent)
        self.tiles = None
        self.columns = 1
        self.normalise = normalise

    def setTiles(self, tiles):  # noqa: N802
        self.tiles = np.asarray(tiles)
        self._draw()

    def clear(self):
        self.tiles = None
        super().clear()

    def tile_side(self) -> float:
        """A tile's height on screen, in pixels (0 with no tiles)."""
        return self.scale() * self.tiles.shape[1] if self.tiles is not None else 0.0

    def _best_columns(self) -> int:
        n, h, w = self.tiles.shape
        return grid_columns(n, w + 1, h + 1, self.width(), self.height())

    def _draw(self):
        self.columns = self._best_columns()
        self.setImage(mosaic(self.tiles, columns=self.columns, normalise=self.normalise))

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        if self.tiles is not None and self._best_columns() != self.columns:
            self._draw()


class StableRange:
    """Moves a plot's visible range only when the data leaves it or shrinks well inside it.

    Auto-ranging to growing data changes the axes on every frame, and redrawing an axis' tick
    labels costs more than drawing the data; growing the range in steps keeps the axes cached.
    """

    def __init__(self, plot, margin=0.25):
        self.plot = plot
        self.margin = margin
        plot.disableAutoRange()
        self.current = None

    def reset(self):
        self.current = None

    def update(self, xs, ys):
        xs, ys = np.asarray(xs, float), np.asarray(ys, float)
        if self.plot.ctrl.logYCheck.isChecked():
            ys = np.log10(ys[ys > 0])
        xs, ys = xs[np.isfinite(xs)], ys[np.isfinite(ys)]
        if not xs.size or not ys.size:
            return
        bounds = (xs.min(), xs.max(), ys.min(), ys.max())
        if self.current is not None and self._fits(bounds):
            return
        x0, x1, y0, y1 = bounds
        dx, dy = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
        self.current = (x0, x1 + self.margin * dx, y0 - 0.05 * dy, y1 + 0.1 * dy)
        self.plot.setRange(xRange=self.current[:2], yRange=self.current[2:], padding=0)

    def _fits(self, bounds):
        x0, x1, y0, y1 = bounds
        cx0, cx1, cy0, cy1 = self.current
        inside = cx0 <= x0 and x1 <= cx1 and cy0 <= y0 and y1 <= cy1
        used_x = (x1 - x0) / max(cx1 - cx0, 1e-12)
        used_y = (y1 - y0) / max(cy1 - cy0, 1e-12)
        return inside and used_x > 0.5 and used_y > 0.25
