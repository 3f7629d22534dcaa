"""The main window: diagram in the centre, palette and data on the left, properties and training
on the right, problems below; menus, toolbar, status bar.

The window owns the edited preset document (DocumentModel), the diagram and the panels, and
wires its collaborators, each given what it needs in its constructor:

- `files` (FileOps, ui/fileops.py): New, Open, Save, recent files, trained models, drops;
- `training` (TrainingControls, ui/training.py): Play/Step/Reset and what the worker has; a
  structural change reloads the run, a live change (learning rate, batch size, L1/L2) is sent
  as hyperparameters without a reset;
- `window_layout` (WindowLayout, ui/layout.py): the designed arrangement of the docks, saved
  and restored; `lessons.presenter` (ui/lessons/presenter.py): presenter mode.
"""

from __future__ import annotations

import os

from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QIcon, QKeySequence
from PySide6.QtWidgets import (QDockWidget, QFileDialog, QListWidget, QListWidgetItem,
                               QMainWindow, QMessageBox, QScrollArea, QToolBar, QWidget)

from nnplayground.ui import document as D
from nnplayground.ui.actions import make_action
from nnplayground.ui.diagram import DiagramScene, DiagramView
from nnplayground.ui.views.code import show_code
from nnplayground.ui.views.point_editor import PointEditor, save_data_csv
from nnplayground.ui.export_dialog import open_export_dialog
from nnplayground.ui.record_dialog import open_record_dialog
from nnplayground.ui.fileops import FileOps
from nnplayground.ui.layout import WindowLayout, kind_of
from nnplayground.ui.lessons import install_lessons
from nnplayground.ui.training import VIEW_ALIASES, TrainingControls
from nnplayground.ui.palette import LayerPalette
from nnplayground.ui.panels import DatasetPanel, TrainingPanel
from nnplayground.ui.properties import PropertiesPanel
from nnplayground.ui.undo import DocumentModel
from nnplayground.ui.validation import check_document, check_model

ORGANIZATION = "nnplayground"
APPLICATION = "nnplayground"


def make_settings() -> QSettings:
    """INI settings under the user scope; tests redirect them with QSettings.setPath."""
    return QSettings(QSettings.IniFormat, QSettings.UserScope, ORGANIZATION, APPLICATION)


def app_icon() -> QIcon:
    """resources/icons/nnplayground.svg (found through the presets' resources folder)."""
    try:
        from nnplayground.presets import resources_dir
        path = resources_dir() / "icons" / "nnplayground.svg"
    except ImportError:
        return QIcon()
    return QIcon(str(path)) if path.is_file() else QIcon()


def _dock(title: str, widget: QWidget, name: str, tip: str, scroll=False) -> QDockWidget:
    dock = QDockWidget(title)
    dock.setObjectName(name)
    if scroll:
        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setWidget(widget)
        area.setFrameShape(QScrollArea.NoFrame)
        widget = area
    dock.setWidget(widget)
    dock.setToolTip(tip)
    return dock


class MainWindow(QMainWindow):
    """The editor. Public parts others use: `model` (the DocumentModel), `scene` and `view`
    (the diagram), `controller` (the worker's TrainingController or None), `settings`,
    `status` (the editor's check of the document: its problems, `ok`), the collaborators
    `files`, `training` and `window_layout`, and the panels and docks. `files.document_opened`
    fires after New/Open/Gallery/lesson replaced the document."""

    def __init__(self, controller=None, settings: QSettings | None = None, doc: dict | None = None,
                 create_controller: bool = True):
        super().__init__()
        self.settings = settings or make_settings()
        self._apply_mnist_setting()
        if controller is None and create_controller:
            from nnplayground.worker import TrainingController
            controller = TrainingController(self)
        self.controller = controller
        self.status = check_model({"nodes": []})
        self.setWindowTitle("nnplayground")
        self.setWindowIcon(app_icon())
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self.window_layout = WindowLayout(self, self.settings, self.wanted_docks)
        self.window_layout.apply_font()      # readable on a projector, larger on large screens

        self.model = DocumentModel(doc or D.empty_document(), self)
        self.scene = DiagramScene(self.model, self, send_parameter=(
            controller.set_parameter if controller is not None else None))
        self.view = DiagramView(self.scene)
        self.view.text_scale = self.window_layout.scale
        self.setCentralWidget(self.view)
        self._make_actions()
        self.training = TrainingControls(self.model, controller, self)
        self.training.message.connect(self.statusBar().showMessage)
        self.training.loading.connect(self._sync_view_docks)
        self.files = FileOps(self.model, self.settings, self.training, controller, self)
        self.files.message.connect(self.statusBar().showMessage)
        self.files.saved.connect(self.update_title)
        # First, before the lessons and the layout react to the new document
        self.files.document_opened.connect(self._on_document_opened)
        self._make_help_actions()
        self._make_docks()
        self._make_menus()
        self._make_toolbar()

        self.model.changed.connect(self._on_document_changed)
        self.model.undo_stack.cleanChanged.connect(self.update_title)
        self.scene.selectionChanged.connect(self._on_selection_changed)
        self.scene.status_message.connect(self._on_status_message)
        self.scene.code_requested.connect(lambda node_id: show_code(self, self.model.doc, node_id))
        self.layer_palette.add_requested.connect(self._add_from_palette)
        self.live_views = None      # the views' hub, set by install_views
        self.view_docks = self._install_views()
        # After the views (the lesson docks tab beside them) and before the saved layout is
        # restored (restoreState finds docks by object name, so the lesson docks must exist).
        self.lessons = install_lessons(self, self.view)
        # After the lessons' own handler, so the design sees the lesson's panel and compare.
        self.files.document_opened.connect(self._on_opened_for_layout)
        if controller is not None:
            controller.snapshot_ready.connect(self._on_snapshot)
            controller.dataset_ready.connect(self.dataset_panel.show_dataset_info)
            controller.dataset_ready.connect(self.scene.set_dataset)
            controller.cleared.connect(lambda: self.scene.set_dataset(None))
        self._on_document_changed("structure")
        self._restore_settings()

    # -- construction ---------------------------------------------------------------------------
    def _action(self, text, slot, shortcut=None, tip="", enabled=True):
        return make_action(self, text, slot, shortcut, tip, enabled)

    def _make_actions(self) -> None:
        """The window's actions (the file ones call `files`, created next)."""
        a = self._action
        self.act_new = a("&New", lambda: self.files.new_document(), QKeySequence.New,
                         "Start an empty network")
        self.act_open = a("&Open\u2026", lambda: self.files.open_dialog(), QKeySequence.Open,
                          "Open a preset (.json) or trained model (.npz)")
        self.act_save = a("&Save", lambda: self.files.save(), QKeySequence.Save,
                          "Save the preset")
        self.act_save_as = a("Save &As\u2026", lambda: self.files.save_as(),
                             QKeySequence.SaveAs, "Save the preset under a new name")
        self.act_gallery = a("&Gallery\u2026", lambda: self.files.open_gallery(), "Ctrl+G",
                             "Browse the built-in presets and their lessons")
        self.act_save_model = a("Save &trained model\u2026",
                                lambda: self.files.save_model_dialog(), None,
                                "Save the preset with its trained weights (.npz)")
        self.act_open_model = a("Open t&rained model\u2026",
                                lambda: self.files.open_model_dialog(), None,
                                "Open a trained model (.npz)")
        self.act_export = a("&Export\u2026", lambda: open_export_dialog(self), None,
                            "Export the trained network to PyTorch, Keras or ONNX")
        self.act_record = a("&Record Animation\u2026", lambda: open_record_dialog(self), None,
                            "Save the training as an animated GIF or MP4 (whole window or a view)")
        self.act_save_csv = a("Save &data as CSV\u2026", lambda: save_data_csv(self), None,
                              "Write the current data points to a CSV file (x1,x2,label)")
        self.act_mnist = a("Set &MNIST folder\u2026", self.choose_mnist_folder, None,
                           "Folder with the full MNIST IDX files (else the bundled sample)")
        self.act_quit = a("&Quit", self.close, QKeySequence.Quit, "Close the window")
        stack = self.model.undo_stack
        self.act_undo = a("&Undo", stack.undo, "Ctrl+Z", "Undo the last edit", enabled=False)
        self.act_redo = a("&Redo", stack.redo, ["Ctrl+Shift+Z", "Ctrl+Y"], "Redo the edit",
                          enabled=False)
        stack.canUndoChanged.connect(self.act_undo.setEnabled)
        stack.canRedoChanged.connect(self.act_redo.setEnabled)
        stack.undoTextChanged.connect(self._on_undo_text_changed)
        stack.redoTextChanged.connect(self._on_redo_text_changed)
        self.act_delete = a("&Delete", self.scene.delete_selection, QKeySequence.Delete,
                            "Delete the selected layers or connections")
        self.act_duplicate = a("D&uplicate", self.scene.duplicate_selection, "Ctrl+D",
                               "Duplicate the selected layers")
        self.act_tidy = a("&Tidy layout", self.scene.tidy, "Ctrl+L",
                          "Arrange the layers left to right by depth")
        self.act_fit = a("&Fit diagram", self.view.fit, "Ctrl+0", "Zoom to show the whole network")
        self.act_full = a("&Full screen", self.toggle_full_screen, "F11", "Full screen (F11)")
        self.act_reset_layout = a("Reset &layout", self.reset_layout, None,
                                  "Arrange the panels as designed for what is open")

    def _make_help_actions(self) -> None:
        """After the training controls' actions, so F1 lists them in menu order."""
        a = self._action
        self.act_about = a("&About", self.about, None, "About nnplayground")
        self.act_keys = a("&Keyboard shortcuts", self.show_keys, "F1", "The keyboard shortcuts")

    def _make_docks(self) -> None:
        """My docks fill the left column; the live views take the right and bottom areas."""
        self.layer_palette = LayerPalette()   # not "palette": that is QWidget.palette()
        self.dataset_panel = DatasetPanel(self.model)
        self.dataset_panel.save_csv.clicked.connect(lambda: save_data_csv(self))
        self.properties = PropertiesPanel(self.model)
        t = self.training
        self.training_panel = TrainingPanel(self.model, [t.act_play, t.act_step, t.act_reset])
        self.problems = QListWidget()
        self.problems.setWordWrap(True)
        self.problems.setToolTip("Everything wrong with the network; click one to select its layer")
        self.problems.itemClicked.connect(self._on_problem_clicked)
        self.dock_layers = _dock("Layers", self.layer_palette, "dock_layers",
                                 "Drag a layer type onto the diagram")
        self.dock_training = _dock("Training", self.training_panel, "dock_training",
                                   "Loss, optimizer and the run controls", scroll=True)
        self.dock_data = _dock("Data", self.dataset_panel, "dock_data",
                               "The dataset and a preview of it", scroll=True)
        self.dock_properties = _dock("Properties", self.properties, "dock_properties",
                                     "Settings of the selected layer", scroll=True)
        self.dock_problems = _dock("Problems", self.problems, "dock_problems",
                                   "Problems that stop the network from training")
        self.my_docks = [self.dock_layers, self.dock_training, self.dock_data,
                         self.dock_properties, self.dock_problems]
        self.setCorner(Qt.BottomLeftCorner, Qt.LeftDockWidgetArea)
        self.setCorner(Qt.BottomRightCorner, Qt.RightDockWidgetArea)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.dock_layers)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.dock_training)
        self.tabifyDockWidget(self.dock_training, self.dock_data)
        self.tabifyDockWidget(self.dock_data, self.dock_properties)
        self.addDockWidget(Qt.LeftDockWidgetArea, self.dock_problems)
        self.dock_training.raise_()

    # Qt (6.11) leaks a tab bar when docks are tabified in a hidden window whose layout has not
    # run since docks were added: the group gets two tab bars, Qt keeps track of one, and the
    # other stays a child of the window that shows with it and paints its stale tabs over the
    # bottom docks (plainly visible in offscreen grabs). Laying the docks out around every
    # dock change avoids it; the live views and the lessons add their docks through these
    # methods too, so the whole window is covered (tests/ui/test_docks.py).
    def addDockWidget(self, *args) -> None:  # noqa: N802
        super().addDockWidget(*args)
        self.layout().activate()

    def tabifyDockWidget(self, first: QDockWidget, second: QDockWidget) -> None:  # noqa: N802
        self.layout().activate()
        super().tabifyDockWidget(first, second)
        self.layout().activate()

    # -- layout -----------------------------------------------------------------------------------
    def wanted_docks(self, doc: dict) -> list[str]:
        """The docks a document asks for (object names): the views in its "views", and the
        open lesson's panel and comparison when it has them (the layout's `wanted`)."""
        names = [VIEW_ALIASES.get(n, n) for n in doc.get("views", [])]
        names = [n for n in names if n in self.view_docks]
        hub, lessons = self.live_views, self.lessons
        lesson_docks = [dock.objectName() for dock, shown in (
            (lessons.panel_dock, lessons.panel is not None),
            (lessons.compare_dock, lessons.compare_dock.isVisibleTo(self))) if shown]
        if hub is not None and lessons.presenter.active:
            # presenting the loaded data: a view with nothing to draw for it stays hidden
            # (on opening, the views still know the previous data; the hub hides them when
            # the new data arrives)
            names = [n for n in names if hub.views[n].info is None
                     or hub.views[n].applies_to(hub.views[n].info)]
        return [f"view_{n}" for n in names] + lesson_docks

    def reset_layout(self) -> None:
        """View > Reset layout: the designed arrangement for what is open."""
        if self.lessons.presenter.active:
            return
        self.window_layout.arrange(self._layout_doc(), lesson=self.lessons.number is not None)
        QTimer.singleShot(0, self.view.fit)

    def _layout_doc(self) -> dict:
        return self.lessons.lesson_doc or self.model.doc

    def _on_opened_for_layout(self, doc: dict) -> None:
        """Every document opens in its designed arrangement (a lesson's views, panel and
        notes where the class expects them), except the first one after a saved arrangement
        of its kind was restored: that is the user's own."""
        lesson = "lesson" in doc
        layout = self.window_layout
        if self.lessons.presenter.active:
            return
        keep = self._keep_next and (kind_of(doc), lesson) == (layout.kind, layout.lesson)
        self._keep_next = False
        if not keep:
            layout.arrange(doc, lesson=lesson)

    def showEvent(self, event):  # noqa: N802
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            if not self._restored:
                # Sizes are shares of the window, known only now
                QTimer.singleShot(0, self.reset_layout)

    def _make_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        file.addActions([self.act_new, self.act_open, self.dataset_panel.act_open_data])
        file.addMenu(self.files.recent_menu)
        file.addActions([self.act_gallery, self.act_save, self.act_save_as])
        file.addSeparator()
        file.addActions([self.act_open_model, self.act_save_model, self.act_export,
                         self.act_record, self.act_save_csv])
        file.addSeparator()
        file.addActions([self.act_mnist, self.act_quit])
        edit = bar.addMenu("&Edit")
        edit.addActions([self.act_undo, self.act_redo])
        edit.addSeparator()
        edit.addActions([self.act_delete, self.act_duplicate, self.act_tidy])
        add = edit.addMenu("&Add layer")
        for t in D.NODE_TYPES:
            add.addAction(t, lambda t=t: self._add_from_palette(t))
        self.view_menu = bar.addMenu("&View")
        self.view_menu.addActions([self.act_fit, self.act_full, self.act_reset_layout])
        self.view_menu.addSeparator()
        for dock in self.my_docks:
            dock.toggleViewAction().setToolTip(f"Show or hide the {dock.windowTitle()} panel")
            self.view_menu.addAction(dock.toggleViewAction())
        train = bar.addMenu("&Train")
        train.addActions(self.training.run_actions())
        train.addSeparator()
        train.addMenu("&Speed").addActions(self.training_panel.speed_actions.actions())
        help_ = bar.addMenu("&Help")
        help_.addActions([self.act_keys, self.act_about])

    def _make_toolbar(self) -> None:
        tb = QToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonTextOnly)
        tb.addActions([self.act_new, self.act_open, self.act_save, self.act_gallery])
        tb.addSeparator()
        tb.addActions([self.act_undo, self.act_redo, self.act_tidy, self.act_fit])
        tb.addSeparator()
        t = self.training
        tb.addActions([t.act_play, t.act_step, t.act_reset])
        self.addToolBar(tb)
        self.toolbar = tb
        self._size_play_button()

    def _size_play_button(self) -> None:
        """Play turns into Pause while training: room for the longer word from the start."""
        play = self.training.act_play
        button = self.toolbar.widgetForAction(play)
        text = play.text()
        play.setText("Pause")
        width = button.sizeHint().width()
        play.setText(text)
        button.setMinimumWidth(width)

    def changeEvent(self, event):  # noqa: N802
        super().changeEvent(event)
        if event.type() == event.Type.FontChange and hasattr(self, "toolbar"):
            self._size_play_button()

    def _install_views(self) -> dict:
        """The live views' docks (another module's); the View menu gets a toggle for each."""
        if self.controller is None:
            return {}
        try:
            from nnplayground.ui.views import install_views
        except ImportError:
            return {}
        docks = install_views(self, self.controller) or {}
        hub = self.live_views
        if hub is not None and "backprop" in hub.views:   # the step-through colours the diagram
            hub.views["backprop"].stage_shown.connect(self.scene.set_weights)
        if hub is not None:     # the diagram's neuron maps; hovering one enlarges it
            hub.add_parts(self.scene.parts)
            self.scene.unit_map_shown.connect(hub.views["boundary"].show_unit_map)
            self.scene.unit_map_hidden.connect(hub.views["boundary"].clear_unit_map)
        if hub is not None:       # clicks on the boundary and curve add and erase points
            self.point_editor = PointEditor(self, hub.views["boundary"], hub.views["curve"])
        if docks:
            self.view_menu.addSeparator()
        for dock in docks.values():
            self.view_menu.addAction(dock.toggleViewAction())
        return docks

    # -- document changes -------------------------------------------------------------------------
    def _on_document_changed(self, kind: str) -> None:
        self.status = check_document(self.model.doc)
        self.scene.sync(self.status)
        self._show_problems()
        self.update_title()
        self.training.document_changed(kind, self.status.ok)

    def _on_document_opened(self, _doc: dict) -> None:
        self.scene.clearSelection()
        self._sync_view_docks(bring_to_front=True)
        QTimer.singleShot(0, self.view.fit)

    def _sync_view_docks(self, bring_to_front: bool = False) -> None:
        """Shows the docks the preset names; the views module hides what the data cannot use.

        On opening a document they also come to the front of their tab groups, the first
        named last so it wins its group; on a reload after an edit they do not, so the tab the
        user picked stays picked.
        """
        for name in reversed(self.model.doc.get("views", [])):
            dock = self.view_docks.get(name) or self.view_docks.get(VIEW_ALIASES.get(name, ""))
            if dock is not None:
                dock.setVisible(True)
                if bring_to_front:
                    dock.raise_()

    def _on_snapshot(self, snapshot) -> None:
        weights = getattr(snapshot, "weights", None)
        if weights:
            self.scene.set_weights(weights)
        self.scene.set_maps(snapshot)

    def _show_problems(self) -> None:
        self.problems.clear()
        for node_id, message in self.status.problems:
            named = not node_id or f'"{node_id}"' in message
            item = QListWidgetItem(message if named else f"{node_id}: {message}")
            item.setData(Qt.UserRole, node_id)
            item.setToolTip(message)
            self.problems.addItem(item)
        n = len(self.status.problems)
        self.dock_problems.setWindowTitle(f"Problems ({n})" if n else "Problems: none")

    def update_title(self, *_args) -> None:
        self.setWindowTitle(f"{self.files.document_name()}[*] \u2014 nnplayground")
        self.setWindowModified(self.model.modified)

    def _on_undo_text_changed(self, text: str) -> None:
        """The short "Undo" stays on the toolbar; what it undoes goes in the tooltip and menu."""
        self.act_undo.setToolTip(f"Undo: {text} (Ctrl+Z)" if text else "Nothing to undo")
        self.act_undo.setIconText("Undo")
        self.act_undo.setText(f"&Undo {text}" if text else "&Undo")

    def _on_redo_text_changed(self, text: str) -> None:
        self.act_redo.setToolTip(f"Redo: {text} (Ctrl+Shift+Z)" if text else "Nothing to redo")
        self.act_redo.setIconText("Redo")
        self.act_redo.setText(f"&Redo {text}" if text else "&Redo")

    def _on_status_message(self, message: str) -> None:
        self.statusBar().showMessage(message, 5000)

    # -- misc slots ----------------------------------------------------------------------------
    def _on_selection_changed(self) -> None:
        ids = self.scene.selected_node_ids()
        self.properties.show_node(ids[0] if len(ids) == 1 else None)
        if len(ids) == 1:
            self.dock_properties.raise_()

    def _on_problem_clicked(self, item) -> None:
        node_id = item.data(Qt.UserRole)
        if node_id:
            self.scene.select_node(node_id)
            self.view.ensureVisible(self.scene.nodes[node_id])

    def _add_from_palette(self, node_type: str) -> None:
        """Double-click or Edit > Add layer: place the layer right of the rightmost one."""
        x = max((item.pos().x() for item in self.scene.nodes.values()), default=-230) + 230
        self.scene.add_layer(node_type, QPointF(x, 0))

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def about(self) -> None:
        from nnplayground import __version__
        QMessageBox.about(self, "About nnplayground",
                          f"nnplayground {__version__}\nBuild, train and watch neural networks "
                          "learn, from XOR to MNIST CNNs.")

    def shortcut_lines(self) -> list[str]:
        """Every shortcut of the window's actions (those added later too: presenter mode, its
        step keys), "keys  what", in the order the actions were made."""
        lines = []
        for action in self.actions():
            keys = " / ".join(k.toString(QKeySequence.NativeText) for k in action.shortcuts())
            if keys:
                name = "Play / pause" if action is self.training.act_play else \
                    action.text().replace("&", "").rstrip(".\u2026")
                lines.append(f"{keys}  {name}")
        return lines + ["Ctrl+wheel  zoom the diagram",
                        "Shift+wheel  scroll a wide diagram sideways (Ctrl+0 shows it whole, "
                        "its blocks compact where it must zoom out)"]

    def show_keys(self) -> None:
        QMessageBox.information(self, "Keyboard shortcuts", "\n".join(self.shortcut_lines()))

    def choose_mnist_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Folder with the MNIST IDX files",
                                                  str(self.settings.value("mnist_dir", "")))
        if folder:
            self.set_mnist_folder(folder)

    def set_mnist_folder(self, folder: str) -> None:
        """Remembered in QSettings; reaches the data package through its environment variable."""
        self.settings.setValue("mnist_dir", folder)
        os.environ["NNPLAYGROUND_MNIST_DIR"] = folder
        if self.model.doc.get("dataset", {}).get("kind") in D.IMAGE_DATASETS:
            self.training.load_into_controller()

    def _apply_mnist_setting(self) -> None:
        folder = self.settings.value("mnist_dir", "")
        if folder and not os.environ.get("NNPLAYGROUND_MNIST_DIR"):
            os.environ["NNPLAYGROUND_MNIST_DIR"] = str(folder)

    # -- settings and closing -------------------------------------------------------------------
    def _restore_settings(self) -> None:
        """The user's saved arrangement, unless it is another version's or does not fit."""
        self._shown_once = False
        self._restored = self._keep_next = self.window_layout.restore()
        if not self._restored:
            # Arranged first: until then every dock shows, and the window cannot be smaller
            # than all of them together.
            self.window_layout.arrange(self._layout_doc(), lesson=False)
            self.window_layout.fit_to_screen()

    def dragEnterEvent(self, event):  # noqa: N802
        self.files.drag_enter(event)

    def dropEvent(self, event):  # noqa: N802
        self.files.drop(event)

    def closeEvent(self, event):  # noqa: N802
        if not self.files.maybe_save():
            event.ignore()
            return
        self.window_layout.save()
        if self.controller is not None:
            self.controller.shutdown()
        event.accept()
