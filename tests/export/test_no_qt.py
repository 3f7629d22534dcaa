"""The export works on a machine without Qt: the CLI and scripts use it headless."""

import subprocess
import sys

EXPORT_WITHOUT_QT = """
import sys
class _BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'pyqtgraph', 'shiboken6'}:
            raise ImportError('Qt is blocked in this test: ' + name)
        return None
sys.meta_path.insert(0, _BlockQt())
from nnplayground.engine import build_model
from nnplayground.export import export_model
from nnplayground.presets import load_builtin
doc = load_builtin('mnist-cnn')
state = build_model(doc['model']).state_dict()
for fmt in ('pytorch', 'keras', 'onnx'):
    print(*[p.name for p in export_model(doc, state, fmt, sys.argv[1] + '/net_' + fmt)])
"""


def test_export_runs_with_qt_blocked(tmp_path):
    result = subprocess.run([sys.executable, "-c", EXPORT_WITHOUT_QT, str(tmp_path)],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[:3] == [
        "net_pytorch.py net_pytorch_weights.npz", "net_keras.py net_keras_weights.npz",
        "net_onnx.onnx"]
