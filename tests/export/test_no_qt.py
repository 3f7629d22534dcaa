"""The export works on a machine without Qt: the CLI and scripts use it headless."""

from no_qt import run_without_qt

EXPORT = """
from nnplayground.engine import build_model
from nnplayground.export import export_model
from nnplayground.presets import load_builtin
doc = load_builtin('mnist-cnn')
state = build_model(doc['model']).state_dict()
for fmt in ('pytorch', 'keras', 'onnx'):
    print(*[p.name for p in export_model(doc, state, fmt, sys.argv[1] + '/net_' + fmt)])
"""


def test_export_runs_with_qt_blocked(tmp_path):
    result = run_without_qt(EXPORT, str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == [
        "net_pytorch.py net_pytorch_weights.npz", "net_keras.py net_keras_weights.npz",
        "net_onnx.onnx"]
