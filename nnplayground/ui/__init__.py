"""The desktop app (PySide6): a main window that edits a preset document as a diagram.

main_window  menus, toolbar, docks; wires its collaborators: fileops.FileOps (files, recent,
             gallery, trained models), training.TrainingControls (Play/Step/Reset, what the
             worker has), layout.WindowLayout (designed arrangements), lessons' PresenterMode
diagram      the scene/view of the model graph; diagram_items draws blocks, ports and weights
document     pure edits of the preset document; undo wraps each in a QUndoCommand
panels, properties, palette, gallery   the side panels and dialogs
validation   shapes and problems (engine check_graph + presets validate_preset)
app          run_app(): the `nnplayground` / `nnplayground open` entry and screenshot mode
views/       the live training views (installed by views.install_views)
recording    GIF/MP4 of the window or a view (live, or rendered from the training history);
             record_dialog is File > Record Animation and every view's "Save View as PNG"
"""
