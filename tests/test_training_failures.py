"""When training fails or goes nowhere, say why from the actual settings (issue 11).

Divergence was always blamed on the learning rate, also when an init scale, a bias or L1/L2
of 1e30 caused it; and xor or mnist-mlp at learning rate 10 ran to the end with a loss of 47
to 78, saved the model and exited 0 without a word.
"""

from __future__ import annotations

import numpy as np
import pytest

from nnplayground import experiment as E
from nnplayground.cli import main
from nnplayground.engine import DivergenceError, build_model
from nnplayground.presets import ModelFileError, load_builtin, load_model, save_model


def xor(**changes):
    doc = load_builtin("xor")
    for path, value in changes.items():
        target, *keys = path.split("__")
        node = next((n for n in doc["model"]["nodes"] if n["id"] == target), None)
        if node is not None:
            node["params"][keys[0]] = value
        else:
            doc[target][keys[0]] = value
    return doc


@pytest.mark.parametrize("doc, named, fix", [
    (xor(h1__init="normal", h1__init_scale=1e30), 'the init_scale 1e+30 of "h1"', "init_scale"),
    (xor(out__bias_init=-1e30), 'the bias_init -1e+30 of "out"', "bias_init near 0"),
    (xor(regularization__l2=1e30), "the regularisation (l1 0, l2 1e+30)", "lower l1/l2"),
    (xor(optimizer__lr=1e6), "the learning rate 1e+06 is too high", "try 100000"),
])
def test_the_likely_cause_is_read_from_the_settings(doc, named, fix):
    reg = doc.get("regularization", {})
    cause, remedy = E.divergence_cause(doc, doc["optimizer"]["lr"], reg.get("l1", 0.0),
                                       reg.get("l2", 0.0))
    assert cause.startswith(named) and fix in remedy


def test_a_real_divergence_from_l2_names_the_penalty_not_the_learning_rate():
    exp = E.Experiment.from_preset(xor(regularization__l2=1e30))
    with pytest.raises(DivergenceError) as info:
        exp.fit(1)
    message = exp.divergence_message(info.value)
    assert message.startswith("Training diverged at step 1: the update of ")
    assert "Likely cause: the regularisation" in message
    assert "learning rate" not in message
    for params in exp.model.state_dict().values():      # the last finite weights are kept
        assert np.isfinite(params).all()


def test_a_saturated_loss_is_a_warning_naming_its_cause():
    exp = E.Experiment.from_preset(xor(out__bias_init=1e30))
    exp.fit(4)
    warning = exp.training_warning()
    assert warning.startswith("the loss stopped falling at ")
    assert 'the bias_init 1e+30 of "out"' in warning
    healthy = E.Experiment.from_preset(load_builtin("xor"))
    healthy.fit(4)
    assert healthy.training_warning() is None


def test_saturation_needs_a_high_flat_loss():
    doc = load_builtin("xor")
    assert E.saturation_warning([50, 49, 48.5], 0.69, doc, 10, 0, 0) is not None
    assert E.saturation_warning([50, 30, 10], 0.69, doc, 10, 0, 0) is None     # still falling
    assert E.saturation_warning([1.0, 1.0, 1.0], 0.69, doc, 10, 0, 0) is None  # not saturated
    assert E.saturation_warning([50, 50], 0.69, doc, 10, 0, 0) is None         # too early
    assert "learning rate 10" in E.saturation_warning([50, 50, 50], 0.69, doc, 10, 0, 0)


def test_train_warns_on_stderr_about_a_saturated_loss(tmp_path, capsys):
    import json
    path = tmp_path / "saturated.json"
    path.write_text(json.dumps(xor(out__bias_init=1e30)))
    assert main(["train", str(path), "--epochs", "4"]) == 0
    err = capsys.readouterr().err
    assert "nnplayground: warning: the loss stopped falling at" in err
    assert 'bias_init 1e+30 of "out"' in err


def test_train_reports_a_divergence_with_its_cause(tmp_path, capsys):
    import json
    path = tmp_path / "init.json"
    path.write_text(json.dumps(xor(regularization__l2=1e30)))
    assert main(["train", str(path), "--epochs", "2"]) == 1
    err = capsys.readouterr().err
    assert "Likely cause: the regularisation" in err and "nothing saved" in err


def test_a_model_file_holding_nan_weights_is_refused_by_name(tmp_path):
    doc = load_builtin("xor")
    model = build_model(doc["model"], seed=0)
    model.layers["h1"].params["W"][0, 1] = np.nan
    save_model(tmp_path / "nan.npz", doc, model)
    with pytest.raises(ModelFileError) as info:
        load_model(tmp_path / "nan.npz")
    (problem,) = info.value.problems
    assert problem.path == "params/h1/W" and "1 NaN or infinite value(s)" in problem.message
