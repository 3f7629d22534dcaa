"""One catalogue of node types (engine/catalogue.py): the graph checker, layer construction,
the editor and the preset schema all agree with it."""

import inspect
import json
from importlib import resources

import jsonschema
import numpy as np
import pytest

from nnplayground.engine import build_model, check_graph
from nnplayground.engine.catalogue import NODE_TYPES, REQUIRED
from nnplayground.engine.layers import LAYER_TYPES

from engine_graphs import node


def schema():
    text = resources.files("nnplayground.presets").joinpath("preset.schema.json").read_text()
    return json.loads(text)


def schema_params(type_name):
    """(property names, required names) of `params` for `type_name` in the preset schema."""
    for case in schema()["$defs"]["node"]["allOf"]:
        cond = case["if"]["properties"]["type"]
        if type_name == cond.get("const") or type_name in cond.get("enum", ()):
            params = case["then"].get("properties", {}).get("params", {})
            return set(params.get("properties", {})), set(params.get("required", []))
    raise AssertionError(f"the schema has no case for {type_name}")


def test_the_catalogue_names_every_layer_type_and_the_schema_the_same_ones():
    assert list(NODE_TYPES) == list(LAYER_TYPES)
    assert schema()["$defs"]["node"]["properties"]["type"]["enum"] == list(NODE_TYPES)


@pytest.mark.parametrize("type_name", list(NODE_TYPES))
def test_the_schema_takes_exactly_the_catalogues_parameters(type_name):
    names, required = schema_params(type_name)
    spec = NODE_TYPES[type_name]
    assert names == {p.name for p in spec.params}
    assert required == {p.name for p in spec.params if p.required}
    enums = {"activation": "activation", "init": "init", "function": "activation"}
    for p in spec.params:
        if p.kind == "choice":
            assert set(schema()["$defs"][enums[p.name]]["enum"]) == set(p.choices), p.name


@pytest.mark.parametrize("type_name", list(NODE_TYPES))
def test_every_parameter_is_a_keyword_of_its_layer_class(type_name):
    keywords = inspect.signature(LAYER_TYPES[type_name]).parameters
    assert {p.name for p in NODE_TYPES[type_name].params} <= set(keywords)


@pytest.mark.parametrize("type_name", list(NODE_TYPES))
def test_a_new_node_is_valid_for_the_checker_and_the_schema(type_name):
    spec = NODE_TYPES[type_name]
    for p in spec.params:
        value = spec.new_params.get(p.name, p.shown_default)
        assert p.check(value)[1] is None, (p.name, value)
        assert p.required == (p.default is REQUIRED)
    doc_node = {"id": "n", "type": type_name, "params": dict(spec.new_params), "inputs": []}
    node_schema = {"$defs": schema()["$defs"], "$ref": "#/$defs/node"}
    jsonschema.validate(doc_node, node_schema)


def test_the_editor_shows_the_engines_catalogue():
    from nnplayground.ui import document as D

    assert D.NODE_TYPES is NODE_TYPES
    assert D.param_value({"type": "Dense", "params": {"units": 3}}, "init") == "xavier"
    assert D.param_value({"type": "Conv2D", "params": {}}, "filters") == 8


def test_layers_are_built_by_keyword_from_the_checked_params():
    spec = {"nodes": [node("x", "Input", [], shape=[1, 6, 6]),
                      node("c", "Conv2D", ["x"], filters=3, kernel=[3, 2], stride=2,
                           padding=1, activation="leaky_relu", alpha=0.2),
                      node("b", "BatchNorm", ["c"], momentum=0.8),
                      node("f", "Flatten", ["b"]),
                      node("d", "Dropout", ["f"], rate=0.25),
                      node("o", "Dense", ["d"], units=2, use_bias=False)],
            "output": "o"}
    assert check_graph(spec).ok
    m = build_model(spec)
    conv = m.layers["c"]
    assert (conv.kh, conv.kw, conv.stride, conv.padding) == (3, 2, 2, 1)
    assert conv.activation.name == "leaky_relu" and conv.activation.alpha == 0.2
    assert m.layers["b"].momentum == 0.8 and m.layers["d"].rate == 0.25
    assert set(m.layers["o"].params) == {"W"} and m.layers["o"].params["W"].shape == (36, 2)
    assert m.predict(np.zeros((2, 1, 6, 6), np.float32)).shape == (2, 2)
