"""Exports of every built-in preset and lesson network give the engine's outputs.

ONNX runs through onnxruntime; the PyTorch program is imported and run where torch is
installed (`.ci/run` installs the CPU wheel when it can). The Keras program cannot run here
(no TensorFlow), so it is compiled and its layers and weight layouts are checked.
"""

import ast
import importlib.util
import json
import os
import types

import numpy as np
import pytest
from export_networks import (
    BATCHNORM_OF_A_MATRIX,
    EVERYTHING,
    network_documents,
    trained,
)

from nnplayground.export import ExportError, check_export, export_model, output_path
from nnplayground.export.keras import keras_code

TOLERANCE = 1e-5
NETWORKS = network_documents()
IDS = [label for label, _ in NETWORKS]


def test_the_networks_cover_every_preset_and_lesson_and_node_type():
    labels = " | ".join(IDS)
    for name in ("xor", "spiral", "mnist-cnn", "mnist-mlp", "regression-sine"):
        assert f"preset {name}" in labels
    for number in range(1, 15):
        assert f"lesson {number}" in labels
    types = {n["type"] for _, doc in NETWORKS for n in doc["model"]["nodes"]}
    assert types == {"Input", "Dense", "Conv2D", "MaxPool2D", "AvgPool2D", "Flatten",
                     "Reshape", "Dropout", "BatchNorm", "Activation", "Add", "Concatenate"}


@pytest.mark.parametrize("label,doc", NETWORKS, ids=IDS)
def test_onnx_export_gives_the_engine_outputs(label, doc, tmp_path):
    import onnx
    import onnxruntime

    model, state, x = trained(doc)
    (path,) = export_model(doc, state, "onnx", tmp_path / "net")
    assert path.name == "net.onnx"
    proto = onnx.load(str(path))
    assert [o.version for o in proto.opset_import] == [17]
    (inp,) = proto.graph.input
    dims = [d.dim_param or d.dim_value for d in inp.type.tensor_type.shape.dim]
    assert inp.name == "input" and dims == ["batch", *model.input_shape]
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    (got,) = session.run(["output"], {"input": x})
    want = model.forward(x)
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= TOLERANCE


def _import(path):
    spec = importlib.util.spec_from_file_location(f"exported_{abs(hash(str(path)))}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("label,doc", NETWORKS, ids=IDS)
def test_pytorch_export_gives_the_engine_outputs(label, doc, tmp_path):
    torch = pytest.importorskip("torch", reason="torch is not installed: the PyTorch export's "
                                                "outputs are not compared (pip install torch)")
    model, state, x = trained(doc)
    code, weights = export_model(doc, state, "pytorch", tmp_path / "net.py")
    assert weights.name == "net_weights.npz"
    net = _import(code).load_trained().eval()
    with torch.no_grad():
        got = net(torch.from_numpy(x)).numpy()
    want = model.forward(x)
    assert got.shape == want.shape
    assert np.abs(got - want).max() <= TOLERANCE


def test_the_pytorch_program_trains_on_and_saves(tmp_path, capsys):
    pytest.importorskip("torch", reason="torch is not installed")
    from nnplayground.data import load_dataset
    from nnplayground.presets import load_builtin

    doc = load_builtin("xor")
    state = trained(doc)[1]
    dataset = load_dataset(doc["dataset"])
    code, weights, _data = export_model(doc, state, "pytorch", tmp_path / "xor.py", dataset)
    program = code.read_text()
    for expected in ("class Net(nn.Module):", "F.binary_cross_entropy_with_logits",
                     "torch.optim.SGD(parameters, lr=LEARNING_RATE)", "LEARNING_RATE = 0.03",
                     "BATCH_SIZE = 10", "DistributedDataParallel", "DistributedSampler"):
        assert expected in program, expected
    module = _import(code)
    trained_on = module.main(epochs=2, save=tmp_path / "continued.npz")
    assert "epoch 2: test loss" in capsys.readouterr().out
    with np.load(tmp_path / "continued.npz") as saved:
        assert set(saved.files) == {k for k in trained_on.state_dict()}
        assert not np.array_equal(saved["out.weight"], np.load(weights)["out.weight"])


def _keras_layers(source):
    """[(constructor, name)] of every layers.X(...) / keras.Input(...) call, in order."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and \
                isinstance(node.func.value, ast.Name) and \
                (node.func.value.id == "layers" or node.func.attr == "Input"):
            name = next((k.value.value for k in node.keywords if k.arg == "name"), None)
            found.append((node.func.attr, name, node.lineno))
    return [(kind, name) for kind, name, _ in sorted(found, key=lambda f: f[2])]


KERAS_TYPES = {"Input": "Input", "Dense": "Dense", "Conv2D": "Conv2D",
               "MaxPool2D": "MaxPooling2D", "AvgPool2D": "AveragePooling2D",
               "Flatten": "Flatten", "Reshape": "Reshape", "Dropout": "Dropout",
               "BatchNorm": "BatchNormalization", "Add": "Add", "Concatenate": "Concatenate"}


@pytest.mark.parametrize("label,doc", NETWORKS, ids=IDS)
def test_keras_export_compiles_with_each_node_as_a_named_layer(label, doc, tmp_path):
    model, state, _ = trained(doc)
    code, weights = export_model(doc, state, "keras", tmp_path / "net.py")
    source = code.read_text()
    compile(source, str(code), "exec")
    made = _keras_layers(source)
    named = {name: kind for kind, name in made}
    for node in doc["model"]["nodes"]:
        if node["type"] != "Activation":
            assert named[node["id"]] == KERAS_TYPES[node["type"]], node["id"]
    # layers come in the graph's topological order
    order = [name for _, name in made if name in model.order]
    assert order == [i for i in model.order if i in order]
    with np.load(weights) as arrays:
        for node_id, layer in model.layers.items():
            if "W" in layer.params:
                kernel = arrays[f"{node_id}/0"]
                w = state[f"{node_id}/W"]
                want = w.transpose(2, 3, 1, 0) if w.ndim == 4 else w   # (kh, kw, in, out)
                assert np.array_equal(kernel, want)
            if "gamma" in layer.params:
                assert np.array_equal(arrays[f"{node_id}/2"], state[f"{node_id}/running_mean"])
                assert np.array_equal(arrays[f"{node_id}/3"], state[f"{node_id}/running_var"])


def test_keras_export_keeps_the_channel_order_of_flatten_and_reshape():
    source = keras_code(EVERYTHING, weights_name="w.npz")
    made = _keras_layers(source)
    assert ("Input", "img") in made and "keras.Input(shape=(7, 6, 3), name='img')" in source
    for flatten in ("f1", "f2", "f3"):
        i = made.index(("Flatten", flatten))
        assert made[i - 1] == ("Permute", flatten + "_chw")
    assert "layers.Permute((3, 1, 2), name='f1_chw')" in source
    i = made.index(("Reshape", "r"))
    assert made[i + 1] == ("Permute", "r_hwc")
    assert "layers.Concatenate(axis=-1, name='both')" in source


def test_the_lesson_listing_is_the_export_without_weights():
    from nnplayground.lessons import load_lesson, preset_document
    from nnplayground.lessons.keras_code import keras_code as lesson_code

    doc = preset_document(load_lesson(14))
    assert lesson_code(doc) == keras_code(doc)
    assert "set_weights" not in lesson_code(doc) and "name=" not in lesson_code(doc)


def _with_node(doc, index, node):
    doc = json.loads(json.dumps(doc))
    doc["model"]["nodes"].insert(index, node)
    return doc


@pytest.mark.parametrize("fmt", ["pytorch", "keras", "onnx"])
def test_what_a_format_cannot_express_is_refused_naming_the_node(fmt, tmp_path):
    with pytest.raises(ExportError) as err:
        export_model(BATCHNORM_OF_A_MATRIX, {}, fmt, tmp_path / "m")
    assert "node 'norm'" in str(err.value) and "(2, 1) tensor" in str(err.value)
    assert "Flatten before it" in str(err.value)
    assert list(tmp_path.iterdir()) == []          # nothing written


def test_a_broken_graph_or_missing_weights_are_refused(tmp_path):
    from nnplayground.presets import load_builtin

    doc = load_builtin("xor")
    broken = json.loads(json.dumps(doc))
    broken["model"]["nodes"][2]["inputs"] = ["nowhere"]
    with pytest.raises(ExportError, match="nowhere"):
        check_export(broken, "onnx")
    state = trained(doc)[1]
    del state["out/W"]
    with pytest.raises(ExportError, match="node 'out': the trained weights have no 'out/W'"):
        export_model(doc, state, "onnx", tmp_path / "x.onnx")
    with pytest.raises(ValueError, match="unknown export format 'tflite'"):
        check_export(doc, "tflite")


def test_output_paths_get_the_format_suffix(tmp_path):
    assert output_path(tmp_path / "a", "onnx").name == "a.onnx"
    assert output_path(tmp_path / "a.onnx", "onnx").name == "a.onnx"
    assert output_path(tmp_path / "a.b", "pytorch").name == "a.b.py"


def _keras():
    """Keras 3, on the torch backend when TensorFlow is absent (either runs the program)."""
    if importlib.util.find_spec("tensorflow") is None and \
            importlib.util.find_spec("torch") is not None:
        os.environ.setdefault("KERAS_BACKEND", "torch")
    return pytest.importorskip("keras", reason="keras is not installed: the Keras export is "
                                               "compiled and checked, not run")


@pytest.mark.parametrize("label,doc", NETWORKS, ids=IDS)
def test_keras_export_gives_the_engine_outputs_where_keras_runs(label, doc, tmp_path,
                                                                monkeypatch):
    keras = _keras()
    model, state, x = trained(doc)
    labels = np.zeros(len(x), np.int64)
    data = types.SimpleNamespace(x_train=x, y_train=labels, x_test=x, y_test=labels)
    code = export_model(doc, state, "keras", tmp_path / "net.py", data)[0]
    source = code.read_text()
    monkeypatch.chdir(tmp_path)         # the program reads its files from the folder it is in
    namespace = {}          # the program up to compile(): data, model, trained weights
    exec(compile(source[:source.index("model.compile(")], str(code), "exec"), namespace)
    images = x.transpose(0, 2, 3, 1) if x.ndim == 4 else x      # Keras: channels last
    got = keras.ops.convert_to_numpy(namespace["model"](images, training=False))
    assert np.abs(got - model.forward(x)).max() <= TOLERANCE


STEP_NETWORKS = [(label, doc) for label, doc in NETWORKS if label in (
    "preset xor", "preset mnist-cnn", "preset regression-sine", "preset mnist-mlp",
    "lesson 4 step 2", "lesson 9", "lesson 10 step 3", "lesson 12", "every node type")]


@pytest.mark.parametrize("label,doc", STEP_NETWORKS, ids=[label for label, _ in STEP_NETWORKS])
def test_a_training_step_in_the_pytorch_program_is_nnplaygrounds(label, doc, tmp_path):
    """The same batch from the same weights: the PyTorch program's loss, optimizer step and
    BatchNorm running statistics equal the engine's, so training goes on where it stopped."""
    torch = pytest.importorskip("torch", reason="torch is not installed")
    from nnplayground.engine import Trainer, make_optimizer
    from nnplayground.export.common import task_of
    from nnplayground.export.graph import Graph
    from nnplayground.export.pytorch import torch_state

    doc = json.loads(json.dumps(doc))
    for node in doc["model"]["nodes"]:          # Dropout's random masks differ between the two
        if node["type"] == "Dropout":
            node["params"]["rate"] = 0.0
    model, state, x = trained(doc)
    out = model.forward(x)
    y = (out.argmax(axis=1) if out.shape[1] > 1 else (out[:, 0] > 0.5)).astype(np.int64) \
        if task_of(doc) == "classification" else (out + 0.1).astype(np.float32)
    code, _ = export_model(doc, state, "pytorch", tmp_path / "net.py")
    program = _import(code)
    net = program.load_trained()
    reg = doc.get("regularization") or {}
    trainer = Trainer(model, loss=doc["loss"], optimizer=make_optimizer(doc["optimizer"]),
                      x_train=x, y_train=y, task=task_of(doc), batch_size=len(x), seed=0,
                      l1=float(reg.get("l1", 0.0)), l2=float(reg.get("l2", 0.0)))
    want_loss = trainer.step().loss

    net.train()
    optimizer = program.make_optimizer(net.parameters())
    loss = program.compute_loss(net, torch.from_numpy(x), torch.from_numpy(y))
    if hasattr(program, "penalty"):
        loss = loss + program.penalty(net)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    assert loss.item() == pytest.approx(want_loss, rel=1e-5, abs=1e-6)
    graph = Graph(doc["model"])
    want = torch_state(graph, model.state_dict())
    # buffers (BatchNorm's running statistics) have no gradient: NaN, never "tiny"
    grads = torch_state(graph, {key: np.full_like(value, np.nan) for key, value in state.items()}
                        | _engine_gradients(model))
    # Adam-like steps divide by the gradient's own size: where it is ~eps (1e-8), float32
    # rounding in either program's gradient moves that weight by up to the learning rate.
    normalised = doc["optimizer"]["type"] in ("adam", "rmsprop", "adagrad")
    got = net.state_dict()
    for key, value in want.items():
        if key.endswith("num_batches_tracked"):
            continue
        diff = np.abs(got[key].numpy() - value)
        tiny = (np.abs(grads[key]) < 1e-6) if normalised else np.zeros(value.shape, bool)
        assert diff[~tiny].max(initial=0) <= TOLERANCE, key
        assert diff[tiny].max(initial=0) <= doc["optimizer"]["lr"], key


def _engine_gradients(model):
    """{"<node_id>/<name>": gradient} of the engine's last step, keyed as its state dict."""
    return {f"{node_id}/{name}": grad.copy() for node_id in model.order
            for name, grad in model.layers[node_id].grads.items()}
