"""Lesson 14: the Keras program equivalent to a preset document.

The program is the Keras export's (`nnplayground.export.keras`, File > Export... > Keras)
without the trained weights: one generator for both, so the lesson and the export never
disagree. See that module for how nnplayground's layers map to Keras'.
"""

from nnplayground.export.graph import ExportError
from nnplayground.export.keras import keras_code as _keras_code

from .catalog import LessonError


def keras_code(doc, style="auto"):
    """Return the Keras (TensorFlow 2 / Keras 3) program for a preset, as a string.

    ``style``: "sequential" (``model.add`` per layer; LessonError naming the node for a graph
    with branches), "functional" (``keras.Model(inputs, outputs)``, which also expresses Add
    and Concatenate skips), or "auto": sequential whenever the graph is one chain.
    """
    try:
        return _keras_code(doc, style=style)
    except ExportError as exc:
        raise LessonError("; ".join(str(p) for p in exc.problems)) from None
