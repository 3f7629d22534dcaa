"""Lessons in the GUI: the Lessons menu and start page, notes, compare, lesson panels, presenter.

The main window builds it (`install_lessons(window)` in its constructor). A lesson is a preset
file with a "lesson" key, so it opens through the window's ordinary open path (`files.open_path`:
unsaved-changes prompt, validation, problems dialog, worker reload); this module listens to
`files.document_opened` and shows the notes and panels of a lesson, or puts them away for any other
document. Steps are `model.edit`s: each is one undoable entry.
"""

from __future__ import annotations

import re

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import QDialog, QDockWidget, QLabel, QMainWindow, QMenu

from nnplayground.lessons import catalog as C
from nnplayground.ui import document as D

from .compare import ComparePanel
from .figure_panels import ActivationPanel, InitHistogramsPanel, KerasCodePanel
from .gradcheck_panel import GradcheckPanel
from .notes import NotesPanel
from .presenter import PresenterMode, find_menu
from .race_panel import OptimizerRacePanel
from .start_page import StartPage


def _dock(window, title, widget, name, tip) -> QDockWidget:
    dock = QDockWidget(title, window)
    dock.setObjectName(name)        # lets QMainWindow.saveState restore the layout
    dock.setWidget(widget)
    dock.setToolTip(tip)
    return dock


class LessonsController(QObject):
    """The lesson open in `window` (if any), its step, and the lesson docks.

    `position` 0 is the lesson as it opens (its overview); 1..N are its steps. Each step is
    applied to the lesson's base document, so any step can be reached from any other.
    """

    lesson_opened = Signal(int)      # lesson number
    position_changed = Signal(int)

    def __init__(self, window: QMainWindow, diagram_view):
        super().__init__(window)
        self.window = window
        self.lessons = C.list_lessons()
        self.lesson_doc: dict | None = None
        self.number: int | None = None
        self.position = 0
        self.panel = None
        self._build_menu()
        self._build_docks()
        self.presenter = PresenterMode(window, window.window_layout, diagram_view, self.step,
                                       lambda: self.lesson_doc,
                                       lambda: self.lesson_doc or window.model.doc, self)
        window.model.changed.connect(self._on_document_changed)
        window.files.document_opened.connect(self._on_document_opened)
        window.installEventFilter(self)

    # -- construction ---------------------------------------------------------------------------
    def _build_menu(self) -> None:
        bar = self.window.menuBar()
        self.menu = QMenu("&Lessons", self.window)
        help_menu = find_menu(self.window, "Help")
        if help_menu is not None:       # Lessons sits before Help, as menus usually end
            bar.insertMenu(help_menu.menuAction(), self.menu)
        else:
            bar.addMenu(self.menu)
        self.menu.setToolTipsVisible(True)
        self.act_start = self.menu.addAction("&Start page\u2026", self.show_start_page)
        self.act_start.setToolTip("All lessons as cards with their summaries")
        self.menu.addSeparator()
        self.lesson_actions = {}
        for info in self.lessons:
            action = self.menu.addAction(f"{info.number}. {info.title}",
                                         lambda n=info.number: self.open_lesson(n))
            action.setToolTip(info.summary)
            action.setStatusTip(info.summary)
            self.lesson_actions[info.number] = action

    def _build_docks(self) -> None:
        w = self.window
        self.notes = NotesPanel()
        self.notes.step_requested.connect(self.step)
        self.notes_dock = _dock(w, "Lesson notes", self.notes, "dock_lesson_notes",
                                "The lesson's notes and steps")
        self.compare = ComparePanel(lambda: C.preset_document(w.model.doc))
        self.compare_dock = _dock(w, "Compare", self.compare, "dock_lesson_compare",
                                  "Train several configurations on the same data and overlay "
                                  "their curves")
        self.panel_dock = _dock(w, "Lesson panel", self._placeholder(), "dock_lesson_panel",
                                "A figure made for this lesson")
        w.addDockWidget(Qt.RightDockWidgetArea, self.notes_dock)
        # Compare and the lesson panel share a tab group with the weight views at the bottom,
        # so a 1600-pixel-wide window keeps room for the diagram.
        neighbour = (getattr(w, "view_docks", None) or {}).get("histograms")
        if neighbour is not None:
            w.tabifyDockWidget(neighbour, self.compare_dock)
        else:
            w.addDockWidget(Qt.BottomDockWidgetArea, self.compare_dock)
        w.tabifyDockWidget(self.compare_dock, self.panel_dock)
        w.resizeDocks([self.notes_dock], [360], Qt.Horizontal)
        w.resizeDocks([self.notes_dock], [380], Qt.Vertical)
        for dock in (self.notes_dock, self.compare_dock, self.panel_dock):
            dock.hide()             # until a lesson opens
        view = find_menu(w, "View")
        if view is not None:
            view.addSeparator()
            for dock in (self.notes_dock, self.compare_dock, self.panel_dock):
                dock.toggleViewAction().setToolTip(f"Show or hide the {dock.windowTitle()} "
                                                   "panel")
                view.addAction(dock.toggleViewAction())

    @staticmethod
    def _placeholder():
        label = QLabel("This lesson has no panel of its own.")
        label.setAlignment(Qt.AlignCenter)
        return label

    # -- opening -------------------------------------------------------------------------------
    def show_start_page(self) -> None:
        page = StartPage(self.lessons, self.window)
        if page.exec() == QDialog.Accepted and page.chosen is not None:
            self.open_lesson(page.chosen)

    def open_lesson(self, number: int, ask: bool = True) -> bool:
        """Open lesson `number` the way File > Open would; False if refused or broken."""
        try:
            info = C.find_lesson(number)
        except C.LessonError as exc:
            self.window.files.show_problems("Cannot open lesson", f"Lesson {number} could not be "
                                      "found; the current network is unchanged.", [str(exc)])
            return False
        return self.window.files.open_path(info.path, ask=ask, remember=False)

    def _on_document_opened(self, doc: dict) -> None:
        if "lesson" in doc:
            self._show_lesson(doc)
        else:
            self.close_lesson()

    def _show_lesson(self, doc: dict) -> None:
        self.lesson_doc, self.number, self.position = doc, int(doc["lesson"]["number"]), 0
        self._install_panel(doc)
        self.compare.set_lesson(doc if C.variants(doc) else None)
        self.compare_dock.setVisible(bool(C.variants(doc)))
        self.notes_dock.show()
        self.notes_dock.raise_()
        if self.panel is not None:
            self.panel_dock.raise_()
        elif self.compare_dock.isVisible():
            self.compare_dock.raise_()
        self._show_notes()
        self.lesson_opened.emit(self.number)

    def _install_panel(self, doc: dict) -> None:
        """The lesson's own figure (race, curves, histograms, gradient check, Keras code)."""
        self._remove_panel()
        lesson, views = doc["lesson"], doc.get("views", [])
        current = lambda: C.preset_document(self.window.model.doc)  # noqa: E731
        if "race" in lesson:
            panel = OptimizerRacePanel(lesson["race"])
        elif "curves" in lesson or "activation_curves" in views:
            panel = ActivationPanel(lesson.get("curves"))
        elif "init_histograms" in lesson:
            panel = InitHistogramsPanel(lesson["init_histograms"])
        elif "gradient_check" in lesson or "gradient_check" in views:
            panel = GradcheckPanel(current, lesson.get("gradient_check"),
                                   base_dir=lambda: D.document_folder(self.window.model.path))
        elif "keras_code" in views:
            panel = KerasCodePanel()
            panel.show_document(current())
        else:
            self.panel_dock.hide()
            return
        self.panel = panel
        self.panel_dock.setWidget(panel)
        # Just the figure's name: the dock shares a tab row with three others, where
        # "Lesson 14: Keras code" was cut to "Lesson 14: K..."; the notes name the lesson.
        self.panel_dock.setWindowTitle(panel.title)
        self.panel_dock.show()

    def _remove_panel(self) -> None:
        if self.panel is not None:
            shutdown = getattr(self.panel, "shutdown", None)
            if shutdown is not None:
                shutdown()
            self.panel_dock.setWidget(self._placeholder())   # setWidget(None) crashes PySide6
            self.panel.deleteLater()
            self.panel = None

    def close_lesson(self) -> None:
        """Another document was opened: the lesson's docks go away."""
        self.lesson_doc, self.number, self.position = None, None, 0
        self._remove_panel()
        for dock in (self.panel_dock, self.compare_dock, self.notes_dock):
            dock.hide()
        self.compare.set_lesson(None)
        self.notes.show_lesson(None)

    # -- steps ---------------------------------------------------------------------------------
    def step_count(self) -> int:
        return len(C.steps(self.lesson_doc)) if self.lesson_doc else 0

    def step(self, delta: int) -> None:
        self.go_to(self.position + int(delta))

    def go_to(self, position: int) -> bool:
        """Apply step `position` (0 = the lesson as opened) as one undoable edit."""
        if self.lesson_doc is None or not 0 <= position <= self.step_count():
            return False
        all_steps = C.steps(self.lesson_doc)
        base = C.preset_document(self.lesson_doc)
        restore = {}
        for step in all_steps:      # undo every step's changes, then apply this one's
            for path in step.get("changes", {}):
                try:
                    restore[path] = C.get_path(base, path)
                except C.LessonError:
                    pass
        changes = all_steps[position - 1].get("changes", {}) if position else {}
        title = all_steps[position - 1]["title"] if position else "overview"

        try:
            target = C.apply_changes(C.apply_changes(self.window.model.doc, restore), changes)
        except C.LessonError as exc:
            self.window.files.show_problems("Cannot apply the lesson step", "The network was edited "
                                      "so that this step no longer fits; reopen the lesson to "
                                      "start again.", [str(exc)])
            return False
        self.window.model.edit(f"Lesson step: {title}",
                               lambda doc: (doc.clear(), doc.update(target)))
        self.position = position
        self._show_notes()
        self.position_changed.emit(position)
        return True

    def _show_notes(self) -> None:
        doc = self.lesson_doc
        lesson = doc["lesson"]
        n = self.step_count()
        # The notes' own "# Title" would be the largest text on the screen; the dock's title
        # line says it already, so headings are demoted to a readable size.
        markdown = re.sub(r"^#{1,2} ", "#### ", doc.get("description", ""), flags=re.M)
        if self.position:
            step = C.steps(doc)[self.position - 1]
            step_line = f"Step {self.position} of {n}: {step['title']}"
            markdown = (f"### {step_line}\n\n{step.get('notes', '')}\n\n---\n\n{markdown}")
        else:
            step_line = f"Overview \u2014 {n} step{'s' if n != 1 else ''} to go through" \
                if n else "Overview"
        self.notes.show_lesson(f"Lesson {lesson['number']}: {lesson['title']}", markdown,
                               step_line, self.position > 0, self.position < n)

    # -- window events -------------------------------------------------------------------------
    def _on_document_changed(self, _kind: str) -> None:
        if isinstance(self.panel, KerasCodePanel):
            self.panel.show_document(C.preset_document(self.window.model.doc))

    def eventFilter(self, obj, event):  # noqa: N802
        if obj is self.window and event.type() == QEvent.Close:
            self.shutdown()
        return False

    def shutdown(self) -> None:
        """Stop every background thread (comparison, panel computations)."""
        self.compare.stop()
        if self.panel is not None and getattr(self.panel, "shutdown", None):
            self.panel.shutdown()


def install_lessons(window: QMainWindow, diagram_view) -> LessonsController:
    """Add the Lessons menu, start page, notes/compare/panel docks and presenter mode
    (which scales `diagram_view`'s text)."""
    return LessonsController(window, diagram_view)


__all__ = ["LessonsController", "install_lessons"]
