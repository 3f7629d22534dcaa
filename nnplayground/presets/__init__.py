"""Presets: the versioned JSON description of a whole experiment, its validation, atomic file
io, trained-model files (.npz, no pickle) and the built-in gallery.

Imports numpy and jsonschema only (plus `nnplayground.engine` for graph checks); never Qt.
"""

from .errors import FORMAT, VERSION, ModelFileError, PresetError, Problem
from .gallery import (PresetInfo, builtin_names, builtin_presets, load_builtin, presets_dir,
                      resolve, resources_dir)
from .io import atomic_write_bytes, dumps_preset, load_preset, parse_preset, save_preset
from .modelfile import load_model, load_trained_model, save_model
from .validation import preset_schema, validate_preset

__all__ = [
    "FORMAT", "VERSION", "ModelFileError", "PresetError", "Problem", "PresetInfo",
    "builtin_names", "builtin_presets", "load_builtin", "presets_dir", "resolve",
    "resources_dir", "atomic_write_bytes", "dumps_preset", "load_preset", "parse_preset",
    "save_preset", "load_model", "load_trained_model", "save_model", "preset_schema",
    "validate_preset",
]
