"""Graphics items of the model diagram: node blocks, ports, edges, units, weight lines.

Items only draw and forward user gestures to their DiagramScene; they never change the preset
document themselves, so every change goes through the undo stack in one place. A unit of a
2-D problem shows its output over the input plane (a neuron map, as on TensorFlow Playground);
an Input offering derived features shows all of them, the unused ones dimmed.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import (QBrush, QColor, QFont, QFontMetricsF, QImage, QPainter, QPainterPath,
                           QPainterPathStroker, QPen)
from PySide6.QtWidgets import (QGraphicsEllipseItem, QGraphicsItem, QGraphicsLineItem,
                               QGraphicsObject, QGraphicsPathItem, QGraphicsSimpleTextItem)

from nnplayground.ui.diagram_detail import compact_lines, header_tint, is_compact, type_variants
from nnplayground.ui.diagram_features import InputFeatures
from nnplayground.ui.document import describe

POSITIVE = QColor("#0877bd")     # TensorFlow Playground's blue
NEGATIVE = QColor("#f59322")     # and orange
ERROR = QColor("#d62728")
SELECTED = QColor("#1f6feb")
BORDER = QColor("#5a6270")
FILL = QColor("#ffffff")
MAX_UNITS_DRAWN = 16
NODE_WIDTH = 140        # the presets' columns are 146 px apart at the closest
HEADER_HEIGHT = 110     # five lines of at least TEXT_PT: type, id, settings (two), shape
TEXT_PT = 11         # the smallest text in a block (readable at 100 % zoom)
UNIT_SPACING = 26
UNIT_RADIUS = 11       # a unit's circle, or its neuron map's square (2 * 11 px a side)
OFF_OPACITY = 0.3      # an input feature the network does not get
LANE_CORNER = 12       # scene px: the rounding of a wire that runs back along a lane
COMPACT_PAD = 4        # scene px around a compact block's text
CLICK_SLOP = 3         # px a press may move and still count as a click (not a drag)


def wrap_two(text: str, fm: QFontMetricsF, width: float) -> list[str]:
    """`text` on one line if it fits `width`, else broken after a word onto a second line
    ("256 units," / "sigmoid"): the block's settings are read whole, never elided."""
    if fm.horizontalAdvance(text) <= width or " " not in text:
        return [text]
    words = text.split(" ")
    for k in range(len(words) - 1, 0, -1):
        first = " ".join(words[:k])
        if fm.horizontalAdvance(first) <= width:
            return [first, " ".join(words[k:])]
    return [words[0], " ".join(words[1:])]


def drawn_units(node: dict) -> int:
    """How many unit circles a node shows: Dense and 1-D Inputs up to 16 units, else 0 (block)."""
    p = node.get("params", {})
    if node["type"] == "Dense":
        n = p.get("units")
    elif node["type"] == "Input" and isinstance(p.get("shape"), list) and len(p["shape"]) == 1:
        n = p["shape"][0]
    else:
        return 0
    return n if isinstance(n, int) and 0 < n <= MAX_UNITS_DRAWN else 0


def node_height(node: dict, rows: int | None = None) -> float:
    """A block's height; `rows`: the unit rows it draws when not `drawn_units(node)` (an
    Input showing every feature it could take)."""
    n = drawn_units(node) if rows is None else rows
    return HEADER_HEIGHT + (n * UNIT_SPACING + 8 if n else 0)


def map_image(rgb: np.ndarray) -> QImage:
    """(H, W, 3) uint8, row 0 at the top, as a QImage that owns its pixels."""
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


def weight_pen(value: float, max_abs: float) -> QPen:
    """Width and colour follow magnitude and sign, as in TensorFlow Playground."""
    mag = min(abs(value) / max_abs, 1.0) if max_abs > 0 and math.isfinite(value) else 0.0
    color = QColor(POSITIVE if value >= 0 else NEGATIVE)
    color.setAlpha(int(70 + 185 * mag))
    pen = QPen(color, 0.6 + 5.4 * mag)
    pen.setCapStyle(Qt.RoundCap)
    return pen


class PortItem(QGraphicsEllipseItem):
    """A connection point: `kind` "in" on the left edge, "out" on the right edge.

    Dragging from an output port draws a wire that the scene turns into a connection on release.
    """

    RADIUS = 7

    def __init__(self, node_item: NodeItem, kind: str):
        r = self.RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node_item)
        self.node_item = node_item
        self.kind = kind
        self.setBrush(QBrush(QColor("#ffffff")))
        self.setPen(QPen(BORDER, 2))
        self.setZValue(2)
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CrossCursor if kind == "out" else Qt.ArrowCursor)
        self.setToolTip("Drag from here to a layer's input port to connect" if kind == "out"
                        else "Input port: drop a wire from another layer's output here")

    def hoverEnterEvent(self, event):  # noqa: N802
        self.setBrush(QBrush(SELECTED.lighter(170)))
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):  # noqa: N802
        self.setBrush(QBrush(QColor("#ffffff")))
        super().hoverLeaveEvent(event)

    def mousePressEvent(self, event):  # noqa: N802
        if self.kind == "out" and event.button() == Qt.LeftButton:
            self.scene().begin_connection(self.node_item.node_id, event.scenePos())
            event.accept()
        else:
            event.ignore()

    def mouseMoveEvent(self, event):  # noqa: N802
        self.scene().update_connection(event.scenePos())

    def mouseReleaseEvent(self, event):  # noqa: N802
        self.scene().finish_connection(event.scenePos())


class ButtonItem(QGraphicsSimpleTextItem):
    """A small clickable glyph on a block, e.g. the +/- unit buttons of a Dense layer."""

    def __init__(self, text: str, tip: str, callback, parent):
        super().__init__(text, parent)
        self._callback = callback
        font = QFont()
        font.setPointSize(13)
        font.setBold(True)
        self.setFont(font)
        self.setBrush(QBrush(SELECTED))
        self.setToolTip(tip)
        self.setCursor(Qt.PointingHandCursor)
        self.setZValue(3)

    def mousePressEvent(self, event):  # noqa: N802
        event.accept()

    def mouseReleaseEvent(self, event):  # noqa: N802
        if self.boundingRect().contains(event.pos()):
            self._callback()
        event.accept()


class UnitItem(QGraphicsEllipseItem):
    """One row of a block's units: a circle, or the square of its neuron map once one is set.

    `unit` is its column in the layer's output (W's row or column), None for an input feature
    the network does not get. Hovering tells the scene (the boundary view shows the map large);
    clicks reach the block (`NodeItem.mouseReleaseEvent`), so a unit can be dragged with it.
    """

    def __init__(self, node_item: NodeItem, row: int, x: float = NODE_WIDTH / 2):
        r = UNIT_RADIUS
        super().__init__(-r, -r, 2 * r, 2 * r, node_item)
        self.node_item = node_item
        self.row = row
        self.unit: int | None = row
        self.image: QImage | None = None
        self.map: np.ndarray | None = None      # (GRID, GRID) in [0, 1], row 0 at the bottom
        self.lut: np.ndarray | None = None      # (256, 3) the colours `map` is drawn in
        self.setPos(x, HEADER_HEIGHT + 4 + UNIT_SPACING * (row + 0.5))
        self.setBrush(QBrush(QColor("#f3f6fa")))
        self.setPen(QPen(BORDER, 1.5))
        self.setZValue(1)
        self.setAcceptHoverEvents(True)

    def set_map(self, values: np.ndarray | None, rgb: np.ndarray | None,
                lut: np.ndarray | None) -> None:
        """The unit's map: `values` and their colour table `lut` for the boundary view, `rgb`
        (H, W, 3) drawn here."""
        if values is self.map:        # the same arrays (the Input's, between datasets)
            return
        self.map, self.lut = values, lut
        self.image = None if rgb is None else map_image(rgb)
        self.update()

    def paint(self, painter: QPainter, option, widget=None) -> None:
        if self.image is None:
            super().paint(painter, option, widget)
            return
        painter.setRenderHint(QPainter.SmoothPixmapTransform)
        rect = self.rect()
        painter.drawImage(rect, self.image)
        painter.setPen(self.pen())
        painter.setBrush(Qt.NoBrush)
        painter.drawRect(rect)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRect(self.rect())
        return path

    def hoverEnterEvent(self, event):  # noqa: N802
        self.node_item.unit_hovered(self, True)
        super().hoverEnterEvent(event)

    def hoverLeaveEvent(self, event):  # noqa: N802
        self.node_item.unit_hovered(self, False)
        super().hoverLeaveEvent(event)


class NodeItem(QGraphicsObject):
    """One layer of the network: a block with type, settings and output shape.

    Dense layers (and 1-D inputs) of up to 16 units show each unit (`UnitItem`), so the weight
    lines between blocks can be drawn unit to unit. An Input given `InputFeatures` shows a row
    for every feature the data can take: `rows` are all of them, `units` those the network gets
    (W's rows, in order). `problem` (a message) turns the block red. A click (press and release
    without a drag) on a unit goes to the scene's `unit_clicked`.
    """

    def __init__(self, node: dict, features: InputFeatures | None = None):
        super().__init__()
        self.node_id = node["id"]
        self.node: dict = {}
        self.out_shape = None
        self.problem: str | None = None
        self.is_output = False
        self.rows: list[UnitItem] = []      # every unit row drawn, top to bottom
        self.units: list[UnitItem] = []     # the layer's units in output order (W's rows)
        self.features: InputFeatures | None = None
        self.unit_values: list[float] = []  # what the tooltips show (biases, or deltas)
        self.biases: list[float] = []       # the live model's, from the newest snapshot
        self._labels: list[QGraphicsSimpleTextItem] = []
        self._press: QPointF | None = None
        self.buttons: list[ButtonItem] = []
        self.setFlags(QGraphicsItem.ItemIsMovable | QGraphicsItem.ItemIsSelectable
                      | QGraphicsItem.ItemSendsGeometryChanges)
        self.in_port = PortItem(self, "in")
        self.out_port = PortItem(self, "out")
        self.set_node(node, features)

    # -- geometry ---------------------------------------------------------------------------
    def height(self) -> float:
        return node_height(self.node, len(self.rows))

    def boundingRect(self) -> QRectF:  # noqa: N802
        return QRectF(-2, -2, NODE_WIDTH + 4, self.height() + 4)

    def unit_scene_pos(self, i: int) -> QPointF:
        return self.mapToScene(self.units[i].pos())

    def in_scene_pos(self) -> QPointF:
        return self.mapToScene(self.in_port.pos())

    def out_scene_pos(self) -> QPointF:
        return self.mapToScene(self.out_port.pos())

    # -- state --------------------------------------------------------------------------------
    def set_node(self, node: dict, features: InputFeatures | None = None) -> None:
        """Takes the node's current document entry (and, for an Input, the features its data
        can take); rebuilds the unit rows only if their count changed."""
        self.prepareGeometryChange()
        self.node, self.features = node, features
        self.setPos(QPointF(*node.get("pos", [0, 0])))
        n = len(features.choices) if features is not None else drawn_units(node)
        if n != len(self.rows):
            for item in self.rows:
                self._remove_child(item)
            # an Input's units right of centre: its feature names go on their left
            x = NODE_WIDTH * (0.62 if node["type"] == "Input" else 0.5)
            self.rows = [UnitItem(self, row, x) for row in range(n)]
            self.unit_values, self.biases = [], []
        h = self.height()
        self.in_port.setPos(0, h / 2)
        self.out_port.setPos(NODE_WIDTH, h / 2)
        self.in_port.setVisible(node["type"] != "Input")
        self.units = (list(self.rows) if features is None
                      else [self.rows[row] for row in features.rows_of_units()])
        for row in self.rows:
            row.unit = self.units.index(row) if row in self.units else None
            row.setOpacity(1.0 if row.unit is not None else OFF_OPACITY)
        if features is not None:
            self.set_unit_labels(features.choices)
        self._unit_tooltips()
        self._make_buttons()
        self._update_tooltip()
        self.apply_detail()

    @staticmethod
    def _remove_child(item: QGraphicsItem) -> None:
        if item.scene() is not None:
            item.scene().removeItem(item)
        else:
            item.setParentItem(None)

    def _unit_tooltips(self, what: str = "bias") -> None:
        """What a unit is, its number from the last snapshot, and what a click does."""
        for row in self.rows:
            if self.features is not None:
                name = self.features.choices[row.row]
                if row.unit is None:
                    tip = f"Input feature {name}: off. Click to feed it to the network"
                elif len(self.units) == 1:
                    tip = (f"Input feature {name}: on, and the last one (the network needs "
                           "an input): turn another on to turn it off")
                else:
                    tip = f"Input feature {name}: on. Click to turn it off"
            else:
                tip = f"{self.node_id} unit {row.unit}"
                if row.unit < len(self.unit_values):
                    tip += f": {what} {self.unit_values[row.unit]:+.4f}"
                if self.node["type"] == "Dense" and what == "bias":
                    tip += "\nClick to type its bias"
            row.setToolTip(tip)

    def _make_buttons(self) -> None:
        for b in self.buttons:
            if b.scene() is not None:
                b.scene().removeItem(b)
            else:
                b.setParentItem(None)
        self.buttons = []
        if self.node["type"] != "Dense":
            return
        minus = ButtonItem("\u2212", "Remove a unit from this layer",
                           lambda: self.scene().change_units(self.node_id, -1), self)
        plus = ButtonItem("+", "Add a unit to this layer",
                          lambda: self.scene().change_units(self.node_id, +1), self)
        minus.setPos(NODE_WIDTH - 40, 1)
        plus.setPos(NODE_WIDTH - 19, 1)
        self.buttons = [minus, plus]

    def set_status(self, shape, problem: str | None, is_output: bool) -> None:
        self.out_shape, self.problem, self.is_output = shape, problem, is_output
        self._update_tooltip()
        self.update()

    def set_unit_values(self, values, what: str = "bias") -> None:
        """The units' numbers (biases from the newest snapshot), shown in their tooltips."""
        self.unit_values = [float(v) for v in values]
        if what == "bias":
            self.biases = list(self.unit_values)
        self._unit_tooltips(what)

    def set_unit_maps(self, maps: list) -> None:
        """`maps[row]`: (values, rgb, lut) or None for each unit row (see `UnitItem.set_map`)."""
        for row, entry in zip(self.rows, maps):
            row.set_map(*(entry or (None, None, None)))

    def unit_hovered(self, row: UnitItem, entered: bool) -> None:
        if self.scene() is not None:
            self.scene().unit_hovered(self.node_id, row, entered)

    def row_at(self, scene_pos: QPointF) -> UnitItem | None:
        for row in self.rows:
            if row.contains(row.mapFromScene(scene_pos)):
                return row
        return None

    # -- clicks: press and release on the same spot ---------------------------------------
    def mousePressEvent(self, event):  # noqa: N802
        self._press = event.scenePos() if event.button() == Qt.LeftButton else None
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event):  # noqa: N802
        super().mouseReleaseEvent(event)
        press, self._press = self._press, None
        if (press is None or event.button() != Qt.LeftButton or event.modifiers()
                or (event.scenePos() - press).manhattanLength() > CLICK_SLOP):
            return
        row = self.row_at(event.scenePos())
        if row is not None and self.scene() is not None:
            self.scene().unit_clicked(self.node_id, row, event.scenePos())

    def _update_tooltip(self) -> None:
        if self.problem:
            self.setToolTip(self.problem)
        else:
            shape = "?" if self.out_shape is None else "(" + ", ".join(map(str, self.out_shape)) + ")"
            self.setToolTip(f"{self.node_id}: {self.node['type']} {describe(self.node)}\n"
                            f"output shape {shape}\nDrag to move; right-click for more")

    def shape_text(self) -> str:
        """Compact output shape: '→ (4)' for vectors, '→ 8×28×28' for images."""
        if self.out_shape is None:
            return "shape ?"
        if len(self.out_shape) == 1:
            return f"\u2192 ({self.out_shape[0]})"
        return "\u2192 " + "\u00d7".join(map(str, self.out_shape))

    def set_unit_labels(self, names) -> None:
        """Feature names beside an Input's unit rows (x1, x2, sin(x1)...), as on the
        Playground; an unused feature's name is dimmed with its unit."""
        for label in self._labels:
            self._remove_child(label)
        self._labels = []
        if len(names) != len(self.rows):
            return
        for circle, name in zip(self.rows, names):
            label = QGraphicsSimpleTextItem(str(name), self)
            label.setBrush(QBrush(QColor("#3b4252")))
            label.setOpacity(1.0 if circle.unit is not None else OFF_OPACITY + 0.15)
            self._labels.append(label)
        self.apply_detail()

    def _place_labels(self, pt: float, compact: bool) -> None:
        """The feature names at `pt` points, right-aligned left of their units. Compact, at the
        readable size, they show only if each fits its row and the room left of its unit."""
        font = QFont()
        font.setPointSizeF(pt)
        fm = QFontMetricsF(font)
        fits = not compact or (fm.height() <= UNIT_SPACING and all(
            fm.horizontalAdvance(label.text()) <= circle.pos().x() - UNIT_RADIUS - 6
            for circle, label in zip(self.rows, self._labels)))
        for circle, label in zip(self.rows, self._labels):
            label.setVisible(fits)
            if fits:
                label.setFont(font)
                rect = label.boundingRect()
                label.setPos(circle.pos().x() - UNIT_RADIUS - 4 - rect.width(),
                             circle.pos().y() - rect.height() / 2)

    # -- painting -----------------------------------------------------------------------------
    def paint(self, painter: QPainter, option, widget=None) -> None:
        rect = QRectF(0, 0, NODE_WIDTH, self.height())
        painter.setRenderHint(QPainter.Antialiasing)
        color = ERROR if self.problem else (SELECTED if self.isSelected() else BORDER)
        width = 3 if (self.problem or self.isSelected()) else (2.5 if self.is_output else 1.5)
        painter.setPen(QPen(color, width))
        painter.setBrush(QBrush(QColor("#fdecea") if self.problem else FILL))
        painter.drawRoundedRect(rect, 8, 8)
        header = QPainterPath()
        header.addRoundedRect(QRectF(1, 1, NODE_WIDTH - 2, HEADER_HEIGHT - 2), 7, 7)
        painter.fillPath(header, QColor("#fbd5d1") if self.problem
                         else header_tint(self.node["type"]))
        x, y = (COMPACT_PAD, COMPACT_PAD) if self.compact() else (8, 3)
        for text, font, width, colour in self.text_lines(with_colours=True):
            painter.setFont(font)
            painter.setPen(colour)
            height = painter.fontMetrics().height() + 2
            painter.drawText(QRectF(x, y, width, height), Qt.AlignLeft | Qt.AlignVCenter,
                             painter.fontMetrics().elidedText(text, Qt.ElideRight, int(width)))
            y += height

    def detail(self) -> tuple[float, float]:
        """(zoom, readable point size on screen) of the view showing the block: (1, TEXT_PT)
        without one. The view's `text_scale` is the zoom at which TEXT_PT is readable."""
        views = self.scene().views() if self.scene() is not None else []
        if not views:
            return 1.0, TEXT_PT
        view = views[0]
        return view.transform().m11(), TEXT_PT * getattr(view, "text_scale", 1.0)

    def compact(self) -> bool:
        """Zoomed out below readable block text: the block shows its compact lines."""
        zoom, readable = self.detail()
        return is_compact(zoom, TEXT_PT, readable)

    def name_hidden(self) -> bool:
        """Compact, with no room left for even the shortest name of its type: only its
        header's tint says what it is (the diagram's key then names the tints)."""
        if not self.compact():
            return False
        names = type_variants(self.node)
        return not any(line[0] in names for line in self.text_lines())

    def apply_detail(self) -> None:
        """The +/- buttons only on a full block; an Input's feature names at the readable size
        where they fit (else hidden, their units' tooltips name them); the units and their
        maps at every zoom."""
        zoom, readable = self.detail()
        compact = is_compact(zoom, TEXT_PT, readable)
        for button in self.buttons:
            button.setVisible(not compact)
        self._place_labels(readable / zoom if compact else TEXT_PT, compact)
        self.update()

    def text_lines(self, with_colours=False) -> list[tuple]:
        """The block's lines as drawn, (text, font, width available[, colour]), top to bottom.

        At a readable zoom every line is at least TEXT_PT points; zoomed out further (a fit of
        a wide network) the compact lines, each at the readable size on screen, so no text a
        block draws is smaller than readable from the back of a room.
        """
        if self.compact():
            zoom, readable = self.detail()
            lines = compact_lines(self.node, self.out_shape, bool(self.problem),
                                  readable / zoom, NODE_WIDTH - 2 * COMPACT_PAD,
                                  HEADER_HEIGHT - 2 * COMPACT_PAD)
            return lines if with_colours else [line[:3] for line in lines]
        right = 44 if self.node["type"] == "Dense" else 10
        width = NODE_WIDTH - 14
        settings = QFont()
        settings.setPointSize(TEXT_PT)
        lines = [   # (text, point size, bold, colour, width)
            (self.node["type"], TEXT_PT + 2, True, QColor("#1d2330"), NODE_WIDTH - 8 - right),
            (self.node_id + (" (output)" if self.is_output else ""), TEXT_PT, False,
             QColor("#6b7280"), width),
            *[(part, TEXT_PT, False, QColor("#3b4252"), width)
              for part in wrap_two(describe(self.node), QFontMetricsF(settings), width)],
            (self.shape_text(), TEXT_PT, True, ERROR if self.problem else QColor("#2b5797"),
             width),
        ]
        out = []
        for text, size, bold, colour, width in lines:
            font = QFont()
            font.setPointSize(size)
            font.setBold(bold)
            out.append((text, font, width, colour) if with_colours else (text, font, width))
        return out

    def itemChange(self, change, value):  # noqa: N802
        if change == QGraphicsItem.ItemPositionHasChanged and self.scene() is not None:
            self.scene().node_moved(self.node_id)
        return super().itemChange(change, value)


def rounded_path(points: list[QPointF], radius: float) -> QPainterPath:
    """Straight segments through `points`, each corner rounded with up to `radius`."""
    path = QPainterPath(points[0])
    for prev, corner, nxt in zip(points, points[1:], points[2:]):
        into, out = QLineF(corner, prev), QLineF(corner, nxt)
        r = min(radius, into.length() / 2, out.length() / 2)
        if r <= 0:
            path.lineTo(corner)
            continue
        path.lineTo(into.pointAt(r / into.length()))
        path.quadTo(corner, out.pointAt(r / out.length()))
    path.lineTo(points[-1])
    return path


class EdgeItem(QGraphicsPathItem):
    """A connection src -> dst drawn as a curve between ports; select it and press Delete."""

    def __init__(self, src: str, dst: str):
        super().__init__()
        self.src, self.dst = src, dst
        self.setFlag(QGraphicsItem.ItemIsSelectable)
        self.setZValue(-2)
        self.setToolTip(f"{src} \u2192 {dst}\nSelect and press Delete (or right-click) to disconnect")
        self._faint = False

    def set_faint(self, faint: bool) -> None:
        """Faint when unit-to-unit weight lines already show this connection."""
        self._faint = faint
        self.update_pen()

    def update_pen(self) -> None:
        if self.isSelected():
            self.setPen(QPen(SELECTED, 4))
        else:
            self.setPen(QPen(QColor(150, 160, 175, 90 if self._faint else 255), 2.5))

    def set_ends(self, a: QPointF, b: QPointF, lane: float | None = None) -> None:
        """A curve from port a to port b; with `lane` (a y between rows of blocks), a wire
        back to the left: out to the right of a, along the lane, into b from the left, as a
        wrapped chain's wire from the end of a row to the start of the next."""
        if lane is None:
            path = QPainterPath(a)
            dx = max(40.0, abs(b.x() - a.x()) / 2)
            path.cubicTo(QPointF(a.x() + dx, a.y()), QPointF(b.x() - dx, b.y()), b)
        else:
            out, into = a.x() + 2 * LANE_CORNER, b.x() - 2 * LANE_CORNER
            path = rounded_path([a, QPointF(out, a.y()), QPointF(out, lane),
                                 QPointF(into, lane), QPointF(into, b.y()), b], LANE_CORNER)
        self.setPath(path)

    def shape(self) -> QPainterPath:
        """A 12 px wide hit area so a thin curve is easy to click. The path is kept on self:
        Qt holds a reference to the returned path, which Python must not free."""
        stroker = QPainterPathStroker()
        stroker.setWidth(12)
        self._shape = stroker.createStroke(self.path())
        return self._shape

    def itemChange(self, change, value):  # noqa: N802
        if change == QGraphicsItem.ItemSelectedHasChanged:
            self.update_pen()
        return super().itemChange(change, value)


class WeightLine(QGraphicsLineItem):
    """One weight W[i, j] between unit i of the source and unit j of a Dense layer."""

    def __init__(self, src: str, dst: str, i: int, j: int):
        super().__init__()
        self.key = (src, dst, i, j)
        self.value: float | None = None     # what it shows (a weight, or a gradient)
        self.weight: float | None = None    # the live model's, from the newest snapshot
        self.setZValue(0.5)    # over the blocks' bodies, ending at the unit circles' rims
        self.setAcceptHoverEvents(True)
        self.setPen(QPen(QColor(150, 160, 175, 120), 1))
        self.setToolTip(f"weight {dst}.W[{i}, {j}]: not trained yet")
        self._press: QPointF | None = None

    def set_value(self, value: float, max_abs: float, what: str = "weight") -> None:
        self.value = value
        if what == "weight":
            self.weight = value
        self.setPen(weight_pen(value, max_abs))
        src, dst, i, j = self.key
        self.setToolTip(f"{what} {dst}.W[{i}, {j}] = {value:+.4f}"
                        + ("\nClick to type another value" if what == "weight" else ""))

    def mousePressEvent(self, event):  # noqa: N802
        if event.button() == Qt.LeftButton and not event.modifiers():
            self._press = event.scenePos()
            event.accept()
        else:
            event.ignore()

    def mouseReleaseEvent(self, event):  # noqa: N802
        press, self._press = self._press, None
        if press is not None and (event.scenePos() - press).manhattanLength() <= CLICK_SLOP \
                and self.scene() is not None:
            self.scene().weight_clicked(self, event.scenePos())
        event.accept()

    def shape(self) -> QPainterPath:
        """At least 6 px wide for hovering; kept on self for the same reason as EdgeItem's."""
        path = QPainterPath(self.line().p1())
        path.lineTo(self.line().p2())
        stroker = QPainterPathStroker()
        stroker.setWidth(max(6.0, self.pen().widthF()))
        self._shape = stroker.createStroke(path)
        return self._shape
