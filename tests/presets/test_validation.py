"""Every kind of validation problem, each asserting the exact path and the reason's wording."""

import pytest

from nnplayground.presets import Problem, validate_preset


def messages(doc):
    return {p.path: p.message for p in validate_preset(doc)}


def test_valid_document_has_no_problems(doc):
    assert validate_preset(doc) == []


def test_problem_prints_as_path_colon_reason():
    assert str(Problem("model.nodes[3].params.units", "must be x")) == \
        "model.nodes[3].params.units: must be x"


def test_negative_units(doc):
    doc["model"]["nodes"][1]["params"]["units"] = -2
    assert messages(doc) == {"model.nodes[1].params.units": "must be a positive integer, got -2"}


def test_wrong_type_is_named_with_the_json_value(doc):
    doc["training"]["batch_size"] = "ten"
    assert messages(doc)["training.batch_size"] == 'must be a positive integer, got "ten"'


def test_missing_required_keys_each_reported(doc):
    del doc["optimizer"]["lr"]
    del doc["loss"]
    assert messages(doc) == {"optimizer.lr": "is required", "loss": "is required"}


def test_unknown_key_lists_the_allowed_ones(doc):
    doc["model"]["nodes"][1]["params"]["unit"] = 3
    msg = messages(doc)["model.nodes[1].params.unit"]
    assert msg.startswith("unknown key (allowed here: activation, alpha, bias_init, init")
    assert "units" in msg


def test_unknown_enum_value(doc):
    doc["model"]["nodes"][1]["params"]["activation"] = "relu6"
    assert messages(doc)["model.nodes[1].params.activation"].startswith(
        "must be one of identity, step, sigmoid")
    assert messages(doc)["model.nodes[1].params.activation"].endswith('got "relu6"')


def test_unknown_node_type(doc):
    doc["model"]["nodes"][1]["type"] = "LSTM"
    assert messages(doc)["model.nodes[1].type"].endswith('got "LSTM"')


def test_bad_id_pattern(doc):
    doc["model"]["nodes"][1]["id"] = "1st layer"
    doc["model"]["nodes"][2]["inputs"] = ["1st layer"]
    assert "must be an id of letters" in messages(doc)["model.nodes[1].id"]


def test_out_of_range_dataset_parameter(doc):
    doc["dataset"]["train_fraction"] = 0.95
    assert messages(doc) == {"dataset.train_fraction": "must be a number from 0.1 to 0.9, got 0.95"}


def test_repeated_feature(doc):
    doc["dataset"]["features"] = ["x1", "x1"]
    assert messages(doc)["dataset.features"] == 'must not repeat an item, got ["x1", "x1"]'


def test_duplicate_node_id(doc):
    doc["model"]["nodes"][2]["id"] = "h1"
    doc["model"]["output"] = "h1"
    assert messages(doc)["model.nodes[2].id"] == (
        'duplicate id "h1" (already used by model.nodes[1]); give each node its own id')


def test_unknown_input_id(doc):
    doc["model"]["nodes"][2]["inputs"] = ["h2"]
    assert messages(doc) == {
        "model.nodes[2].inputs[0]": 'unknown node id "h2" (known ids: x, h1, out)'}


def test_unknown_output_id(doc):
    doc["model"]["output"] = "y"
    assert messages(doc) == {"model.output": 'unknown node id "y" (known ids: x, h1, out)'}


def test_loss_against_output_activation(doc):
    doc["loss"] = "cross_entropy"
    doc["model"]["nodes"][2]["params"]["units"] = 2
    msg = messages(doc)["model.nodes[2].params.activation"]
    assert msg.startswith('the loss "cross_entropy" needs the output node "out" to end in softmax, '
                          "got sigmoid")


def test_regression_dataset_needs_mse(doc):
    doc["dataset"] = {"kind": "sine"}
    doc["model"]["nodes"][0]["params"]["shape"] = [1]
    assert messages(doc)["loss"] == ('the dataset "sine" is a regression task, which needs "mse", '
                                     'got "binary_cross_entropy"')


def test_input_shape_against_dataset(doc):
    doc["model"]["nodes"][0]["params"]["shape"] = [3]
    assert messages(doc)["model.nodes[0].params.shape"] == \
        'the dataset "xor" gives inputs of shape [2], got [3]'


def test_two_dimensional_feature_on_a_line_dataset(doc):
    doc.update(loss="mse", dataset={"kind": "sine", "features": ["x1", "x2"]})
    assert "needs a second input" in messages(doc)["dataset.features[1]"]


def test_all_problems_reported_not_just_the_first(doc):
    doc["model"]["nodes"][1]["params"]["units"] = 0
    doc["optimizer"]["lr"] = -1
    doc["training"]["epochs"] = -3
    doc["views"] = ["Loss"]
    paths = [p.path for p in validate_preset(doc)]
    assert paths == ["model.nodes[1].params.units", "optimizer.lr", "training.epochs", "views[0]"]


def test_newer_version_refused_with_upgrade_message(doc):
    doc["version"] = 3
    doc["model"] = "whatever a future version puts here"
    assert validate_preset(doc) == [Problem("version", "made by a newer nnplayground (format "
                                            "version 3); this one reads up to 1: upgrade")]


def test_foreign_format_refused(doc):
    doc["format"] = "keras-model"
    [problem] = validate_preset(doc)
    assert problem.path == "format" and "not an nnplayground preset" in problem.message


def test_not_an_object():
    [problem] = validate_preset([1, 2])
    assert problem.message == "a preset must be a JSON object, got [1, 2]"


@pytest.mark.parametrize("node_type, params, path, reason", [
    ("Conv2D", {"filters": 4, "kernel": [3]}, "params.kernel",
     "must be a positive integer or a list [height, width] of positive integers, got [3]"),
    ("Dropout", {"rate": 1.0}, "params.rate", "must be a number with 0 <= rate < 1, got 1.0"),
    ("Activation", {}, "params.function", "is required"),
    ("Flatten", {"size": 2}, "params.size", "unknown key (nothing is allowed here)"),
])
def test_per_type_params(doc, node_type, params, path, reason):
    doc["model"]["nodes"][1].update(type=node_type, params=params)
    assert messages(doc)[f"model.nodes[1].{path}"] == reason


def test_graph_problems_from_the_engine_are_mapped_to_node_paths(doc):
    doc["model"]["nodes"][1].update(type="Conv2D", params={"filters": 2, "kernel": 3})
    [problem] = validate_preset(doc)
    assert problem.path == "model.nodes[1]"
    assert "expects an image input" in problem.message and '"x"' in problem.message


def test_cycle_reported_by_the_engine(doc):
    doc["model"]["nodes"][1]["inputs"] = ["out"]
    problems = validate_preset(doc)
    assert any(p.path.startswith("model.nodes[") and "cycle" in p.message for p in problems)


def test_binary_cross_entropy_needs_one_output_unit(doc):
    doc["model"]["nodes"][2]["params"]["units"] = 2
    assert messages(doc)["model.nodes[2]"] == (
        'the output node "out" gives 2 value(s) per example; '
        'the loss "binary_cross_entropy" on "xor" needs 1')


def test_nan_and_infinity_are_refused(doc):
    doc["optimizer"]["lr"] = float("nan")
    doc["model"]["nodes"][1]["pos"] = [float("inf"), 0]
    assert messages(doc) == {"optimizer.lr": "must be a finite number, got nan",
                             "model.nodes[1].pos[0]": "must be a finite number, got inf"}


def test_never_raises_on_mangled_documents(doc):
    """The editor validates after every keystroke; no shape of document may crash it."""
    import copy
    import random

    rng = random.Random(0)
    junk = [None, -1, 0, 2.5, "", "x", [], [1, "a"], {}, {"id": 3}, True]

    def slots(value, out):
        if isinstance(value, dict):
            for k, v in value.items():
                out.append((value, k))
                slots(v, out)
        elif isinstance(value, list):
            for i, v in enumerate(value):
                out.append((value, i))
                slots(v, out)
        return out

    for _ in range(150):
        mangled = copy.deepcopy(doc)
        for _ in range(rng.randint(1, 3)):
            container, key = rng.choice(slots(mangled, []))
            container[key] = rng.choice(junk)
        problems = validate_preset(mangled)
        assert all(isinstance(p, Problem) and isinstance(p.path, str) for p in problems)


def test_augmentation_and_lr_decay_are_checked(doc):
    doc["dataset"] = {"kind": "mnist", "source": "sample"}
    doc["model"]["nodes"][0]["params"]["shape"] = [1, 28, 28]
    doc["model"]["nodes"].insert(1, {"id": "flat", "type": "Flatten", "params": {},
                                     "inputs": ["x"]})
    doc["model"]["nodes"][2]["inputs"] = ["flat"]
    doc["model"]["nodes"][3]["params"] = {"units": 10, "activation": "softmax"}
    doc["loss"] = "cross_entropy"
    doc["training"].update(lr_decay=0.8, augmentation={"shift": 2, "rotation": 10,
                                                       "scale": 0.1, "elastic": 34,
                                                       "elastic_sigma": 4})
    assert validate_preset(doc) == []
    doc["training"].update(lr_decay=0, augmentation={"scale": 1.5, "shear": 3})
    assert messages(doc) == {
        "training.lr_decay": "must be a number in (0, 1]: the learning rate is multiplied by "
                             "it after every epoch (1 keeps it constant), got 0",
        "training.augmentation.scale": "must be a number with 0 (off) <= scale < 1, got 1.5",
        "training.augmentation.shear": "unknown key (allowed here: elastic, elastic_sigma, "
                                       "rotation, scale, shift)",
    }


def test_augmentation_of_points_is_refused(doc):
    doc["training"]["augmentation"] = {"shift": 2}
    assert messages(doc) == {
        "training.augmentation": 'distorts images, but the dataset "xor" is not one; remove '
                                 "it or choose fashion-mnist or mnist"}


def test_a_file_datasets_columns(doc):
    """dataset.input_columns / target_column: names or numbers from 1; the target is not an
    input."""
    doc["dataset"] = {"kind": "file", "path": "points.csv", "input_columns": ["x1", 2],
                      "target_column": "label"}
    assert messages(doc) == {}
    doc["dataset"]["input_columns"] = ["x1", "label"]
    assert messages(doc) == {"dataset.input_columns[1]": '"label" is also dataset.target_column: '
                             "the network cannot be given the answer as an input; remove it "
                             "from the inputs"}
    doc["dataset"]["input_columns"] = [0]
    assert messages(doc)["dataset.input_columns[0]"].startswith(
        "must be a column's header name or its number from 1")
    doc["dataset"]["input_columns"] = []
    doc["dataset"]["target_column"] = ""
    found = messages(doc)
    assert found["dataset.input_columns"].startswith("must be a non-empty list of input columns")
    assert found["dataset.target_column"].startswith("must be the label or target column")


def test_many_class_output_must_match_the_class_count():
    from nnplayground.presets import load_builtin
    doc = load_builtin("spiral3")
    assert validate_preset(doc) == []
    doc["dataset"]["n_classes"] = 4
    problems = validate_preset(doc)
    assert any(p.path == "model.nodes[3]" and "needs 4" in p.message for p in problems)
    del doc["dataset"]["n_classes"]            # the default is 3 classes
    assert validate_preset(doc) == []
    doc["dataset"]["n_classes"] = 9
    assert any(p.path == "dataset.n_classes" and "from 2 to 6" in p.message
               for p in validate_preset(doc))
