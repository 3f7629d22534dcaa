"""The engine, data and presets packages must import without Qt available."""

import subprocess
import sys

BLOCK_QT = """
import sys
class _BlockQt:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in {'PySide6', 'pyqtgraph', 'shiboken6'}:
            raise ImportError('Qt is blocked in this test: ' + name)
        return None
sys.meta_path.insert(0, _BlockQt())
import nnplayground.engine, nnplayground.data, nnplayground.presets
print('ok')
"""


def test_engine_data_presets_import_without_qt():
    result = subprocess.run([sys.executable, "-c", BLOCK_QT], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
