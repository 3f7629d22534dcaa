"""The format reference stays true: its example is the shipped xor preset and it validates."""

import json
import re
from pathlib import Path

from nnplayground.presets import presets_dir, validate_preset

DOC = Path(__file__).resolve().parents[2] / "docs" / "preset-format.md"


def test_full_example_is_the_builtin_xor_and_valid():
    text = DOC.read_text("utf-8")
    example = re.search(r"## A full example.*?```json\n(.*?)```", text, re.S).group(1)
    assert example == (presets_dir() / "xor.json").read_text("utf-8")
    assert validate_preset(json.loads(example)) == []


def test_every_node_type_of_the_schema_is_documented():
    from nnplayground.presets import preset_schema
    types = preset_schema()["$defs"]["node"]["properties"]["type"]["enum"]
    text = DOC.read_text("utf-8")
    assert [t for t in types if f"`{t}`" not in text] == []
