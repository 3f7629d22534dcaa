"""The diagram's level of detail: what a block says when the whole network is zoomed out.

A block's own text is TEXT_PT points in the scene. At a zoom where that is readable on screen
(`readable_pt`, 11 pt at 1280x720, more in presenter mode) a block shows everything: type, id,
settings and output shape. Below it the block turns compact, as diagram tools do when zoomed
out: fewer, shorter lines ("Conv 16 3x3", "16x28x28") drawn at the readable size on screen,
so a fit can zoom out until the whole network is in view while every text drawn stays
readable. What no longer fits is dropped, most important line last (type, then shape, then
settings); the block's tooltip and the Properties panel keep the full detail.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont, QFontMetricsF

from nnplayground.ui.document import param_value

TYPE_COLOUR = QColor("#1d2330")
SETTING_COLOUR = QColor("#3b4252")
SHAPE_COLOUR = QColor("#2b5797")
ERROR_COLOUR = QColor("#d62728")
LINE_GAP = 2        # scene px between lines, as the full block draws them

# A block's header is tinted by what the layer does, so the kind of each block reads even
# where a fit of a long network leaves no room for its name (lesson 9 presented at 1280x720:
# Dense, BatchNorm, ReLU, Dense...): layers that learn, pooling, normalisation and dropout,
# activations, and the ones that only reshape or join.
KIND_TINT = {
    "Dense": "#dbe8f6", "Conv2D": "#dbe8f6",
    "MaxPool2D": "#dcefe0", "AvgPool2D": "#dcefe0",
    "BatchNorm": "#ebe3f5", "Dropout": "#ebe3f5",
    "Activation": "#fbe6d2",
}
PLAIN_TINT = "#eef2f7"      # Input, Flatten, Reshape, Add, Concatenate


def header_tint(node_type: str) -> QColor:
    return QColor(KIND_TINT.get(node_type, PLAIN_TINT))


def kind_name(node: dict) -> str:
    """What the diagram's key calls a block whose name no longer fits: its kind of layer,
    without numbers (an activation by its function)."""
    t = node["type"]
    if t == "Activation":
        return str(param_value(node, "function"))
    return {"Conv2D": "Conv", "MaxPool2D": "MaxPool", "AvgPool2D": "AvgPool",
            "Concatenate": "Concat"}.get(t, t)


def is_compact(zoom: float, text_pt: float, readable_pt: float) -> bool:
    """Below this zoom a block's own text would be smaller than readable on screen."""
    return text_pt * zoom < readable_pt - 0.05


def _kernel(node: dict) -> str:
    k = node.get("params", {}).get("kernel", "?")
    return "\u00d7".join(map(str, k)) if isinstance(k, list) else f"{k}\u00d7{k}"


def type_variants(node: dict) -> list[str]:
    """The block's first line, longest first: its type and its main number where it has one."""
    t, p = node["type"], node.get("params", {})
    if t == "Dense":
        return [f"Dense {p.get('units', '?')}", "Dense"]
    if t == "Conv2D":
        f = p.get("filters", "?")
        return [f"Conv {f} {_kernel(node)}", f"Conv {f}", "Conv"]
    if t in ("MaxPool2D", "AvgPool2D"):
        name = t[:-2]
        return [f"{name} {param_value(node, 'size')}", name, "Pool"]
    if t == "Dropout":
        return [f"Dropout {param_value(node, 'rate')}", "Dropout", "Drop"]
    if t == "BatchNorm":
        return ["BatchNorm", "BN"]
    if t == "Activation":
        return [str(param_value(node, "function"))]
    if t == "Add":
        return ["Add", "+"]
    if t == "Flatten":
        return ["Flatten", "Flat"]
    if t == "Input":
        return ["Input", "In"]
    if t == "Concatenate":
        return ["Concat", "Cat"]
    return [t]


def setting_variants(node: dict) -> list[str]:
    """A second line of settings the first did not say (a layer's activation)."""
    if node["type"] in ("Dense", "Conv2D"):
        act = str(param_value(node, "activation"))
        return [act] if act != "identity" else []
    return []


def shape_variants(shape) -> list[str]:
    if shape is None:
        return ["shape ?", "?"]
    if len(shape) == 1:
        return [f"({shape[0]})"]
    full = "\u00d7".join(map(str, shape))
    # an image's channels are the block's filters or its input's: the size alone, if need be
    return [full, "\u00d7".join(map(str, shape[1:]))] if len(shape) == 3 else [full]


def _font(pt: float, bold: bool) -> QFont:
    font = QFont()
    font.setPointSizeF(pt)
    font.setBold(bold)
    return font


def compact_lines(node: dict, shape, problem: bool, pt: float, width: float,
                  height: float) -> list[tuple[str, QFont, float, QColor]]:
    """The compact block's lines as (text, font, width, colour), top to bottom.

    `pt`: the scene point size that is readable on screen at the current zoom; `width`,
    `height`: the room for text in scene px. Each line takes its longest variant that fits
    `width`; lines are kept by importance (type, shape, settings) while they fit `height`.
    """
    wanted = [  # (importance, variants, bold, colour), in drawing order
        (0, type_variants(node), True, TYPE_COLOUR),
        (2, setting_variants(node), False, SETTING_COLOUR),
        (1, shape_variants(shape), False, ERROR_COLOUR if problem else SHAPE_COLOUR),
    ]
    chosen: dict[int, tuple] = {}
    used = 0.0
    for importance, variants, bold, colour in sorted(wanted, key=lambda w: w[0]):
        font = _font(pt, bold)
        fm = QFontMetricsF(font)
        line_height = fm.height() + LINE_GAP
        text = next((v for v in variants if fm.horizontalAdvance(v) <= width), None)
        if text is None or used + line_height > height:
            continue
        used += line_height
        chosen[importance] = (text, font, width, colour)
    return [chosen[w[0]] for w in wanted if w[0] in chosen]
