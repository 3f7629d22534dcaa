"""The desktop app (PySide6): a main window that edits a preset document as a diagram.

main_window  layout, menus, toolbar; fileops (files, recent, gallery, trained models) and
             training (worker wiring) are its mixins
diagram      the scene/view of the model graph; diagram_items draws blocks, ports and weights
document     pure edits of the preset document; undo wraps each in a QUndoCommand
panels, properties, palette, gallery   the side panels and dialogs
validation   shapes and problems (engine check_graph + presets validate_preset)
app          run_app(): the `nnplayground` / `nnplayground open` entry and screenshot mode
views/       the live training views (installed by views.install_views)
"""
