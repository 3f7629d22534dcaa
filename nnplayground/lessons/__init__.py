"""Lesson content: the catalogue of classroom lessons and the computations behind their views.

numpy only (no Qt), so the GUI, the tests and a notebook can all use it:

- :mod:`.catalog` - list lessons, load one, apply a step's or variant's ``changes``;
- :mod:`.compare` - train several variants headless on the same data (the compare view);
- :mod:`.optimizer_race` - lesson 6: optimizer paths on 2-D functions, contour grids;
- :mod:`.init_histograms` - lesson 8: per-layer activation histograms for each initialisation;
- :mod:`.activation_curves` - lesson 3: each activation and its derivative, sampled;
- :mod:`.gradcheck_timing` - lesson 5: numerical against back-propagated gradients, timed;
- :mod:`.keras_code` - lesson 14: the equivalent Keras program for a sequential preset;
- :mod:`.augmentation` - lesson 15: accuracy on moved and turned test digits.
"""

from .catalog import (
    LessonError, LessonInfo, apply_changes, compare_groups, find_lesson, get_path,
    lesson_problems, lessons_dir, list_lessons, load_lesson, preset_document, step_document,
    steps, variant_document, variants,
)

__all__ = [
    "LessonError", "LessonInfo", "apply_changes", "compare_groups", "find_lesson", "get_path",
    "lesson_problems", "lessons_dir", "list_lessons", "load_lesson", "preset_document",
    "step_document", "steps", "variant_document", "variants",
]
