"""The model diagram: a scene mirroring the document's graph, and the view that shows it.

The scene rebuilds nothing on its own: it re-syncs from the document after every change, and
turns gestures (drop from the palette, port drags, moves, +/- clicks, Delete, a click on an
input feature) into document edits through `DocumentModel.edit`, so each one is a single undo
step. Weight lines are created when the graph changes and only restyled when a training
snapshot arrives, as are the units' neuron maps (2-D data).

A click on a weight line or on a Dense unit asks for a number (`value_edit_requested`; the
view opens a small editor there); the typed value goes to the live model through the
`send_parameter` the scene was given (the worker's `set_parameter`), as an undo step whose
undo sends the old value. The scene never writes a model's numbers itself.
"""

from __future__ import annotations

import copy
import html
from collections.abc import Callable, Mapping

import numpy as np
from PySide6.QtCore import QLineF, QPointF, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import (QApplication, QGraphicsLineItem, QGraphicsScene, QGraphicsView,
                               QLabel, QMenu)

from nnplayground.ui import document as D
from nnplayground.ui.diagram_detail import header_tint, kind_name
from nnplayground.ui.diagram_features import InputFeatures, input_features, toggle_feature
from nnplayground.ui.diagram_items import (LANE_CORNER, NODE_WIDTH, UNIT_RADIUS, EdgeItem,
                                           TEXT_PT, NodeItem, PortItem, UnitItem, WeightLine,
                                           drawn_units, node_height)
from nnplayground.ui.neuron_maps import UnitMap, feature_maps, layer_maps
from nnplayground.ui.undo import DocumentModel
from nnplayground.ui.validation import GraphStatus
from nnplayground.ui.value_editor import ParameterCommand, ValueEditor
from nnplayground.worker import snapshot as S
from nnplayground.worker.live import ParameterEdit

# {node_id: {"W": array, "b": array, ...}}: a snapshot's weights, or what the step-through shows
LayerArrays = Mapping[str, Mapping[str, np.ndarray]]

LAYER_MIME = "application/x-nnplayground-layer"
COLUMN = 160            # scene px between the automatic layout's columns (blocks are 140)
FIT_MARGIN = 20         # scene px around the network, in a fit and in the scrollable area
MAX_FIT_ZOOM = 1.25     # a small network is fitted up to 1.25 times the readable zoom


def _rim_to_rim(p: QPointF, q: QPointF) -> QLineF:
    """The segment between two unit circles, without the parts inside them."""
    line = QLineF(p, q)
    length = line.length()
    if length <= 2 * UNIT_RADIUS:
        return line
    t = UNIT_RADIUS / length
    return QLineF(line.pointAt(t), line.pointAt(1 - t))


class DiagramScene(QGraphicsScene):
    """Mirrors `model.doc["model"]`. `status_message(str)` reports refused gestures."""

    status_message = Signal(str)
    code_requested = Signal(str)        # "Show code" of a block: its node id
    value_edit_requested = Signal(object, object)   # ParameterEdit (current value), QPointF
    unit_map_shown = Signal(object, object)   # the hovered unit's map: (GRID, GRID) in
                                              # [0, 1] and its (256, 3) colour table
    unit_map_hidden = Signal()          # the mouse left it
    parts = frozenset({S.VIEW_UNITS})   # what the snapshots must carry for the neuron maps

    def __init__(self, model: DocumentModel, parent=None,
                 send_parameter: Callable[[ParameterEdit], None] | None = None):
        super().__init__(parent)
        self.model = model
        self.send_parameter = send_parameter
        self._feature_maps: dict[str, UnitMap] = {}
        self._layer_maps: dict[str, list[UnitMap]] = {}
        self._hovered: tuple[str, int] | None = None   # (node id, row) under the mouse
        self._looking_back = False      # the views show a moment of the training history
        self.nodes: dict[str, NodeItem] = {}
        self.edges: dict[tuple[str, str], EdgeItem] = {}
        self.weight_lines: dict[tuple[str, str], list[list[WeightLine]]] = {}
        self.status = GraphStatus()
        self._wire: QGraphicsLineItem | None = None
        self._wire_src: str | None = None
        self._syncing = False
        self.setBackgroundBrush(QColor("#f7f9fc"))
        self.selectionChanged.connect(self._on_selection_changed)

    # -- syncing from the document ----------------------------------------------------------
    def sync(self, status: GraphStatus | None = None) -> None:
        """Makes the items match the document.

        Order matters: connections that no longer fit the new document (an end removed, a unit
        count changed) go first, so that moving or rebuilding a block never meets a weight line
        that points at units which are gone. Lines are placed once, at the end.
        """
        if status is not None:
            self.status = status
        self._syncing = True
        try:
            model = self.model.doc["model"]
            features = input_features(self.model.doc)
            wanted = self._placed_nodes(features)
            self._drop_stale_connections(wanted)
            for node_id in [n for n in self.nodes if n not in wanted]:
                self._discard(self.nodes.pop(node_id))
            ends = D.sinks(self.model.doc)
            output = model.get("output") or (ends[0] if len(ends) == 1 else None)
            for node_id, node in wanted.items():
                item = self.nodes.get(node_id)
                shown = features if node["type"] == "Input" else None
                if item is None:
                    item = self.nodes[node_id] = NodeItem(node, shown)
                    self.addItem(item)
                elif item.node != node or item.features != shown:
                    item.set_node(node, shown)
                item.set_status(self.status.shapes.get(node_id), self.status.for_node(node_id),
                                node_id == output)
                if node["type"] == "Input" and shown is None:
                    item.set_unit_labels(self.model.doc.get("dataset", {}).get("features")
                                         or ["x1", "x2"][:len(item.units)])
            self._add_connections(wanted)
            self._draw_maps()
        finally:
            self._syncing = False
        self._place_edges()
        self.detail_changed()
        self.bound()

    def detail_changed(self) -> None:
        """The view's zoom or readable size changed: blocks turn compact or full."""
        for item in self.nodes.values():
            item.apply_detail()
        for view in self.views():
            if isinstance(view, DiagramView):
                view.update_key()

    def bound(self, shrink: bool = False) -> None:
        """The scrollable area: the network and a margin. It grows with an edit or a drag
        (shrinking then would shift what is on screen); a fit shrinks it too, so no block
        of an earlier document leaves scroll bars behind."""
        rect = self.itemsBoundingRect().adjusted(-FIT_MARGIN, -FIT_MARGIN, FIT_MARGIN,
                                                 FIT_MARGIN)
        self.setSceneRect(rect if shrink else rect.united(self.sceneRect()))

    def _heights(self, features: InputFeatures | None) -> dict[str, float]:
        """Each block's height as drawn (an Input with features has a row for each)."""
        return {n["id"]: node_height(n, len(features.choices) if features is not None
                                     and n["type"] == "Input" else None)
                for n in self.model.doc["model"]["nodes"]}

    def view_aspect(self) -> float | None:
        """Width / height of the view showing the scene (None before it has a size): what
        the automatic layout wraps a long chain into rows for."""
        for view in self.views():
            size = view.viewport().size()
            if size.width() > 0 and size.height() > 0:
                return size.width() / size.height()
        return None

    def _tidy(self, doc: dict, features: InputFeatures | None) -> None:
        D.tidy_layout(doc, self._heights(features), column=COLUMN, block=NODE_WIDTH,
                      margin=FIT_MARGIN + PortItem.RADIUS, aspect=self.view_aspect())

    def is_automatic(self) -> bool:
        """Some block has no position in the document: the layout is the automatic one."""
        return any("pos" not in n for n in self.model.doc["model"]["nodes"])

    def relayout(self) -> None:
        """The view changed shape: an automatic layout wraps again (the picture only)."""
        if self.is_automatic():
            self.sync()

    def _place_shown(self, doc: dict) -> None:
        """Writes where the automatic layout shows each block without a position: a gesture
        that places a block (a drag, a drop, a copy) makes the picture the user's layout,
        so nothing moves by itself afterwards."""
        shown = {node_id: (item.pos().x(), item.pos().y())
                 for node_id, item in self.nodes.items()}
        D.move_nodes(doc, {n["id"]: shown[n["id"]] for n in doc["model"]["nodes"]
                           if "pos" not in n and n["id"] in shown})

    def _placed_nodes(self, features: InputFeatures | None) -> dict:
        """{id: node}; a node without a "pos" (optional in a preset; the built-in ones leave
        it out) gets the one Tidy layout would give it in this view: left to right by depth,
        a long chain wrapped into rows. Only the picture: the document gets positions when
        a block is first placed (dragged, dropped, copied) or the layout tidied."""
        nodes = self.model.doc["model"]["nodes"]
        if all("pos" in n for n in nodes):
            return {n["id"]: n for n in nodes}
        tidied = copy.deepcopy(self.model.doc)
        self._tidy(tidied, features)
        auto = {n["id"]: n["pos"] for n in tidied["model"]["nodes"]}
        return {n["id"]: n if "pos" in n else {**n, "pos": auto[n["id"]]} for n in nodes}

    def _discard(self, item) -> None:
        """Removes an item for good: removeItem hands it back to Python, and with the last
        reference gone here (callers pop it first) it is deleted with its children."""
        if item.scene() is self:
            self.removeItem(item)

    @staticmethod
    def _wanted_edges(nodes: dict) -> set[tuple[str, str]]:
        return {(src, n["id"]) for n in nodes.values() for src in n["inputs"] if src in nodes}

    def _drop_stale_connections(self, nodes: dict) -> None:
        """Edges and weight lines the new document does not have, or has with other sizes."""
        wanted = self._wanted_edges(nodes)
        for key in [k for k in self.edges if k not in wanted]:
            self._discard(self.edges.pop(key))
        for key in list(self.weight_lines):
            src, dst = key
            if key not in wanted or not self._draws_weights(nodes, src, dst) or \
                    self._line_dims(key) != (drawn_units(nodes[src]), drawn_units(nodes[dst])):
                for row in self.weight_lines.pop(key):
                    for line in row:
                        self._discard(line)

    def _add_connections(self, nodes: dict) -> None:
        """Edges and weight lines the document has and the scene does not have yet."""
        wanted = self._wanted_edges(nodes)
        for key in wanted:
            if key not in self.edges:
                self.edges[key] = EdgeItem(*key)
                self.addItem(self.edges[key])
        for src, dst in wanted:
            if (src, dst) not in self.weight_lines and self._draws_weights(nodes, src, dst):
                rows = [[WeightLine(src, dst, i, j) for j in range(drawn_units(nodes[dst]))]
                        for i in range(drawn_units(nodes[src]))]
                for row in rows:
                    for line in row:
                        self.addItem(line)
                self.weight_lines[(src, dst)] = rows
        for key, edge in self.edges.items():
            edge.set_faint(key in self.weight_lines)

    def _line_dims(self, key) -> tuple[int, int]:
        rows = self.weight_lines[key]
        return len(rows), len(rows[0]) if rows else 0

    @staticmethod
    def _draws_weights(nodes: dict, src: str, dst: str) -> bool:
        """Unit-to-unit lines only where W is exactly (src units, dst units)."""
        d = nodes[dst]
        return (d["type"] == "Dense" and len(d["inputs"]) == 1 and drawn_units(d) > 0
                and drawn_units(nodes[src]) > 0)

    def _place_edges(self, node_id: str | None = None) -> None:
        """Puts the wires of `node_id` (None: of every block) between their ends."""
        for (src, dst), edge in self.edges.items():
            if node_id in (None, src, dst):
                a, b = self.nodes[src], self.nodes[dst]
                edge.set_ends(a.out_scene_pos(), b.in_scene_pos(), self._lane(a, b))
        for (src, dst), rows in self.weight_lines.items():
            if node_id in (None, src, dst):
                a, b = self.nodes[src], self.nodes[dst]
                for i, row in enumerate(rows):
                    for j, line in enumerate(row):
                        line.setLine(_rim_to_rim(a.unit_scene_pos(i), b.unit_scene_pos(j)))

    def _lane(self, src: NodeItem, dst: NodeItem) -> float | None:
        """Where a wire back to the left runs (None: it runs forward, as a curve): the gap
        between blocks it spans nearest the middle of its two ends (between two rows of a
        wrapped chain, not through a tall block of either), else above or below them all."""
        if dst.in_scene_pos().x() >= src.out_scene_pos().x():
            return None
        left = dst.in_scene_pos().x() - 2 * LANE_CORNER
        right = src.out_scene_pos().x() + 2 * LANE_CORNER
        spans = sorted((r.top(), r.bottom()) for r in
                       (item.sceneBoundingRect() for item in self.nodes.values())
                       if r.right() > left and r.left() < right)
        lanes = [spans[0][0] - 2 * LANE_CORNER]
        bottom = spans[0][1]
        for top, end in spans[1:]:
            if top > bottom:
                lanes.append((bottom + top) / 2)
            bottom = max(bottom, end)
        lanes.append(bottom + 2 * LANE_CORNER)
        middle = (src.out_scene_pos().y() + dst.in_scene_pos().y()) / 2
        return min(lanes, key=lambda y: abs(y - middle))

    def node_moved(self, node_id: str) -> None:
        """A block was dragged (or set_node moved it): its wires follow. During sync the
        scene is half-updated, so sync places every wire itself once it is done."""
        if not self._syncing:
            self._place_edges(node_id)

    # -- weights from training snapshots -------------------------------------------------------
    def set_weights(self, weights: LayerArrays, what: str = "weight",
                    unit_what: str = "bias") -> None:
        """Restyles the existing weight lines from `weights[node_id]["W"]` (shape (in, out)).
        `what` / `unit_what` name the numbers in the tooltips (the back-propagation
        step-through shows gradients this way: "dL/dW", "delta")."""
        arrays = {}
        for (src, dst), rows in self.weight_lines.items():
            w = weights.get(dst, {}).get("W")
            if w is not None and np.shape(w) == (len(rows), len(rows[0]) if rows else 0):
                arrays[(src, dst)] = np.asarray(w, dtype=float)
        finite = [np.abs(w[np.isfinite(w)]).max() for w in arrays.values() if np.isfinite(w).any()]
        max_abs = max(finite, default=1.0) or 1.0
        for key, w in arrays.items():
            for i, row in enumerate(self.weight_lines[key]):
                for j, line in enumerate(row):
                    line.set_value(float(w[i, j]), max_abs, what)
        for node_id, item in self.nodes.items():
            b = weights.get(node_id, {}).get("b")
            if b is not None and item.units and np.ndim(b) == 1:
                item.set_unit_values(np.asarray(b), unit_what)

    # -- neuron maps (2-D data) -----------------------------------------------------------------
    def set_dataset(self, info: S.DatasetInfo | None) -> None:
        """The data of the run (None: no run): the Input's feature maps, computed once; the
        layers' maps wait for the run's first snapshot."""
        self._feature_maps = feature_maps(info)
        self._layer_maps = {}
        self._looking_back = False
        self._draw_maps()

    def set_maps(self, snapshot: S.Snapshot) -> None:
        """Each unit's map from a snapshot: its `units` (the Hidden units view's data) and, for
        the output, its `boundary` (one unit's output, or every class's probability). A
        hovered unit's large map follows."""
        self._looking_back = snapshot.replay
        output = next((i for i in self.nodes.values() if i.is_output), None)
        self._layer_maps = layer_maps(snapshot.units, snapshot.boundary,
                                      None if output is None else output.node_id,
                                      snapshot.task,
                                      0 if output is None else len(output.rows))
        self._draw_maps()

    def _draw_maps(self) -> None:
        for node_id, item in self.nodes.items():
            if item.features is not None:
                item.set_unit_maps([self._feature_maps.get(name)
                                    for name in item.features.choices])
            else:
                maps = self._layer_maps.get(node_id, [])
                item.set_unit_maps(maps if len(maps) == len(item.rows) else
                                   [None] * len(item.rows))
        if self._hovered is not None:
            self._show_hovered()

    def unit_hovered(self, node_id: str, row: UnitItem, entered: bool) -> None:
        """The mouse entered or left a unit: its map large in the boundary view, or no more."""
        if entered:
            self._hovered = (node_id, row.row)
            self._show_hovered()
        elif self._hovered == (node_id, row.row):
            self._hovered = None
            self.unit_map_hidden.emit()

    def _show_hovered(self) -> None:
        node_id, r = self._hovered
        item = self.nodes.get(node_id)
        row = item.rows[r] if item is not None and r < len(item.rows) else None
        if row is not None and row.map is not None:
            self.unit_map_shown.emit(row.map, row.lut)
        else:
            if row is None:         # gone with its block or layer size, under the mouse
                self._hovered = None
            self.unit_map_hidden.emit()

    # -- clicks on units and weights ---------------------------------------------------------
    def unit_clicked(self, node_id: str, row: UnitItem, pos: QPointF) -> None:
        """An input feature turns on or off; a Dense unit's bias is asked for."""
        item = self.nodes[node_id]
        if item.features is not None:
            self.toggle_feature(item.features.choices[row.row])
        elif item.node["type"] == "Dense" and row.unit is not None:
            value = item.biases[row.unit] if row.unit < len(item.biases) else None
            self._ask_value(ParameterEdit(node_id, "b", (row.unit,), value), pos)

    def weight_clicked(self, line: WeightLine, pos: QPointF) -> None:
        _src, dst, i, j = line.key
        self._ask_value(ParameterEdit(dst, "W", (i, j), line.weight), pos)

    def _ask_value(self, edit: ParameterEdit, pos: QPointF) -> None:
        if self.send_parameter is None:
            self.status_message.emit("Training is not available, so there is no model whose "
                                     "numbers could be set")
        elif self._looking_back:
            self.status_message.emit("These are the numbers of an earlier moment of the "
                                     "training: press Continue from here (or Play) to set "
                                     "one in the live model")
        elif edit.value is None:
            self.status_message.emit(f"{edit.describe()} has no value yet: it gets one when "
                                     "the worker has built this network (once the diagram "
                                     "shows no problems)")
        else:
            self.value_edit_requested.emit(edit, pos)

    def set_parameter(self, edit: ParameterEdit, old: float) -> None:
        """Sends a typed weight or bias to the live model as one undo step."""
        if self.send_parameter is not None:
            self.model.undo_stack.push(ParameterCommand(self.send_parameter, edit, old))

    def toggle_feature(self, name: str) -> None:
        """Feeds input feature `name` to the network, or stops feeding it (one undo step;
        the Input's width follows, and the worker rebuilds as after any structural edit)."""
        features = input_features(self.model.doc)
        on = features is not None and name in features.on
        try:
            self.model.edit(f"Input feature {name} {'off' if on else 'on'}",
                            lambda d: toggle_feature(d, name))
        except ValueError as exc:
            self.status_message.emit(str(exc))

    # -- gestures -> document edits ------------------------------------------------------------
    def add_layer(self, node_type: str, pos: QPointF) -> str:
        """The code path of a palette drop and of the context menu's Add layer."""
        if node_type == "Input" and any(n["type"] == "Input" for n in self.model.doc["model"]["nodes"]):
            self.status_message.emit("A network has exactly one Input; this one already has it")
            return ""

        def add(d):
            self._place_shown(d)
            return D.add_node(d, node_type, (pos.x(), pos.y()))
        return self.model.edit(f"Add {node_type}", add)

    def connect_nodes(self, src: str, dst: str) -> bool:
        reason = D.can_connect(self.model.doc, src, dst)
        if reason:
            self.status_message.emit(f"Cannot connect: {reason}")
            return False
        self.model.edit(f"Connect {src} \u2192 {dst}", lambda d: D.connect(d, src, dst))
        return True

    def disconnect_nodes(self, src: str, dst: str) -> None:
        self.model.edit(f"Disconnect {src} \u2192 {dst}", lambda d: D.disconnect(d, src, dst))

    def change_units(self, node_id: str, delta: int) -> None:
        units = D.node_by_id(self.model.doc, node_id).get("params", {}).get("units", 1)
        new = max(1, int(units) + delta)
        self.model.edit(f"Units of {node_id} = {new}",
                        lambda d: D.set_param(d, node_id, "units", new))

    def selected_node_ids(self) -> list[str]:
        return [i.node_id for i in self.selectedItems() if isinstance(i, NodeItem)]

    def delete_selection(self) -> None:
        nodes = self.selected_node_ids()
        edges = [(i.src, i.dst) for i in self.selectedItems() if isinstance(i, EdgeItem)]
        if not nodes and not edges:
            return

        def apply(d):
            for src, dst in edges:
                if src not in nodes and dst not in nodes:
                    D.disconnect(d, src, dst)
            D.delete_nodes(d, nodes)
        what = ", ".join(nodes) if nodes else ", ".join(f"{s}\u2192{t}" for s, t in edges)
        self.model.edit(f"Delete {what}", apply)

    def duplicate_selection(self) -> list[str]:
        ids = self.selected_node_ids()
        if not ids:
            return []
        def duplicate(d):
            self._place_shown(d)
            return D.duplicate_nodes(d, ids)
        new = self.model.edit("Duplicate " + ", ".join(ids), duplicate)
        self.clearSelection()
        for node_id in new:
            self.nodes[node_id].setSelected(True)
        return new

    def tidy(self) -> None:
        """Tidy layout: by depth, a long chain wrapped into rows for this view's shape."""
        features = input_features(self.model.doc)
        self.model.edit("Tidy layout", lambda d: self._tidy(d, features))

    def select_node(self, node_id: str) -> None:
        self.clearSelection()
        if node_id in self.nodes:
            self.nodes[node_id].setSelected(True)

    # -- wire dragging (called by PortItem) ----------------------------------------------------
    def begin_connection(self, src: str, pos: QPointF) -> None:
        self._wire_src = src
        start = self.nodes[src].out_scene_pos()
        self._wire = QGraphicsLineItem(start.x(), start.y(), pos.x(), pos.y())
        self._wire.setPen(QPen(QColor("#1f6feb"), 2, Qt.DashLine))
        self.addItem(self._wire)

    def update_connection(self, pos: QPointF) -> None:
        if self._wire is not None:
            line = self._wire.line()
            self._wire.setLine(line.x1(), line.y1(), pos.x(), pos.y())

    def finish_connection(self, pos: QPointF) -> None:
        if self._wire is None:
            return
        self.removeItem(self._wire)
        self._wire, src = None, self._wire_src
        target = self.node_at(pos)
        if target is not None and target != src:
            self.connect_nodes(src, target)

    def node_at(self, pos: QPointF) -> str | None:
        for item in self.items(pos):
            while item is not None and not isinstance(item, NodeItem):
                item = item.parentItem()
            if isinstance(item, NodeItem):
                return item.node_id
        return None

    # -- moves: one undo step per drag, merged with the following moves --------------------
    def mouseReleaseEvent(self, event):  # noqa: N802
        super().mouseReleaseEvent(event)
        self.commit_moves()
        self.bound()

    def commit_moves(self) -> None:
        moved = {}
        for node_id, item in self.nodes.items():
            x, y = round(item.pos().x()), round(item.pos().y())
            if [x, y] != list(item.node.get("pos", [0, 0])):
                moved[node_id] = (x, y)
        if moved:
            def move(d):
                self._place_shown(d)
                D.move_nodes(d, moved)
            self.model.edit("Move " + ", ".join(moved), move, merge_key=tuple(sorted(moved)))

    def _on_selection_changed(self) -> None:
        for edge in self.edges.values():
            edge.update_pen()

    # -- context menus ----------------------------------------------------------------------------
    def contextMenuEvent(self, event):  # noqa: N802
        self.context_menu(event.scenePos()).exec(event.screenPos())

    def context_menu(self, pos: QPointF) -> QMenu:
        """The right-click menu for what is under pos: a layer, a connection, or empty canvas."""
        menu = QMenu()
        node_id = self.node_at(pos)
        edge = next((i for i in self.items(pos) if isinstance(i, EdgeItem)), None)
        if node_id:
            if node_id not in self.selected_node_ids():
                self.select_node(node_id)
            menu.addAction("Delete", self.delete_selection)
            menu.addAction("Duplicate", self.duplicate_selection)
            menu.addAction("Set as output", lambda: self.model.edit(
                f"Output = {node_id}", lambda d: D.set_output(d, node_id)))
            menu.addAction("Show code", lambda: self.code_requested.emit(node_id))
            for src in D.node_by_id(self.model.doc, node_id)["inputs"]:
                menu.addAction(f"Disconnect {src} \u2192 {node_id}",
                               lambda s=src: self.disconnect_nodes(s, node_id))
        elif edge is not None:
            menu.addAction(f"Disconnect {edge.src} \u2192 {edge.dst}",
                           lambda: self.disconnect_nodes(edge.src, edge.dst))
        else:
            add = menu.addMenu("Add layer")
            for t in D.NODE_TYPES:
                add.addAction(t, lambda t=t: self.add_layer(t, pos))
            menu.addAction("Tidy layout", self.tidy)
        return menu


class DiagramView(QGraphicsView):
    """Shows the scene; accepts layer drops from the palette; Ctrl+wheel zooms.

    `fit()` shows the whole network; until the user zooms, the view stays fitted as it is
    resized (the window settling, presenter mode). Zoomed out below readable block text,
    blocks turn compact (`NodeItem.text_lines`), so the whole stays readable.
    """

    def __init__(self, scene: DiagramScene, parent=None):
        super().__init__(scene, parent)
        self.setRenderHints(QPainter.Antialiasing | QPainter.TextAntialiasing)
        self.setAcceptDrops(True)
        self.setDragMode(QGraphicsView.RubberBandDrag)
        self.setTransformationAnchor(QGraphicsView.AnchorUnderMouse)
        self._text_scale = 1.0
        self.fitted = False     # showing the whole network; refitted on resize until a zoom
        self.value_editor = ValueEditor(self.viewport())
        self.value_editor.accepted.connect(
            lambda edit, old: self.scene().set_parameter(edit, old))
        scene.value_edit_requested.connect(self._on_value_edit_requested)
        self.setToolTip("The network: drag layers here from the palette, drag from a right-hand "
                        "port to a left-hand port to connect, right-click for more")
        # Names the header tints when a fit leaves some blocks no room for their names
        # (lesson 9 presented at 1280x720: eighteen blocks, only "In" named).
        self.key = QLabel(self.viewport())
        self.key.setObjectName("diagram_key")
        self.key.setTextFormat(Qt.RichText)
        self.key.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.key.setStyleSheet("background: rgba(255, 255, 255, 215); padding: 2px;")
        self.key.hide()

    def update_key(self) -> None:
        """Show, in the view's bottom-left corner, a chip in each header tint with the kind's
        name, for the kinds of the blocks whose names are hidden; hide it when none is."""
        scene = self.scene()
        kinds = {}
        for item in scene.nodes.values():
            if item.name_hidden():
                kinds.setdefault(kind_name(item.node), header_tint(item.node["type"]).name())
        if not kinds:
            self.key.hide()
            return
        font = self.key.font()
        font.setPointSizeF(TEXT_PT * self.text_scale)
        self.key.setFont(font)
        self.key.setText(" ".join(
            f"<span style='background-color:{tint}'>&nbsp;{html.escape(name)}&nbsp;</span>"
            for name, tint in kinds.items()))
        self.key.show()
        self._place_key()

    def _place_key(self) -> None:
        """The key in the bottom-left corner, wrapped to the view's width."""
        if self.key.isHidden():
            return
        room = max(self.viewport().width() - 8, 40)
        self.key.setWordWrap(False)
        self.key.adjustSize()
        if self.key.width() > room:
            self.key.setWordWrap(True)
            self.key.setFixedWidth(room)
            self.key.setFixedHeight(self.key.heightForWidth(room))
        else:
            self.key.setMinimumSize(0, 0)
            self.key.setMaximumSize(16777215, 16777215)
            self.key.adjustSize()
        if self.key.height() > self.viewport().height() / 4:
            self.key.hide()         # a view this small keeps its room for the network
            return
        self.key.move(4, max(self.viewport().height() - self.key.height() - 4, 0))

    def key_room(self) -> int:
        """Height the key takes at the bottom of the view (0 when hidden)."""
        return 0 if self.key.isHidden() else self.key.height() + 6

    @property
    def text_scale(self) -> float:
        """The zoom at which block text is readable (1 = its own point sizes): below it
        blocks are compact. The window sets it from the screen, presenter mode enlarges it."""
        return self._text_scale

    @text_scale.setter
    def text_scale(self, value: float) -> None:
        self._text_scale = value
        self.scene().detail_changed()

    def _on_value_edit_requested(self, edit: ParameterEdit, pos: QPointF) -> None:
        self.value_editor.ask(edit, self.mapFromScene(pos))

    def dragEnterEvent(self, event):  # noqa: N802
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()   # the main window opens dropped preset files

    def dragMoveEvent(self, event):  # noqa: N802
        if event.mimeData().hasFormat(LAYER_MIME):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event):  # noqa: N802
        if not event.mimeData().hasFormat(LAYER_MIME):
            event.ignore()
            return
        node_type = bytes(event.mimeData().data(LAYER_MIME)).decode()
        self.scene().add_layer(node_type, self.mapToScene(event.position().toPoint()))
        event.acceptProposedAction()

    def wheelEvent(self, event):  # noqa: N802
        if event.modifiers() & Qt.ControlModifier:
            factor = 1.15 if event.angleDelta().y() > 0 else 1 / 1.15
            self.scale(factor, factor)
            self.fitted = False
            self.scene().detail_changed()
        elif event.angleDelta().x() == 0 and (event.modifiers() & Qt.ShiftModifier or
                                               self.verticalScrollBar().maximum() == 0):
            # A network zoomed in wider than the view scrolls sideways with the wheel when
            # there is nothing to scroll up and down, and with Shift+wheel.
            bar = self.horizontalScrollBar()
            lines = event.angleDelta().y() / 120 * QApplication.wheelScrollLines()
            bar.setValue(bar.value() - round(lines * bar.singleStep()))
            event.accept()
        else:
            super().wheelEvent(event)

    def resizeEvent(self, event):  # noqa: N802
        super().resizeEvent(event)
        self._place_key()
        if self.fitted:
            self.scene().relayout()
            self.fit()

    def fit(self) -> None:
        """Zoom to show the whole network, without scroll bars, at most MAX_FIT_ZOOM times
        `text_scale`. A network too large for the view at readable text (mnist-cnn's eight
        blocks at 1280x720, lesson 12's 23) is zoomed out further and its blocks turn compact:
        fewer lines, each at the readable size on screen."""
        scene = self.scene()
        scene.bound(shrink=True)
        rect = scene.sceneRect()
        if not rect.isValid() or rect.isEmpty():
            return
        # without scroll bars now, not at the next layout: the fit is exact at once
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        view = self.viewport().rect()
        self._zoom_onto(rect, view.width(), view.height())
        self.fitted = True
        scene.detail_changed()
        room = self.key_room()
        if room:    # blocks too small for names: the key gets a band of its own below them
            zoom = self._zoom_onto(rect, view.width(), view.height() - room)
            rect = rect.adjusted(0, 0, 0, room / zoom)
            scene.setSceneRect(rect)
            self.centerOn(rect.center())
            scene.detail_changed()
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarAsNeeded)

    def _zoom_onto(self, rect, width, height) -> float:
        """Zoom so `rect` fits a width x height area, centred in the view; returns the zoom."""
        fitted = min((width - 1) / rect.width(), (max(height, 2) - 1) / rect.height())
        zoom = min(fitted, MAX_FIT_ZOOM * self.text_scale)
        self.resetTransform()
        self.scale(zoom, zoom)
        self.centerOn(rect.center())
        return zoom
