"""Lesson 6's optimizer race: every racer has its own colour, and its legend entry, path and
moving head all show that colour (read from the panel's own pyqtgraph items, and for the
legend from its pixels)."""

from __future__ import annotations

import itertools

import numpy as np
from PySide6.QtGui import QColor

from nnplayground.lessons import catalog as C
from nnplayground.lessons import optimizer_race as R
from nnplayground.ui.lessons.race_panel import BACKGROUND, OptimizerRacePanel

# CIE76 distance (Euclidean in CIELAB): 2.3 is a just-noticeable difference between two large
# patches side by side. A 2.5 px line seen from the back of a room on a washed-out projector
# needs far more; 30 is about the distance of Okabe-Ito's orange and vermillion, which differ
# in hue and lightness, and the thin lines must also stand out from the plot behind them.
APART = 30.0
# For a red-green colour-blind viewer (Machado et al. 2009, full deuteranopia / protanopia)
# the lines must still differ clearly; Tableau 10 (the palette before) fell to 4.6.
APART_DICHROMAT = 15.0
FROM_BACKGROUND = 40.0

DEUTERANOPIA = np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                         [-0.011820, 0.042940, 0.968881]])
PROTANOPIA = np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                       [-0.003882, -0.048116, 1.051998]])


def _linear(rgb):
    c = np.asarray(rgb, np.float64) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def _lab_of_linear(lin):
    xyz = lin @ np.array([[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722],
                          [0.0193, 0.1192, 0.9505]]).T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def delta_e(a, b, vision=None):
    """CIE76 distance of two sRGB colours, as seen with `vision` (a linear-RGB matrix) or
    with normal colour vision."""
    la, lb = _linear(a), _linear(b)
    if vision is not None:
        la, lb = np.clip(vision @ la, 0, 1), np.clip(vision @ lb, 0, 1)
    return float(np.linalg.norm(_lab_of_linear(la) - _lab_of_linear(lb)))


def rgb(colour: QColor):
    return colour.getRgb()[:3]


def legend_pixels(panel, sample):
    """The colours drawn in a legend entry's sample line, as the screen shows them."""
    image = panel.plot_widget.grab().toImage()
    rect = panel.plot_widget.mapFromScene(sample.sceneBoundingRect()).boundingRect()
    ratio = image.devicePixelRatio()
    return {rgb(image.pixelColor(int(x * ratio), int(y * ratio)))
            for x in range(rect.left(), rect.right()) for y in range(rect.top(), rect.bottom())}


def test_every_racer_has_its_own_clear_colour_in_legend_path_and_head(qtbot):
    panel = OptimizerRacePanel(C.load_lesson(6)["lesson"]["race"])
    qtbot.addWidget(panel)
    panel.resize(900, 600)
    panel.show()
    qtbot.waitExposed(panel)
    largest = 0
    for function, lineup in itertools.product(range(panel.function_box.count()),
                                              range(panel.lineup_box.count())):
        panel.function_box.setCurrentIndex(function)
        panel.lineup_box.setCurrentIndex(lineup)
        labels = list(panel.result.paths)
        assert list(panel.paths) == labels and list(panel.heads) == labels
        assert len(panel.legend.items) == len(labels)
        colours = {}
        for label, (sample, text) in zip(labels, panel.legend.items):
            assert text.text.startswith(label)
            path = rgb(panel.paths[label].opts["pen"].color())
            head = rgb(panel.heads[label].opts["brush"].color())
            assert path == head, (label, path, head)
            qtbot.waitUntil(lambda s=sample, c=path: c in legend_pixels(panel, s))
            colours[label] = path
        for (a, ca), (b, cb) in itertools.combinations(colours.items(), 2):
            assert delta_e(ca, cb) >= APART, (a, b, ca, cb)
            for vision in (DEUTERANOPIA, PROTANOPIA):
                assert delta_e(ca, cb, vision) >= APART_DICHROMAT, (a, b, ca, cb)
        for label, colour in colours.items():
            for behind in [(255, 255, 255)] + [tuple(c) for c in BACKGROUND.color[:, :3] * 255]:
                assert delta_e(colour, behind) >= FROM_BACKGROUND, (label, colour, behind)
        largest = max(largest, len(labels))
    # the lesson's largest line-up is all five optimizers the engine races
    assert largest == max(len(f.optimizers) for f in R.FUNCTIONS.values()) == 5


def test_no_lesson_plot_repeats_a_series_colour():
    """Every lesson plot drawn with pen(i) has at most as many series as the palette has
    colours, and all of them stay apart on white (blue and sky blue, the closest pair at 26,
    only meet in a plot of six or more series: lesson 3's seven activation curves, on white,
    with no contour behind them)."""
    from nnplayground.ui.lessons.common import RUN_COLOURS
    counts = []
    for info in C.list_lessons():
        doc = C.load_lesson(info.number)
        lesson = doc["lesson"]
        counts.append(len(lesson.get("curves", {}).get("functions", [])))     # lesson 3: 7
        counts += [len(group) for group in C.compare_groups(doc).values()]  # one Compare run
        counts += [len(lineup["optimizers"]) for lineup in lesson.get("race", {}).get(
            "line_ups", [])]
    assert max(counts) <= len(RUN_COLOURS)
    for a, b in itertools.combinations(RUN_COLOURS, 2):
        assert delta_e(a, b) >= 25.0, (a, b)
        for vision in (DEUTERANOPIA, PROTANOPIA):
            assert delta_e(a, b, vision) >= APART_DICHROMAT, (a, b)
    assert all(delta_e(c, (255, 255, 255)) >= FROM_BACKGROUND for c in RUN_COLOURS)
