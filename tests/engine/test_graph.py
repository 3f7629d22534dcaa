"""check_graph finds every kind of bad graph and says what is wrong and how to fix it;
build_model refuses such graphs with GraphError; shapes are inferred."""

import numpy as np
import pytest

from nnplayground.engine import GraphError, build_model, check_graph

from engine_graphs import MNIST_CNN, chain, node


def messages(spec):
    report = check_graph(spec)
    assert not report.ok
    return [str(p) for p in report.problems]


def one_problem(spec, *fragments):
    """The single problem of `spec`; every fragment must be in its text."""
    report = check_graph(spec)
    assert len(report.problems) == 1, [str(p) for p in report.problems]
    text = str(report.problems[0])
    for fragment in fragments:
        assert fragment in text, text
    return report.problems[0]


def test_shape_inference_for_a_cnn():
    report = check_graph(MNIST_CNN)
    assert report.ok, report.problems
    assert report.shapes == {"x": (1, 28, 28), "n0": (16, 28, 28), "n1": (16, 14, 14),
                             "n2": (32, 14, 14), "n3": (32, 7, 7), "n4": (1568,), "n5": (10,)}
    assert report.order == ["x", "n0", "n1", "n2", "n3", "n4", "n5"]
    model = build_model(MNIST_CNN)
    assert model.input_shape == (1, 28, 28) and model.output_shape == (10,)
    y = model.forward(np.zeros((2, 1, 28, 28), np.float32))
    assert y.shape == (2, 10)


def test_stride_padding_and_odd_pooling_shapes():
    spec = chain([3, 9, 7], ("Conv2D", {"filters": 4, "kernel": [3, 2], "stride": 2, "padding": 1}),
                 ("AvgPool2D", {"size": 3, "stride": 1}), ("Reshape", {"shape": [-1]}))
    report = check_graph(spec)
    assert report.ok, report.problems
    assert report.shapes["n0"] == (4, 5, 4)
    assert report.shapes["n1"] == (4, 3, 2)
    assert report.shapes["n2"] == (24,)


def test_dense_after_an_image_needs_flatten():
    spec = chain([1, 28, 28], ("Dense", {"units": 10}))
    p = one_problem(spec, '"n0" (Dense)', "expects a flat input", "(batch, 1, 28, 28)",
                    'from "x"', "add a Flatten")
    assert p.node_id == "n0" and p.path == "model.nodes[1]"


def test_conv_on_a_flat_input_needs_reshape():
    spec = chain([784], ("Dense", {"units": 128}), ("Conv2D", {"filters": 4, "kernel": 3}))
    one_problem(spec, '"n1" (Conv2D)', "expects an image input (batch, channels, height, width)",
                "got (batch, 128)", 'from "n0"', "Reshape")


def test_add_of_unequal_shapes():
    spec = {"nodes": [node("x", "Input", shape=[3]),
                      node("a", "Dense", ["x"], units=4), node("b", "Dense", ["x"], units=5),
                      node("s", "Add", ["a", "b"])], "output": "s"}
    one_problem(spec, '"s" (Add)', "(batch, 4)", "(batch, 5)", "equal")


def test_concatenate_of_images_of_different_sizes():
    spec = {"nodes": [node("x", "Input", shape=[1, 8, 8]),
                      node("a", "Conv2D", ["x"], filters=2, kernel=3),
                      node("c", "Concatenate", ["a", "x"])], "output": "c"}
    one_problem(spec, '"c" (Concatenate)', "(batch, 2, 6, 6)", "(batch, 1, 8, 8)")


def test_kernel_larger_than_input():
    spec = chain([1, 4, 4], ("Conv2D", {"filters": 2, "kernel": 5}))
    one_problem(spec, '"n0" (Conv2D)', "kernel 5x5 is larger than its input 4x4",
                "smaller kernel or more padding")
    spec = chain([1, 3, 3], ("MaxPool2D", {"size": 4}))
    one_problem(spec, '"n0" (MaxPool2D)', "larger than its input 3x3")


def test_cycle():
    spec = {"nodes": [node("x", "Input", shape=[2]),
                      node("a", "Add", ["x", "b"]), node("b", "Dense", ["a"], units=2),
                      node("out", "Dense", ["b"], units=1)], "output": "out"}
    text = " ".join(messages(spec))
    assert "cycle" in text and '"a"' in text and '"b"' in text
    assert "remove one of these connections" in text


def test_node_not_connected_to_the_output():
    spec = {"nodes": [node("x", "Input", shape=[2]), node("h", "Dense", ["x"], units=3),
                      node("dead", "Dense", ["x"], units=3),
                      node("out", "Dense", ["h"], units=1)], "output": "out"}
    one_problem(spec, '"dead" (Dense)', 'not connected to the output "out"', "delete it")


def test_node_not_reachable_from_the_input():
    spec = {"nodes": [node("x", "Input", shape=[2]), node("a", "Dense", ["b"], units=2),
                      node("b", "Dense", ["a"], units=2), node("s", "Add", ["x", "b"])],
            "output": "s"}
    text = " ".join(messages(spec))
    assert "cycle" in text     # a <-> b are a cycle fed by nothing
    spec = {"nodes": [node("x", "Input", shape=[2]), node("a", "Flatten", []),
                      node("out", "Dense", ["a"], units=1)], "output": "out"}
    text = " ".join(messages(spec))
    assert '"a" (Flatten): takes exactly 1 input, got 0' in text


def test_wrong_number_of_inputs():
    spec = {"nodes": [node("x", "Input", shape=[2]), node("s", "Add", ["x"])], "output": "s"}
    one_problem(spec, '"s" (Add)', "takes 2 or more inputs, got 1")
    spec = {"nodes": [node("x", "Input", shape=[2]), node("y", "Dense", ["x"], units=2),
                      node("d", "Dense", ["x", "y"], units=2)], "output": "d"}
    one_problem(spec, '"d" (Dense)', "takes exactly 1 input, got 2 (x, y)")


@pytest.mark.parametrize("value,expected", [(0, "positive integer"), (-2, "positive integer"),
                                            (2.5, "positive integer"), ("8", "positive integer"),
                                            (True, "positive integer")])
def test_non_positive_or_non_integer_sizes(value, expected):
    spec = chain([2], ("Dense", {"units": value}))
    p = one_problem(spec, '"n0" (Dense)', "units", expected, f"got {value!r}")
    assert p.path == "model.nodes[1].params.units"


def test_bad_input_shape_and_rates():
    assert "non-empty list of positive integers" in " ".join(messages(chain([0, 3])))
    assert "0 <= rate < 1" in " ".join(messages(chain([2], ("Dropout", {"rate": 1.0}))))
    assert "must be an integer >= 0" in " ".join(
        messages(chain([1, 5, 5], ("Conv2D", {"filters": 1, "kernel": 3, "padding": -1}))))


def test_integral_floats_are_accepted():
    report = check_graph(chain([2.0], ("Dense", {"units": 4.0})))
    assert report.ok and report.shapes["n0"] == (4,)


def test_unknown_type_activation_init_and_parameter():
    spec = chain([2], ("Dens", {"units": 2}), ("Dense", {"units": 1}))
    # one problem only: the nodes around the unknown one are not reported as disconnected
    one_problem(spec, "unknown node type 'Dens' (did you mean 'Dense'?)")
    spec = chain([2], ("Dense", {"units": 2, "activation": "rellu"}))
    one_problem(spec, '"n0" (Dense)', "unknown activation (did you mean 'relu'?)",
                "leaky_relu", "got 'rellu'")
    spec = chain([2], ("Dense", {"units": 2, "init": "glorot"}))
    one_problem(spec, "unknown initialiser", "xavier", "he")
    spec = chain([2], ("Dense", {"units": 2, "unts": 3}))
    one_problem(spec, "unknown parameter 'unts' (did you mean 'units'?)")
    spec = chain([2], ("Activation", {}))
    one_problem(spec, "'function' is missing")


def test_unknown_input_id_and_duplicate_id():
    spec = {"nodes": [node("x", "Input", shape=[2]), node("h", "Dense", ["xx"], units=2)],
            "output": "h"}
    assert "input 'xx' is not a node of this graph" in " ".join(messages(spec))
    spec = {"nodes": [node("x", "Input", shape=[2]), node("h", "Dense", ["x"], units=2),
                      node("h", "Dense", ["h"], units=2)], "output": "h"}
    assert "the id is already used by model.nodes[1]" in " ".join(messages(spec))


def test_missing_or_several_inputs():
    spec = {"nodes": [node("h", "Dense", [], units=2)], "output": "h"}
    assert "exactly one Input node, found 0" in " ".join(messages(spec))
    spec = {"nodes": [node("x", "Input", shape=[2]), node("x2", "Input", shape=[2]),
                      node("s", "Add", ["x", "x2"])], "output": "s"}
    assert "exactly one Input node, found 2: 'x', 'x2'" in " ".join(messages(spec))


def test_output_unknown_or_ambiguous():
    spec = chain([2], ("Dense", {"units": 2}))
    spec["output"] = "nope"
    assert "the output 'nope' is not a node" in " ".join(messages(spec))
    spec = {"nodes": [node("x", "Input", shape=[2]), node("a", "Dense", ["x"], units=2),
                      node("b", "Dense", ["x"], units=2)]}
    assert 'no "output" is given' in " ".join(messages(spec))
    spec = {"nodes": [node("x", "Input", shape=[2]), node("a", "Dense", ["x"], units=2)]}
    assert check_graph(spec).ok and check_graph(spec).output == "a"


def test_garbage_never_raises():
    for spec in (None, [], {"nodes": 3}, {"nodes": [1, "a", None]},
                 {"nodes": [{"id": 3}]}, {"nodes": [{"id": "x", "type": "Input",
                                                     "params": [1]}]}):
        report = check_graph(spec)
        assert not report.ok


def test_every_problem_is_reported_at_once():
    spec = chain([1, 28, 28], ("Dense", {"units": -1}), ("Conv2D", {"filters": 0, "kernel": 3}))
    report = check_graph(spec)
    paths = {p.path for p in report.problems}
    assert {"model.nodes[1].params.units", "model.nodes[2].params.filters"} <= paths


def test_build_model_raises_graph_error_listing_problems():
    spec = chain([1, 28, 28], ("Dense", {"units": 10}), ("Dense", {"units": 0}))
    with pytest.raises(GraphError) as info:
        build_model(spec)
    assert len(info.value.problems) == 2
    text = str(info.value)
    assert "2 problems" in text and "add a Flatten" in text and "positive integer" in text


def test_a_dense_of_a_billion_units_is_refused_before_any_allocation():
    spec = chain([1], ("Dense", {"units": 2}), ("Dense", {"units": 10 ** 9}),
                 ("Dense", {"units": 1}))
    p = one_problem(spec, '"n1" (Dense): 1,000,000,000 units would need 11 GB of weights',
                    "at most 1 GB", "use at most 67,108,864 units")
    assert p.node_id == "n1" and p.path == "model.nodes[2].params.units"
    assert check_graph(spec).shapes["n2"] is None        # no echo from the layer after it
    with pytest.raises(GraphError, match="1,000,000,000 units would need"):
        build_model(spec)
    # The advised size is accepted (checked, not built: it is still a 0.75 GB layer), one
    # more is not: the output of one sample must stay within 0.25 GB too.
    spec["nodes"][2]["params"]["units"] = 67_108_864
    assert check_graph(spec).ok
    spec["nodes"][2]["params"]["units"] += 1
    one_problem(spec, "67,108,865 units would output 67,108,865 values per sample")


def test_a_conv_whose_weights_exceed_1_gb_names_the_filters_to_use():
    spec = chain([512, 8, 8], ("Conv2D", {"filters": 100_000, "kernel": 3}))
    p = one_problem(spec, '"n0" (Conv2D): 100,000 filters would need 1.7 GB of weights',
                    "use at most 58,241 filters")
    assert p.path == "model.nodes[1].params.filters"


def test_an_output_too_large_for_a_batch_names_the_node_and_the_fix():
    one_problem(chain([3, 10_000, 10_000], ("Flatten", {})),
                '"x" (Input): the shape [3, 10000, 10000] would output 300,000,000 values per '
                "sample (1.1 GB)", "use a smaller input shape")
    one_problem(chain([1, 4096, 4096], ("Conv2D", {"filters": 64, "kernel": 3, "padding": 1})),
                '"n0" (Conv2D): 64 filters would output 1,073,741,824 values per sample (4 GB)',
                "use at most 4 filters")


def test_cycle_without_output_is_one_problem_not_a_confusing_sink_count():
    spec = {"nodes": [node("x", "Input", shape=[2]), node("a", "Add", ["x", "b"]),
                      node("b", "Dense", ["a"], units=2)]}
    found = messages(spec)
    assert any("cycle" in m for m in found)
    assert not any("whose result is not used" in m for m in found), found
    # a cycle beside two real sinks: the cycle is what to fix first
    spec["nodes"] += [node("c", "Dense", ["x"], units=1), node("d", "Dense", ["x"], units=1)]
    assert not any("whose result is not used" in m for m in messages(spec))


def test_two_sinks_without_output_still_asks_for_the_output():
    spec = {"nodes": [node("x", "Input", shape=[2]), node("c", "Dense", ["x"], units=1),
                      node("d", "Dense", ["x"], units=1)]}
    found = messages(spec)
    assert any("2 nodes whose result is not used ('c', 'd')" in m for m in found), found
