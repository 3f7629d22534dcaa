"""The window's designed arrangements: which docks show where, sized for the screen.

A few hand-made arrangements, chosen by what is open, in the spirit of TensorFlow Playground's
single page (controls, network, output side by side, the picture the class watches large):

- "plane": a 2-D dataset. Controls left, diagram centre, decision boundary (large, square)
  over the loss curves right, hidden units and weights under the diagram.
- "curve": 1-D regression. As "plane" with the regression curve in the boundary's place.
- "images": MNIST. Loss curves and the drawing pad right; filters, predictions, confusion and
  weights under the diagram.
- a lesson: its data's arrangement with the notes at the top of the left column (the largest
  share of it) and the lesson's panel and comparison first under the diagram.

Each arrangement is proportions of the window, so it fits at 1280x720 and grows to 3840x2160;
the window's font scales with the screen (`screen_scale`). Users may rearrange; View > Reset
layout brings the design back. The user's arrangement is saved on closing together with the
layout version and the screen size, and a saved arrangement from another version, or one that
does not fit the current screen, is discarded instead of restored.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QByteArray, QObject, QRect, Qt, QTimer
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow

LAYOUT_VERSION = 2          # bump when the designs change: older saved layouts are dropped
BASE_PT = 11.0              # the window's font at 1920x1080 and below
LEFT, RIGHT, BOTTOM = (Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea,
                       Qt.DockWidgetArea.BottomDockWidgetArea)

# Dock object names, grouped: each inner list is one tab group, the first listed in front.
CONTROLS = ["dock_training", "dock_data", "dock_properties"]
NOTES = ["dock_lesson_notes"]
PROBLEMS = ["dock_layers", "dock_problems"]
LESSON_BOTTOM = ["dock_lesson_panel", "dock_lesson_compare"]


@dataclass(frozen=True)
class Design:
    """Columns of tab groups and their shares of the window.

    left/right: tab groups stacked top to bottom, with `left_split`/`right_split` the height
    shares of the groups; bottom: tab groups side by side under the diagram.
    """

    left: tuple
    right: tuple
    bottom: tuple
    left_split: tuple
    right_split: tuple
    left_width: float = 0.22
    right_width: float = 0.32
    bottom_height: float = 0.36
    presenting_bottom: float = 0.36     # presenter mode: the row under the diagram at least
    square_right: bool = False      # the right column's first group wants to be square


def _views(*names):
    return [f"view_{n}" for n in names]


DESIGNS = {
    "plane": Design(
        left=(CONTROLS, PROBLEMS), left_split=(0.72, 0.28),
        right=(_views("boundary"), _views("metrics", "confusion")), right_split=(0.56, 0.44),
        bottom=(_views("units", "transformed", "histograms", "unit_weights", "curve",
                       "filters", "predictions", "drawpad"),),
        square_right=True),
    "curve": Design(
        left=(CONTROLS, PROBLEMS), left_split=(0.72, 0.28),
        right=(_views("curve", "boundary"), _views("metrics")), right_split=(0.5, 0.5),
        bottom=(_views("histograms", "unit_weights", "units", "confusion", "filters",
                       "predictions", "drawpad"),)),
    "images": Design(
        left=(CONTROLS, PROBLEMS), left_split=(0.72, 0.28),
        right=(_views("metrics"), _views("drawpad", "predictions")), right_split=(0.45, 0.55),
        bottom=(_views("filters", "confusion", "histograms", "unit_weights", "units",
                       "boundary", "curve"),),
        # the pictures under the diagram (filters, feature maps, confusion) get the height a
        # one-row chain of blocks leaves: 0.42 left the maps 48 px at 1280x720
        right_width=0.34, bottom_height=0.55,
        # presenting, more: the confusion matrix's 10x10 counts in the presenter font need
        # about 50 px cells at 1920x1080 (0.36 left 24 px cells and 7 px counts)
        presenting_bottom=0.72),
}
MAIN_VIEWS = {"plane": ("view_boundary",), "curve": ("view_curve",)}
PRESENTING = {   # presenter mode: no editing docks, larger pictures
    "left_width": 0.26, "right_width": 0.36,
}
# Presenting, these leave the right column for the first tab group under the diagram: tabbed
# with the loss curves, the confusion matrix's tab bar cost them 32 px, under the 25 % they
# must keep (blobs5 and spiral3 presented at 1.0x at 1280x720), and under the diagram the
# matrix gets a wide dock
PRESENTING_BELOW = ("view_confusion",)
BELOW_HEIGHT = 0.42     # ... and its counts room (0.45 pushed spiral3's blocks out of the
# diagram's view at 3840x2160)
PANEL_HEIGHT = 0.58     # a lesson's own figure (the race) under the diagram needs height
# ... presenting, most of the centre's: at 1280x720 the race's contour plot had 120 px of it
# (the diagram scrolls, a lesson's figure cannot)
PANEL_HEIGHT_PRESENTING = 0.72


def screen_scale(screen) -> float:
    """1 up to 1920x1080 (logical pixels), growing with the screen beyond: 2 at 3840x2160."""
    if screen is None:
        return 1.0
    size = screen.availableGeometry().size()
    return max(1.0, min(size.width() / 1920, size.height() / 1080))


def kind_of(doc: dict) -> str:
    """Which design suits the document: "images", "curve" (1-D regression) or "plane"."""
    from nnplayground.ui import document as D
    dataset = doc.get("dataset", {})
    if dataset.get("kind") in D.IMAGE_DATASETS:
        return "images"
    names = set(doc.get("views", []))
    if names & {"curve", "regression"} or dataset.get("kind") == "sine":
        return "curve"
    return "plane"


class WindowLayout(QObject):
    """Arranges `window`'s docks by design, and saves / restores the user's arrangement.

    `window` is the QMainWindow whose docks (found by object name) are arranged; `settings`
    the QSettings the arrangement is saved in. `wanted(doc)` names the docks a document asks
    for: the views in its "views", and a lesson's panel and comparison when it has them. The
    design shows those; the others stay available in View.
    """

    def __init__(self, window: QMainWindow, settings, wanted):
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.wanted = wanted
        self.kind: str | None = None       # the design last applied (None: the user's own)
        self.lesson = False
        self._held = None                  # the arrangement to save while presenting
        # A size asked for explicitly (a screenshot's): kept even where the screen is smaller
        self.requested_size = None
        self.settling = 0       # restores still to come after put_back (0: the layout is final)
        self.centre_width = 0   # the width the last design left the centre (size_docks)

    # -- designs ------------------------------------------------------------------------------
    def docks(self) -> dict[str, QDockWidget]:
        return {d.objectName(): d for d in self.window.findChildren(QDockWidget)
                if d.parent() is self.window}

    @property
    def scale(self) -> float:
        return screen_scale(self.window.screen())

    def apply_font(self) -> None:
        """The window's font: BASE_PT points, times the screen's scale. The application's too,
        so dialogs (Gallery, start page, problems), menus and tooltips read as well: a dialog
        does not inherit its parent window's font."""
        font = QFont(self.window.font())
        font.setPointSizeF(BASE_PT * self.scale)
        QApplication.setFont(font)
        self.window.setFont(font)

    def design_for(self, doc: dict) -> Design:
        return DESIGNS[kind_of(doc)]

    def arrange(self, doc: dict, lesson: bool = False, presenting: bool = False) -> None:
        """Puts every known dock in its designed place and shows what `doc` asks for."""
        design = self.design_for(doc)
        self.kind, self.lesson = kind_of(doc), lesson
        size = self.window.size()   # moving docks about grows the window to passing minimums
        docks = self.docks()
        # the loss curves and the kind's own picture always; the rest as the document asks
        wanted = set(self.wanted(doc)) | {"view_metrics"} | set(MAIN_VIEWS.get(self.kind, ()))
        left = [list(NOTES)] + list(design.left) if lesson else list(design.left)
        bottom = [list(LESSON_BOTTOM) + list(g) for g in design.bottom[:1]] + \
            list(design.bottom[1:]) if lesson else list(design.bottom)
        right = list(design.right)
        if presenting:
            right = [[n for n in g if n not in PRESENTING_BELOW] for g in right]
            moved = [n for g in design.right for n in g if n in PRESENTING_BELOW]
            if moved and bottom:
                first = list(bottom[0])
                at = len(LESSON_BOTTOM) + 1 if lesson else 1
                bottom = [first[:at] + moved + first[at:]] + list(bottom[1:])
        named = {name for groups in (left, right, bottom) for g in groups for name in g}
        # a view the design does not name (a new one) goes last in the first bottom group:
        # available in View, shown when a document asks for it
        extra = sorted(n for n in docks if n.startswith("view_") and n not in named)
        bottom = [list(bottom[0]) + extra] + list(bottom[1:]) if bottom else [extra]
        placed = [(LEFT, left), (RIGHT, right), (BOTTOM, bottom)]
        known = {name for _area, groups in placed for g in groups for name in g}
        visible = {n: self._visible(n, wanted, lesson, presenting) for n in known & docks.keys()}
        for name in known & docks.keys():
            self.window.removeDockWidget(docks[name])
        # Splits first, tabs after: a dock split from one that is already tabbed would join
        # its tabs instead of sitting beside it.
        shown, present = set(), []
        for area, groups in placed:
            previous = None
            for group in groups:
                members = [docks[n] for n in group if n in docks]
                if not members:
                    continue
                if previous is None:
                    self.window.addDockWidget(area, members[0])
                else:
                    self.window.splitDockWidget(
                        previous, members[0],
                        Qt.Orientation.Horizontal if area == BOTTOM else Qt.Orientation.Vertical)
                previous = members[0]
                present.append(members)
        for members in present:
            for other in members[1:]:
                self.window.tabifyDockWidget(members[0], other)
            for dock in members:
                dock.setVisible(visible[dock.objectName()])
                if visible[dock.objectName()]:
                    shown.add(dock.objectName())
        for group in (g for _a, groups in placed for g in groups):
            front = next((docks[n] for n in group if n in shown), None)
            if front is not None:
                front.raise_()
        self.window.layout().activate()     # the minimum size of the new arrangement
        if self.requested_size is not None:
            self.window.resize(self.requested_size)
        elif not (self.window.isFullScreen() or self.window.isMaximized()):
            self.window.resize(size.boundedTo(self.window.screen().availableGeometry().size()))
            if not self.window.screen().availableGeometry().contains(
                    self.window.frameGeometry()):
                self.fit_to_screen()
        self.size_docks(design, left, bottom, presenting)
        self.hide_stale_tab_bars()
        if presenting:
            self.trim_tab_groups(present)
            bottoms = [g for g in present if self.window.dockWidgetArea(g[0]) == BOTTOM]
            if self.fit_centre(bottoms):
                self.size_docks(design, left, bottom, presenting)
            self.hide_stale_tab_bars()

    @staticmethod
    def _visible(name: str, wanted: set, lesson: bool, presenting: bool) -> bool:
        if name in NOTES:
            return lesson
        if name in LESSON_BOTTOM:
            return lesson and name in wanted
        if name in PROBLEMS and lesson:
            return False        # the notes need the room; both stay in View
        if name in CONTROLS or name in PROBLEMS:
            return not presenting
        return name in wanted

    def size_docks(self, design: Design, left, bottom, presenting=False) -> None:
        """Widths and heights as shares of the window (the centre gets the rest)."""
        w = self.window
        width = w.width()
        height = max(w.height() - w.menuBar().height() - 80, 300)
        docks = self.docks()
        panel = docks.get("dock_lesson_panel")
        with_panel = self.lesson and panel is not None and panel.isVisible()
        shares = PRESENTING if presenting else {}
        # At least as wide as the column's tabs and its panels' controls need, at most 30 %
        lw = max(int(width * shares.get("left_width", design.left_width)),
                 min(self._needed_width([docks[n] for g in left for n in g if n in docks]),
                     int(width * 0.25)))
        rw = int(width * shares.get("right_width", design.right_width))
        # the bottom row's tabs whole: the right column gives way (down to 24 %)
        bottom_need = self._needed_width([docks[n] for g in bottom for n in g if n in docks])
        rw = max(min(rw, width - lw - bottom_need - 12), int(width * 0.24))

        def front(group):
            return next((docks[n] for n in group if n in docks and docks[n].isVisible()), None)

        lefts = [d for d in map(front, left) if d]
        rights = [d for d in map(front, design.right) if d]
        bottoms = [d for d in map(front, bottom) if d]
        sides = ([lefts[0]] if lefts else []) + ([rights[0]] if rights else [])
        widths = ([lw] if lefts else []) + ([rw] if rights else [])
        if sides:
            w.resizeDocks(sides, widths, Qt.Orientation.Horizontal)
        # what the design leaves the diagram and the docks under it
        self.centre_width = width - sum(widths) - 12
        if len(lefts) > 1:
            split = (0.64, 0.36, 0.0) if len(left) == 3 else design.left_split
            shares_ = [split[i] for i, g in enumerate(left) if front(g) is not None]
            w.resizeDocks(lefts, [int(height * s) for s in shares_], Qt.Orientation.Vertical)
        if len(rights) > 1:
            top = int(height * design.right_split[0])
            if design.square_right:
                top = min(rw + 10, int(height * 0.55))
            w.resizeDocks(rights, [top, height - top], Qt.Orientation.Vertical)
        if bottoms:
            share = max(design.bottom_height, design.presenting_bottom if presenting else 0)
            below = [docks[n] for n in PRESENTING_BELOW if n in docks]
            if presenting and any(d.isVisible() for d in below):
                share = max(share, BELOW_HEIGHT)
            if with_panel:
                share = max(share, PANEL_HEIGHT_PRESENTING if presenting else PANEL_HEIGHT)
            w.resizeDocks(bottoms[:1], [int(height * share)], Qt.Orientation.Vertical)

    def _needed_width(self, column) -> int:
        """The widest tab row of `column`'s groups, and its scrolled panels' size hints."""
        fm = self.window.fontMetrics()
        groups: dict = {}
        for dock in column:
            if dock.isVisible():
                key = frozenset([dock, *self.window.tabifiedDockWidgets(dock)])
                groups[key] = sum(fm.horizontalAdvance(d.windowTitle()) + 26
                                  for d in key if d.isVisible())
        panels = [d.widget().widget().sizeHint().width() + 24 for d in column
                  if d.isVisible() and hasattr(d.widget(), "setWidgetResizable")]
        return max([0, *groups.values(), *panels])

    # -- saving and restoring -----------------------------------------------------------------
    def _screen_key(self) -> str:
        geo = self.window.screen().availableGeometry()
        return f"{geo.width()}x{geo.height()}"

    def restore(self) -> bool:
        """The saved arrangement, if it is this version's and fits this screen; else False."""
        s = self.settings
        geometry, state = s.value("geometry"), s.value("window_state")
        if geometry is None or state is None:
            return False
        screen = self.window.screen().availableGeometry()
        saved = str(s.value("layout_size", "0x0")).split("x")
        too_big = int(saved[0]) > screen.width() or int(saved[1]) > screen.height()
        if str(s.value("layout_version", "")) != str(LAYOUT_VERSION) or too_big or \
                str(s.value("layout_screen", "")) != self._screen_key():
            return False
        # The docks first: until then every dock shows, and the window could not be as small
        # as the saved geometry says.
        if not self.window.restoreState(state):
            return False
        self.window.layout().activate()
        if not self.window.restoreGeometry(geometry):
            return False
        if not screen.contains(self.window.frameGeometry()) and not self.window.isMaximized():
            return False
        self.kind = s.value("layout_kind") or None
        self.lesson = str(s.value("layout_lesson", "false")).lower() == "true"
        return True

    def fit_to_screen(self) -> None:
        """The window fills the screen's free area, its frame included (a projector's 1280x720
        has no pixel to spare)."""
        w = self.window
        screen = w.screen().availableGeometry()
        frame, inner = w.frameGeometry(), w.geometry()
        extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
        w.resize(screen.width() - extra_w, screen.height() - extra_h)
        w.move(screen.topLeft())

    def hold(self, arrangement) -> None:
        """While presenting: `save` writes `arrangement` (the one from before), not the
        presenter's; None lets it write the window's own again."""
        self._held = arrangement

    def snapshot(self) -> dict:
        """The window's arrangement now: geometry, dock state, kind (see `put_back`)."""
        w = self.window
        return {"geometry": QByteArray(w.saveGeometry()), "state": QByteArray(w.saveState()),
                "rect": QRect(w.geometry()), "frame": QRect(w.frameGeometry()),
                "kind": self.kind, "lesson": self.lesson,
                "maximized": w.isMaximized(), "full": w.isFullScreen(),
                "visible": {n: d.isVisible() for n, d in self.docks().items()}}

    def put_back(self, snap: dict) -> None:
        """The arrangement of `snapshot()`: window state first, then its exact rectangle (the
        docks' sizes in the state are for that size), then the docks."""
        w = self.window
        if not snap["full"]:
            w.showMaximized() if snap["maximized"] else w.showNormal()
        if not (snap["full"] or snap["maximized"]):
            w.setGeometry(snap["rect"])
        w.layout().activate()
        w.restoreState(snap["state"])
        # Once more when the font change has reached every widget's size hints (posted
        # layout requests), which moved the splits by a few pixels.
        # (twice: a wrapping row re-arranges itself one event later, which changes minimums)
        self.settling = 2
        QTimer.singleShot(0, self, lambda: self._restore_again(snap))
        QTimer.singleShot(50, self, lambda: self._restore_again(snap))
        for name, dock in self.docks().items():     # a dock added since stays as it is
            if name in snap["visible"]:
                dock.setVisible(snap["visible"][name])
        self.kind, self.lesson = snap["kind"], snap["lesson"]
        self.hide_stale_tab_bars()

    def trim_tab_groups(self, groups) -> None:
        """Presenting: a tab group whose tabs do not fit its width at the large font shows
        fewer docks, the last of the design's order first (the first are what the lesson
        needs most), so every tab on the screen reads whole."""
        w = self.window
        fm = w.fontMetrics()
        w.layout().activate()
        for members in groups:
            shown = [d for d in members if d.isVisible()]
            while len(shown) > 1:
                need = sum(fm.horizontalAdvance(d.windowTitle()) + 28 for d in shown)
                if need <= shown[0].width():        # the group's front dock (raised)
                    break
                shown.pop().hide()
                w.layout().activate()

    def fit_centre(self, groups) -> bool:
        """Presenting: a tab group under the diagram leaves out its last docks while one of
        them needs more width than the design leaves the centre; True if any was left out.

        A dock behind a tab still holds its column to its minimum width: lesson 6's Compare
        (its longest choice, "Lesson: variants (SGD, Momentum, AdaGrad, RMSprop, Adam)") kept
        the centre 570 px wide at 1.15x, the right column 413 px instead of 460, the boundary's
        options on two rows and the boundary 201 px, under the 216 px (30 %) it must keep: the
        lesson presented at 1.0x. It stays in View."""
        dropped = False
        for members in groups:
            shown = [d for d in members if d.isVisible()]
            while len(shown) > 1 and \
                    max(d.minimumSizeHint().width() for d in shown) > self.centre_width:
                shown.pop().hide()
                dropped = True
        if dropped:
            self.window.layout().activate()
        return dropped

    def _restore_again(self, snap: dict) -> None:
        self.window.restoreState(snap["state"])
        self.hide_stale_tab_bars()
        self.settling -= 1

    def hide_stale_tab_bars(self) -> None:
        """Qt (6.11) can leave a dock tab bar behind when docks move between groups: it stays
        shown with an old group's tabs, painted over the new docks (or over the live bar of
        the same group). Every dock tab bar is hidden, and laying the docks out again shows
        the ones Qt keeps track of; the leftovers stay hidden."""
        from PySide6.QtWidgets import QTabBar
        w = self.window
        w.layout().activate()
        for bar in w.findChildren(QTabBar):
            if bar.parent() is w and bar.isVisible():
                bar.hide()
        w.layout().invalidate()
        w.layout().activate()

    def save(self) -> None:
        snap = self._held or self.snapshot()
        s = self.settings
        s.setValue("geometry", snap["geometry"])
        s.setValue("window_state", snap["state"])
        s.setValue("layout_version", LAYOUT_VERSION)
        s.setValue("layout_screen", self._screen_key())
        s.setValue("layout_size", f"{snap['frame'].width()}x{snap['frame'].height()}")
        s.setValue("layout_kind", snap["kind"] or "")
        s.setValue("layout_lesson", bool(snap["lesson"]))
        s.sync()


__all__ = ["WindowLayout", "DESIGNS", "LAYOUT_VERSION", "screen_scale", "kind_of"]
